"""Speculative thinking speedup: the large model alone vs the small model reasoning with the large
model taking over at trigger points (clients/spec_thinking_core.py), on AIME-style problems.

    launchers/qwen3.sh --two-servers --target Qwen/Qwen3-32B --draft Qwen/Qwen3-1.7B -- \\
        .venv/bin/python -m speclens.clients.spec_thinking --dataset aime --num-problems 5 --num-runs 5
    launchers/qwen3.sh --two-servers -- .venv/bin/python -m speclens.clients.spec_thinking --max-tokens 128  # tiny pair
"""

from __future__ import annotations

import argparse
import os
import time

from speclens.clients import cli_common as cc
from speclens.clients import spec_thinking_core as core
from speclens.clients.answers import answers_match, extract_answer
from speclens.clients.http import OpenAIServer, api_key_from
from speclens.clients.problems import AIME_DEFAULT, aime, generated
from speclens.clients.stats import describe, ratio, rounded

CLIENT = "spec_thinking"
AIME_TEMPLATE = "{question}\nReturn your final response within \\boxed{{}}."


def statistics(runs: list[core.RunResult]) -> dict:
    """Per mode, over all (problem, run) pairs, each weighing 1: mean/median/std/min/max of
    latency (s), throughput (total_tokens / latency), total_tokens, large_model_ratio
    (large_tokens / total_tokens)."""
    return {"latency": describe([r.latency for r in runs]), "throughput": describe([r.throughput for r in runs]),
            "total_tokens": describe([r.total_tokens for r in runs]),
            "large_model_ratio": describe([r.large_ratio for r in runs])}


def comparison(large: dict | None, spec: dict | None) -> dict:
    """speedup = mean latency (large alone) / mean latency (speculative thinking);
    throughput_improvement = mean throughput (spec) / mean throughput (large);
    large_model_reduction = 1 − mean large_model_ratio (spec) / mean large_model_ratio (large, = 1).
    Each None unless both modes ran."""
    if not large or not spec:
        return {"speedup": None, "throughput_improvement": None, "large_model_reduction": None}
    mean = lambda stats, key: stats[key]["mean"]  # noqa: E731
    reduction = ratio(mean(spec, "large_model_ratio"), mean(large, "large_model_ratio"))
    return {"speedup": rounded(ratio(mean(large, "latency"), mean(spec, "latency"))),
            "throughput_improvement": rounded(ratio(mean(spec, "throughput"), mean(large, "throughput"))),
            "large_model_reduction": None if reduction is None else rounded(1 - reduction)}


async def _row(run: core.RunResult, problem, server: OpenAIServer, model: str) -> dict:  # noqa: ANN001
    text = await server.detokenize(model, run.text_ids) if run.text_ids else ""
    predicted = extract_answer(text.replace("\\boxed{", "#### ").replace("}", " "))
    return {"problem_idx": run.problem_idx, "run": run.run, "latency": round(run.latency, 4),
            "total_tokens": run.total_tokens, "large_tokens": run.large_tokens, "takeovers": run.takeovers,
            "large_model_ratio": rounded(run.large_ratio), "throughput": rounded(run.throughput, 3),
            "predicted_answer": predicted, "correct": answers_match(predicted, problem.answer), "text": text}


async def work(args: argparse.Namespace) -> int:
    path = cc.output_path(args.output, "speedup_benchmark")
    cc.check_output(path, args.overwrite)
    if args.dataset == "aime":
        problems, template = aime(args.aime_dataset, args.num_problems), AIME_TEMPLATE
    else:
        problems, template = generated(args.seed, args.num_problems), "{question}"
    sampling = core.Sampling(args.temperature, args.top_p, args.top_k, args.max_tokens)
    triggers = core.parse_triggers(args.triggers)
    if len(triggers) > args.max_stop_strings:
        raise cc.UsageError(f"{len(triggers)} triggers given, but vLLM accepts at most "
                            f"{args.max_stop_strings} stop strings "
                            "per request; pass fewer --triggers (or start the server with a larger "
                            "VLLM_MAX_STOP_STRINGS and pass --max-stop-strings)")
    modes = ["large", "spec"] if args.test_mode == "both" else [args.test_mode]
    key = api_key_from(args.api_key)
    rows: dict[str, list[dict]] = {m: [] for m in modes}
    runs: dict[str, list[core.RunResult]] = {m: [] for m in modes}
    async with OpenAIServer(args.small_url, key, args.timeout) as small, \
            OpenAIServer(args.large_url, key, args.timeout) as large:
        models = (await small.resolve_model(args.small_model), await large.resolve_model(args.large_model))
        prompts = [await large.tokenize_chat(models[1], template.format(question=p.question)) for p in problems]
        with cc.make_progress() as progress:
            for mode in modes:
                task = progress.add_task(mode, total=len(problems) * args.num_runs, status="")
                for idx, (problem, prompt) in enumerate(zip(problems, prompts)):
                    for run in range(args.num_runs):
                        seed = args.seed + 1000 * idx + run
                        if mode == "large":
                            result = await core.large_alone(large, models[1], prompt, sampling, seed, idx, run)
                        else:
                            result = await core.speculative(small, large, models, prompt, sampling, triggers,
                                                            args.takeover_tokens, seed, idx, run)
                        runs[mode].append(result)
                        rows[mode].append(await _row(result, problem, large, models[1]))
                        progress.update(task, advance=1)
    stats = {m: statistics(runs[m]) for m in modes}
    config = {"num_problems": len(problems), "num_runs": args.num_runs, "test_mode": args.test_mode,
              "target_model": models[1], "speculative_model": models[0], "dataset": args.dataset,
              "temperature": args.temperature, "top_p": args.top_p, "top_k": args.top_k, "max_tokens": args.max_tokens,
              "triggers": triggers, "takeover_tokens": args.takeover_tokens, "seed": args.seed,
              "small_url": args.small_url, "large_url": args.large_url}
    section = lambda m: {"results": rows[m], "statistics": stats[m]} if m in modes else None  # noqa: E731
    result = {"client": CLIENT, "timestamp": time.strftime("%Y%m%d_%H%M%S"), "config": config,
              "large_model": section("large"), "speculative_thinking": section("spec"),
              "comparison": comparison(stats.get("large"), stats.get("spec"))}
    cc.write_result(path, result, args.overwrite)
    print_summary(result, path)
    return 0


def print_summary(result: dict, path: str) -> None:
    out = cc.stdout_console()
    large, spec = result["large_model"], result["speculative_thinking"]
    out.print(f"{'Metric':<24}{'Large Model':>16}{'Spec Thinking':>16}")
    for key, unit in (("latency", "s"), ("throughput", " t/s"), ("total_tokens", ""), ("large_model_ratio", "")):
        for stat in ("mean", "median", "std", "min", "max"):
            cells = [cc.fmt(sec["statistics"][key][stat] if sec else None, ".3f", unit) for sec in (large, spec)]
            out.print(f"{key + ' ' + stat:<24}{cells[0]:>16}{cells[1]:>16}")
    c = result["comparison"]
    out.print(f"OVERALL SPEEDUP: {cc.fmt(c['speedup'])}x  "
              f"THROUGHPUT IMPROVEMENT: {cc.fmt(c['throughput_improvement'])}x  "
              f"LARGE MODEL TOKEN REDUCTION: {cc.pct(c['large_model_reduction'])}")
    out.print(f"Results: {path}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.spec_thinking", description=__doc__.split("\n\n")[0])
    p.add_argument("--small-url", default=os.environ.get("SPECLENS_SMALL_URL"), help="default $SPECLENS_SMALL_URL")
    p.add_argument("--large-url", default=os.environ.get("SPECLENS_LARGE_URL"), help="default $SPECLENS_LARGE_URL")
    p.add_argument("--small-model")
    p.add_argument("--large-model")
    p.add_argument("--test-mode", "--mode", choices=["large", "spec", "both"], default="both")
    p.add_argument("--num-problems", "--num-samples", "--limit", type=cc.positive_int, default=5)
    p.add_argument("--num-runs", type=cc.positive_int, default=5)
    p.add_argument("--temperature", type=float, default=0.6)
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--top-k", type=int, default=20)
    p.add_argument("--max-tokens", type=cc.positive_int, default=4096,
                   help="per answer (default 4096; the original used 32768, which needs a long context)")
    p.add_argument("--triggers", default=core.DEFAULT_TRIGGERS,
                   help=f"comma-separated strings where the large model takes over (default {core.DEFAULT_TRIGGERS!r})")
    p.add_argument("--max-stop-strings", type=cc.positive_int, default=core.MAX_STOP_STRINGS,
                   help="the server's VLLM_MAX_STOP_STRINGS (default 4)")
    p.add_argument("--takeover-tokens", type=cc.positive_int, default=64,
                   help="large-model span per trigger (default 64)")
    p.add_argument("--dataset", choices=["generated", "aime"], default="generated")
    p.add_argument("--aime-dataset", default=AIME_DEFAULT, help=f"Hugging Face dataset (default {AIME_DEFAULT})")
    cc.add_common_flags(p, "speedup_benchmark")
    return p


def main(argv: list[str] | None = None) -> int:
    return cc.run_main(work, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
