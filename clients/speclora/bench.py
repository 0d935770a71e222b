"""`speclora benchmark-suite`: the three modes (target alone, base draft, merged LoRA draft) over the
prompts, measured by clients/speclora/three_mode.py, summarised by clients/speclora/three_mode_report.py.

Without server URLs the servers are started for you (clients/speclora/servers.py): `--boot
parallel` boots all three at once, warms each up and interleaves the prompts across the modes
(clients/speclora/three_mode.py: run_suite); `--boot sequential` boots one
mode's server, measures it, stops it, then the next (a GPU holds one server at a time), and joins
the three partial results into one document. The prompts are held out from the adapter's
training data (clients/speclora/heldout.py). The JSON goes to -o, else to stdout (the summary
table then goes to stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from speclens.clients.common import cli as cc
from speclens.clients.speclora import adapters, heldout
from speclens.clients.speclora import servers
from speclens.clients.speclora import three_mode
from speclens.clients.speclora import three_mode_report as report


def lora_draft(args: argparse.Namespace) -> tuple[Path, Path, dict]:
    """(adapter, merged draft, merge info) for -a; merges on first use, then reuses the cache."""
    from speclens.clients.speclora.lora_merge import merge

    adapter = adapters.resolve(args.lora_adapter_spec, Path(args.checkpoints_dir))
    merged, info, cached = merge(adapter, args.draft or None)
    if not args.servers_from_env:
        sys.stderr.write(f"speclora: LoRA draft = {adapter} merged into {info['base']} -> {merged} "
                         f"({'cached' if cached else 'merged now'}; weights sha256 {info['weights_sha256'][:16]})\n")
    return adapter, merged, info


def modes_of(args: argparse.Namespace) -> list[str]:
    modes = ["target_only", "spec_base"] + ([] if args.skip_lora else ["spec_lora"])
    return [args.only_mode] if args.only_mode else modes


SEQUENTIAL = ("one mode at a time: each mode's server booted, warmed up, measured over every prompt and stopped "
              "before the next mode's (--boot sequential)")


def _sequential(args: argparse.Namespace, argv: list[str], merged: str | None) -> dict | int:
    """One launcher run per mode, each writing a partial result; the joined result (or an exit status)."""
    parts: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="speclora-") as tmp:
        for mode in modes_of(args):
            part = Path(tmp) / f"{mode}.json"
            code = servers.via_launcher(args, [*argv, "--only-mode", mode, "-o", str(part), "--overwrite"], [mode],
                                        merged if mode == "spec_lora" else None)
            if code:
                return code
            parts[mode] = json.loads(part.read_text())
    last = parts[list(parts)[-1]]
    meta = {k: v for k, v in last["metadata"].items() if k not in ("timestamp", "only_mode")}
    meta["models"] = {m: p["metadata"]["models"][m] for m, p in parts.items()}
    meta["urls"] = {m: p["metadata"]["urls"][m] for m, p in parts.items()}
    meta["drafts"] = {m: p["metadata"]["drafts"].get(m) for m, p in parts.items() if m != "target_only"}
    meta["warmup_requests"] = {m: (p["metadata"].get("warmup_requests") or {}).get(m) for m, p in parts.items()}
    meta["mode_order"] = SEQUENTIAL
    meta["boot"] = "sequential"
    results = {m: [row[m] for row in p["per_prompt"]] for m, p in parts.items()}
    return report.build_result(meta, [row["prompt"] for row in last["per_prompt"]], results)


def _emit(args: argparse.Namespace, result: dict) -> int:
    if args.output:
        cc.write_result(args.output, result, args.overwrite)
        if not args.only_mode:
            report.print_summary(result, cc.stdout_console())
            print(f"Results: {args.output}")
    else:
        report.print_summary(result, Console(stderr=True, highlight=False, soft_wrap=True))
        sys.stdout.write(json.dumps(result, indent=2, allow_nan=False) + "\n")
    return 0


def cmd_benchmark(args: argparse.Namespace, argv: list[str]) -> int:
    if args.output:
        cc.check_output(args.output, args.overwrite)
    if args.servers_from_env:
        servers.urls_from_env(args)
    adapter = merged = None
    info: dict = {}
    if not args.skip_lora:  # every mode needs the adapter's path: its training prompts are dropped on every mode
        adapter = adapters.resolve(args.lora_adapter_spec, Path(args.checkpoints_dir))
    if not args.skip_lora and args.only_mode in (None, "spec_lora"):
        adapter, merged, info = lora_draft(args)
    # the outer run warns (inner runs inside the launcher, --servers-from-env, say it again otherwise)
    prompts, found = heldout.select(three_mode.load_prompts(args), adapter, args.allow_train_overlap,
                                    warn=not args.servers_from_env)
    found["prompt_selection"] = heldout.how_chosen(args.prompts_file, args.limit, args.seed, args.allow_train_overlap)
    if args.target_url is None and args.base_url is None and args.lora_url is None:
        boot = args.boot or servers.default_boot()
        if boot == "parallel":
            return servers.via_launcher(args, argv, modes_of(args), merged and str(merged))
        result = _sequential(args, argv, merged and str(merged))
        return result if isinstance(result, int) else _emit(args, result)
    args.lora_adapter = None if adapter is None else str(adapter)
    extra = {"adapter_alias": None if args.skip_lora else args.lora_adapter_spec,
             "merged_draft": merged and str(merged), "adapter_hash": info.get("adapter_hash"),
             "merged_weights_sha256": info.get("weights_sha256"), "lora_base_draft": info.get("base"),
             "drafts": {"spec_base": args.draft or (servers.base_draft(args) if args.servers_from_env else None),
                        "spec_lora": merged and str(merged)},
             "boot": args.boot or (servers.default_boot() if args.servers_from_env else "external servers"),
             **found}
    return _emit(args, asyncio.run(three_mode.run_suite(args, prompts, extra)))
