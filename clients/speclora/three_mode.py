"""Three-mode suite: target only / speculative with the base draft / speculative with a
LoRA-adapted draft, over a prompts file, against servers that are already running. The one-command
workflow (servers started for you, the adapter resolved and merged) is
`python -m speclens.clients.speclora benchmark-suite`; this module is its measuring part. By hand:

    launchers/speclora.sh --target TARGET --draft BASE_DRAFT --lora-draft MERGED_DRAFT --port 8000 -- \
      .venv/bin/python -m speclens.clients.three_mode --target-url http://127.0.0.1:8000 \
        --base-url http://127.0.0.1:8001 --lora-url http://127.0.0.1:8002 -f prompts.txt --limit 15 -o out.json

(MERGED_DRAFT: `python -m speclens.clients.lora_merge --adapter ADAPTER`; vLLM's drafter takes no
adapter.) Acceptance per prompt: see clients/speclora/three_mode_measure.py. Summary formulas:
clients/speclora/three_mode_report.py.
"""

from __future__ import annotations

import argparse
import os
from contextlib import AsyncExitStack
from pathlib import Path

from speclens.clients.common import cli as cc
from speclens.clients.speclora import three_mode_measure as core
from speclens.clients.speclora import three_mode_report as report
from speclens.clients.common.http import OpenAIServer, api_key_from
from speclens.clients.common.warmup import add_warmup_flag, warm_up
from speclens.clients.speclora import heldout
from speclens.clients.common.problems import generated, prompt_file, sample

MODES = (("target_only", "target_url", False), ("spec_base", "base_url", True), ("spec_lora", "lora_url", True))


async def measure_prompt(server: OpenAIServer, model: str, prompt: str, args: argparse.Namespace,
                         speculative: bool, progress, task) -> dict:
    """One prompt on one mode: `iterations` requests, folded into one per-prompt record."""
    runs = []
    for _ in range(args.iterations):
        runs.append(await core.measure(server, model, prompt, args.max_tokens, speculative))
        progress.update(task, advance=1)
    return report.per_prompt(runs)


def rotated(names: list[str], i: int) -> list[str]:
    """The mode order for prompt i: the modes rotated by i, so each mode goes first equally often."""
    k = i % len(names) if names else 0
    return names[k:] + names[:k]


def load_prompts(args: argparse.Namespace) -> list[str]:
    """The prompts file (or generated held-out arithmetic questions), a seeded random sample of --limit."""
    items = prompt_file(args.prompts_file) if args.prompts_file else generated(args.seed, args.limit or 10)
    return [p.question for p in sample(items, args.limit, args.seed)]


def check_urls(args: argparse.Namespace) -> list[tuple[str, str, bool]]:
    """The modes to run; a usage error when one has no server URL."""
    modes = [m for m in MODES if not (m[0] == "spec_lora" and args.skip_lora)]
    only = getattr(args, "only_mode", None)  # speclora benchmark-suite --boot sequential: one mode per server run
    modes = [m for m in modes if only in (None, m[0])]
    for name, attr, _ in modes:
        if not getattr(args, attr):
            flag = "--" + attr.replace("_", "-")
            hint = "; or pass --skip-lora" if name == "spec_lora" else ""
            raise cc.UsageError(f"mode {name} needs {flag} (a running server){hint}")
    return modes


INTERLEAVED = ("interleaved: every prompt on every mode before the next prompt, the mode order rotating by one "
               "per prompt; every server warmed up first")


async def run_suite(args: argparse.Namespace, prompts: list[str], extra: dict) -> dict:
    """Warm every mode's server (--warmup discarded requests, before any timed request or /metrics
    scrape), then the prompts interleaved across the modes (INTERLEAVED: drift of a settling or
    warming machine falls on every mode alike, not on whichever mode runs first); the result
    document (clients/speclora/three_mode_report.py)."""
    modes = check_urls(args)
    key = api_key_from(args.api_key)
    models: dict[str, str] = {}
    warmups: dict[str, int] = {}
    opened: dict[str, tuple[OpenAIServer, bool, object]] = {}
    with cc.make_progress() as progress:
        async with AsyncExitStack() as stack:
            for name, attr, speculative in modes:
                server = await stack.enter_async_context(OpenAIServer(getattr(args, attr), key, args.timeout))
                models[name] = await server.resolve_model(getattr(args, attr.replace("url", "model")))
                warmups[name] = await warm_up(server, models[name], args.warmup)
                opened[name] = (server, speculative, progress.add_task(name, total=len(prompts) * args.iterations,
                                                                       status=""))
            results: dict[str, list[dict]] = {name: [] for name in opened}
            for i, prompt in enumerate(prompts):
                for name in rotated(list(opened), i):
                    server, speculative, task = opened[name]
                    results[name].append(await measure_prompt(server, models[name], prompt, args, speculative,
                                                              progress, task))
    metadata = {"num_prompts": len(prompts), "max_tokens": args.max_tokens, "iterations": args.iterations,
                "adapter_path": None if args.skip_lora else args.lora_adapter, "seed": args.seed,
                "prompts_file": args.prompts_file, "skip_lora": args.skip_lora, "models": models,
                "urls": {name: getattr(args, attr) for name, attr, _ in modes}, "warmup_requests": warmups,
                "mode_order": INTERLEAVED, **extra}
    return report.build_result(metadata, prompts, results)


async def work(args: argparse.Namespace) -> int:
    path = cc.output_path(args.output, "benchmark_suite")
    cc.check_output(path, args.overwrite)
    check_urls(args)
    adapter = None if args.skip_lora or not args.lora_adapter else Path(args.lora_adapter)
    prompts, found = heldout.select(load_prompts(args), adapter, args.allow_train_overlap, warn=True)
    found["prompt_selection"] = heldout.how_chosen(args.prompts_file, args.limit, args.seed, args.allow_train_overlap)
    result = await run_suite(args, prompts, found)
    cc.write_result(path, result, args.overwrite)
    report.print_summary(result, cc.stdout_console())
    print(f"Results: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.three_mode", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    env = os.environ.get
    p.add_argument("--target-url", default=env("SPECLENS_TARGET_URL"),
                   help="target-only server (default $SPECLENS_TARGET_URL)")
    p.add_argument("--base-url", default=env("SPECLENS_URL"),
                   help="speculative server, base draft (default $SPECLENS_URL)")
    p.add_argument("--lora-url", help="speculative server whose draft is the merged LoRA draft")
    p.add_argument("--target-model")
    p.add_argument("--base-model")
    p.add_argument("--lora-model")
    p.add_argument("--lora-adapter", help="adapter the LoRA draft was merged from (recorded in metadata)")
    p.add_argument("--prompts-file", "-f", help="one prompt per line (default: generated GSM8K-style questions)")
    p.add_argument("--limit", "-l", "--num-samples", type=cc.positive_int, help="random sample of N prompts (--seed)")
    p.add_argument("--max-tokens", "-m", type=cc.positive_int, default=256)
    p.add_argument("--iterations", "-n", type=cc.positive_int, default=1)
    p.add_argument("--skip-lora", action="store_true", help="run target_only and spec_base only")
    p.add_argument("--allow-train-overlap", action="store_true",
                   help="keep prompts found in --lora-adapter's training data (default: dropped, with a warning)")
    add_warmup_flag(p)
    cc.add_common_flags(p, "benchmark_suite")
    return p


def main(argv: list[str] | None = None) -> int:
    return cc.run_main(work, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
