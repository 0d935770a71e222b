"""SpecLoRA: adapt the draft model to the target with LoRA and measure what it buys, in three steps.

    python -m speclens.clients.speclora collect-data -f prompts.txt --limit 50
    python -m speclens.clients.speclora train
    python -m speclens.clients.speclora benchmark-suite -f prompts.txt --limit 20 -o results.json

collect-data and benchmark-suite start the servers they need themselves (launchers/speclora.sh:
target alone, target + base draft, target + merged LoRA draft; the embedded tiny pair when no
--target is given on a CPU machine) and stop them at the end; with --target-url/--base-url/--lora-url
they use servers that are already running instead. The LoRA draft is the adapter (-a: a path, or
best/final/latest/step-N in --checkpoints-dir) merged into the base draft, cached by adapter hash
(clients/speclora/lora_merge.py): vLLM applies LoRA to the target only, never to a speculative draft.
benchmark-suite without -o writes the JSON to stdout and the summary table to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from speclens.clients.common import cli as cc
from speclens.clients.common.http import ServerError
from speclens.clients.common.warmup import add_warmup_flag
from speclens.clients.speclora.bench import cmd_benchmark
from speclens.clients.speclora.servers import ENV_URLS, base_draft, tiny_pair, via_launcher
from speclens.clients.speclora.train import TrainConfig
from speclens.parsers.errors import ParseError


def cmd_collect(args: argparse.Namespace, argv: list[str]) -> int:
    from speclens.clients.common.problems import generated, prompt_file, sample
    from speclens.clients.speclora.collect import collect

    if os.path.exists(args.output) and not args.overwrite:
        raise cc.UsageError(f"{args.output} already exists; pass --overwrite or choose another --output")
    items = prompt_file(args.prompts_file) if args.prompts_file else generated(args.seed, args.limit or 50)
    prompts = [p.question for p in sample(items, args.limit, args.seed)]
    if args.servers_from_env:
        args.url = args.url or os.environ.get("SPECLENS_BASE_URL")
    if not args.url:
        return via_launcher(args, argv, ["spec_base"], None)
    import asyncio

    provenance = {"prompts_source": args.prompts_file or f"generated held-out arithmetic, seed {args.seed}",
                  "seed": args.seed, "limit": args.limit, "max_tokens": args.max_tokens, "temperature": 0.0}
    done = asyncio.run(collect(args.url, args.model, args.api_key, args.timeout, prompts, args.max_tokens,
                               base_draft(args), provenance, args.output, args.overwrite))
    sys.stderr.write(f"speclora collect-data: {done['samples']} samples, {done['failure_cases']} failure cases "
                     f"(draft disagrees with the target at least once), teacher-forced agreement "
                     f"{cc.fmt(done['teacher_forced_agreement'], '.4f')} over {done['completion_tokens']} tokens -> {args.output}\n")
    return 0


def cmd_train(args: argparse.Namespace, argv: list[str]) -> int:
    from speclens.clients.speclora.data import read_samples
    from speclens.clients.speclora.train import train

    cfg = TrainConfig.load(args.config, {k: getattr(args, k) for k in ("rank", "alpha", "lr", "steps", "batch",
                                                                      "eval_every", "seed")})
    provenance, _ = read_samples(args.data)
    draft = args.draft or provenance.get("draft_model") or str(tiny_pair() / "draft")
    s = train(args.data, draft, Path(args.checkpoints_dir), cfg, args.overwrite)
    print(f"speclora train: {s['config']['steps']} steps in {s['seconds']} s, final train loss {s['final_train_loss']}; "
          f"held-out agreement {cc.fmt(s['heldout_before']['agreement'], '.4f')} before -> "
          f"{cc.fmt(s['checkpoints'][-1]['heldout_agreement'], '.4f')} final; best = step {s['aliases']['best']} "
          f"(by {s['best_by']}); checkpoints in {args.checkpoints_dir}")
    return 0


def _servers(p: argparse.ArgumentParser, seed: int) -> None:
    g = p.add_argument_group("servers (default: started for you by launchers/speclora.sh)")
    g.add_argument("--target", help="target model (default: the tiny pair on CPU)")
    g.add_argument("--draft", help="base draft model (default: the tiny pair's draft)")
    g.add_argument("--port", type=cc.positive_int, default=8000, help="first port: target P, base P+1, LoRA P+2")
    g.add_argument("--num-speculative-tokens", "-k", type=cc.positive_int, default=3)
    g.add_argument("--tensor-parallel-size", type=cc.positive_int)
    g.add_argument("--log-dir", help="server logs (default launcher_runs/DATE_PID)")
    g.add_argument("--servers-from-env", action="store_true", help=argparse.SUPPRESS)
    g.add_argument("--api-key", help="bearer token (default: $VLLM_API_KEY)")
    g.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per HTTP request (default 300)")
    g.add_argument("--seed", type=int, default=seed, help=f"seed of the prompt sample and of generated prompts "
                   f"(default {seed}: collect-data draws seed 0, benchmark-suite seed 1, two disjoint prompt sets)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.speclora", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    sub = p.add_subparsers(dest="command", required=True, metavar="collect-data|train|benchmark-suite")
    c = sub.add_parser("collect-data", help="the target's answers to the prompts, and where the draft disagrees")
    c.add_argument("--prompts-file", "-f", help="one prompt per line (default: generated arithmetic questions)")
    c.add_argument("--limit", "-l", type=cc.positive_int, help="random sample of N prompts (default all; generated: 50)")
    c.add_argument("--max-tokens", "-m", type=cc.positive_int, default=256, help="per answer (default 256)")
    c.add_argument("--output", "-o", default="data/training_data.jsonl")
    c.add_argument("--url", help="a running server (ideally target + base draft) instead of starting one")
    c.add_argument("--model", help="served model name (default: the first the server lists)")
    c.add_argument("--overwrite", action="store_true")
    _servers(c, 0)
    t = sub.add_parser("train", help="LoRA on the draft, toward the target's outputs")
    t.add_argument("--data", default="data/training_data.jsonl")
    t.add_argument("--checkpoints-dir", default="data/checkpoints")
    t.add_argument("--draft", help="base draft (default: the one named in the data's provenance)")
    t.add_argument("--config", help="TOML file with a [train] section (keys: the flags below)")
    for flag, kind in (("rank", int), ("alpha", int), ("lr", float), ("steps", int), ("batch", int),
                       ("eval-every", int), ("seed", int)):
        t.add_argument(f"--{flag}", type=kind, help=f"default {getattr(TrainConfig, flag.replace('-', '_'))}")
    t.add_argument("--overwrite", action="store_true", help="replace the checkpoints of a previous run")
    b = sub.add_parser("benchmark-suite", help="target only / spec base draft / spec LoRA draft")
    b.add_argument("--prompts-file", "-f", help="one prompt per line (default: generated arithmetic questions)")
    b.add_argument("--limit", "-l", type=cc.positive_int, help="random sample of N prompts (--seed)")
    b.add_argument("--max-tokens", "-m", type=cc.positive_int, default=256, help="per generation (default 256)")
    b.add_argument("--iterations", "-n", type=cc.positive_int, default=1,
                   help="requests per prompt and mode, averaged (default 1)")
    b.add_argument("--lora-adapter", "-a", dest="lora_adapter_spec", default="best", metavar="ADAPTER",
                   help="adapter path or alias (best/final/latest) in --checkpoints-dir (default best)")
    b.add_argument("--skip-lora", action="store_true", help="target only and base draft only")
    b.add_argument("--output", "-o", help="JSON output file (default: stdout)")
    b.add_argument("--overwrite", action="store_true")
    b.add_argument("--checkpoints-dir", default="data/checkpoints")
    b.add_argument("--boot", choices=("parallel", "sequential"),
                   help="one mode's server at a time (default), or all at once with the prompts interleaved "
                        "across the modes (parallel servers share the CPU and disturb each other's timings)")
    b.add_argument("--allow-train-overlap", action="store_true",
                   help="keep benchmark prompts found in the adapter's training data (default: they are dropped; "
                        "either way a warning and metadata.training_prompt_overlap count them)")
    add_warmup_flag(b)
    b.add_argument("--only-mode", choices=("target_only", "spec_base", "spec_lora"), help=argparse.SUPPRESS)
    for attr in ENV_URLS:
        b.add_argument("--" + attr.replace("_", "-"), help="a running server for this mode")
        b.add_argument("--" + attr.replace("url", "model").replace("_", "-"), help=argparse.SUPPRESS)
    _servers(b, 1)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "benchmark-suite":
        if args.only_mode == "spec_lora" and args.skip_lora:
            parser.error("--only-mode spec_lora contradicts --skip-lora")
    run = {"collect-data": cmd_collect, "train": cmd_train, "benchmark-suite": cmd_benchmark}[args.command]
    try:
        return run(args, argv)
    except (cc.UsageError, ServerError, ParseError) as err:
        sys.stderr.write(f"{parser.prog} {args.command}: error: {err}\n")
        return cc.EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"{parser.prog}: interrupted\n")
        return 130
    except ModuleNotFoundError as err:  # torch, peft, transformers: the train extra
        from speclens.base.extras import exit_code_for_missing

        return exit_code_for_missing(f"{parser.prog} {args.command}", err)


if __name__ == "__main__":
    raise SystemExit(main())
