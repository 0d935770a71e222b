"""Speculative thinking speedup: the large model alone vs the small model reasoning with the large model
stepping in at cues (clients/spec_thinking/loop.py), on AIME25, with the original benchmark's summary and JSON.

    launchers/qwen3.sh --config clients/spec_thinking/configs/qwen3_1.7b_32b.yml -- \\
        .venv/bin/python -m speclens.clients.spec_thinking --num-problems 5 --num-runs 5
    launchers/qwen3.sh --config clients/spec_thinking/configs/tiny_pair.yml -- \\
        .venv/bin/python -m speclens.clients.spec_thinking \\
        --aime-config clients/spec_thinking/configs/tiny_arithmetic_task.yaml   # tiny pair, CPU
"""

from __future__ import annotations

import argparse
import os
import time

from speclens.clients.common import cli as cc
from speclens.clients.spec_thinking.intervals import comparison_intervals
from speclens.clients.spec_thinking import loop as core
from speclens.clients.spec_thinking import report
from speclens.clients.spec_thinking import tasks
from speclens.clients.common.http import OpenAIServer, api_key_from
from speclens.clients.common.warmup import add_warmup_flag, warm_up
from speclens.clients.spec_thinking.config import DEFAULT_CONFIG, SpecThinkingConfig, load_config
from speclens.parsers.client_results.spec_thinking import SpecThinkingResult

SEED_SAMPLING = {"temperature": 0.6, "top_p": 0.95, "top_k": 20, "max_tokens": 32768}
SECTIONS = {"large": "large_model", "spec": "speculative_thinking"}


def sampling_of(args: argparse.Namespace, config: SpecThinkingConfig) -> core.Sampling:
    """Each of temperature/top_p/top_k/max_tokens: the flag, else the config's `sampling`, else the original
    benchmark's."""
    chosen = {k: next(v for v in (getattr(args, k), getattr(config.sampling, k), d) if v is not None)
              for k, d in SEED_SAMPLING.items()}
    return core.Sampling(**chosen)


def _check(args: argparse.Namespace, config: SpecThinkingConfig, modes: list[str]) -> None:
    if "spec" in modes and not (args.small_model or config.speculative_model_name):
        raise cc.UsageError(f"{args.config}: speculative_model_name is null (large model alone); "
                            "use --test-mode large or name a small model")
    if "spec" in modes and len(config.TRIGGER_TOKENS) > args.max_stop_strings:
        raise cc.UsageError(f"{args.config}: {len(config.TRIGGER_TOKENS)} TRIGGER_TOKENS, but vLLM accepts at most "
                            f"{args.max_stop_strings} stop strings per request (VLLM_MAX_STOP_STRINGS); start the small "
                            "server with VLLM_MAX_STOP_STRINGS set higher (launchers/qwen3.sh --config does) and pass "
                            "--max-stop-strings, or list fewer triggers")


async def _pair(args, config, sampling, modes, small: OpenAIServer | None, large: OpenAIServer) -> core.Pair:
    pair = core.Pair(small, large, args.small_model or config.speculative_model_name,
                     args.large_model or config.target_model_name, sampling)
    listed = await large.model_names()
    if pair.large_model not in listed:
        raise cc.UsageError(f"{args.large_url}: serves {listed}, not {pair.large_model!r} (target_model_name in "
                            f"{args.config}); pass --large-model or start the server with that name")
    if "spec" in modes:
        listed = await small.model_names()
        if pair.small_model not in listed:
            raise cc.UsageError(f"{args.small_url}: serves {listed}, not {pair.small_model!r} (speculative_model_name "
                                f"in {args.config}); pass --small-model or start the server with that name")
        pair.recap_ids = await large.tokenize_plain(pair.large_model, config.help_recap_words)
        if config.help_think_word:
            pair.think_ids = await large.tokenize_plain(pair.large_model, config.help_think_word)
    return pair


async def work(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    task = tasks.load_task(args.aime_config)
    modes = ["large", "spec"] if args.test_mode == "both" else [args.test_mode]
    _check(args, config, modes)
    started = time.strftime("%Y%m%d_%H%M%S")  # one stamp: the default file name and the JSON's timestamp
    path = args.output or os.path.join("benchmark_results", f"speedup_benchmark_{started}.json")
    if args.output is not None:
        cc.check_output(path, args.overwrite)
    problems = tasks.load_problems(task, args.num_problems)
    sampling = sampling_of(args, config)
    key = api_key_from(args.api_key)
    sections: dict[str, dict] = {}
    small_cm = OpenAIServer(args.small_url, key, args.timeout) if "spec" in modes else None
    async with OpenAIServer(args.large_url, key, args.timeout) as large:
        try:
            pair = await _pair(args, config, sampling, modes, small_cm, large)
            prompts = [await large.tokenize_chat(pair.large_model, tasks.prompt_text(task, p)) for p in problems]
            if "spec" in modes and await small_cm.tokenize_chat(pair.small_model, tasks.prompt_text(task, problems[0])) \
                    != prompts[0]:
                raise cc.UsageError(f"{pair.small_model} and {pair.large_model} tokenize the prompt differently; "
                                    "speculative thinking continues token ids, so both must share a tokenizer")
            warmed = {"large": await warm_up(large, pair.large_model, args.warmup)}  # before any timed request
            if "spec" in modes:
                warmed["small"] = await warm_up(small_cm, pair.small_model, args.warmup)
            with cc.make_progress() as progress:
                for mode in modes:
                    sections[mode] = await _mode(mode, pair, config, problems, prompts, args, progress)
        finally:
            if small_cm is not None:
                await small_cm.__aexit__(None, None, None)
    comparison = report.comparison(*(sections[m]["statistics"] if m in sections else None for m in ("large", "spec")))
    for mode, sec in sections.items():
        comparison[f"accuracy_{SECTIONS[mode]}"] = sec["accuracy"]["accuracy"]
    comparison.update(comparison_intervals(sections.get("large"), sections.get("spec")))
    result = SpecThinkingResult.written(timestamp=started,
                                        config=_config_block(args, config, task, pair, sampling, len(problems),
                                                             warmed),
                                        **{SECTIONS[m]: sections.get(m) for m in SECTIONS}, comparison=comparison)
    if args.output is None:
        os.makedirs("benchmark_results", exist_ok=True)  # only now: a failed run leaves no empty folder
    cc.write_result(path, result, args.overwrite)
    report.print_summary(result, path)
    return 0


async def _mode(mode, pair, config, problems, prompts, args, progress) -> dict:
    task_id = progress.add_task(mode, total=len(problems) * args.num_runs, status="")
    results, rows = {}, []
    for idx, (problem, prompt) in enumerate(zip(problems, prompts)):
        runs = []
        for run in range(args.num_runs):
            seed = args.seed + 1000 * idx + run
            trace = await (core.large_alone(pair, prompt, seed) if mode == "large"
                           else core.speculative(pair, config, prompt, seed))
            text = await _text(pair, trace)
            predicted, source = tasks.predicted_answer(text)
            runs.append(report.run_row(run, trace, text, predicted, source, tasks.is_correct(predicted, problem.answer)))
            progress.update(task_id, advance=1)
        results[str(idx)] = {"question": problem.question, "answer": problem.answer, "runs": runs}
        rows += runs
    section = {"results": results, "statistics": report.statistics(rows), "accuracy": report.accuracy(rows)}
    if mode == "spec":
        section["large_model_calls"] = report.calls_summary(rows)
    return section


async def _text(pair: core.Pair, trace: core.Trace) -> str:
    """The answer's text (/detokenize on the large server), without the end-of-sequence token that a
    run ending in "eos" has last (vLLM returns it in token_ids; /detokenize would print it)."""
    ids = trace.output_ids[:-1] if trace.finish == "eos" else trace.output_ids
    return await pair.large.detokenize(pair.large_model, ids) if ids else ""


def _config_block(args, config, task, pair, sampling, n: int, warmed: dict[str, int]) -> dict:
    return {"num_problems": n, "num_runs": args.num_runs, "target_model": pair.large_model,
            "speculative_model": pair.small_model, "test_mode": args.test_mode, **vars(sampling),
            "seed": args.seed, "config_path": str(args.config), "aime_config": str(args.aime_config),
            "dataset_path": task.dataset_path, "dataset_split": task.dataset_split, "template": task.template,
            "small_url": args.small_url, "large_url": args.large_url,
            "speculative_config": config.model_dump(mode="json"), "warmup_requests": warmed}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.spec_thinking", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="examples:\n" + __doc__.split("\n\n")[1] + "\n")
    p.add_argument("--config", default=os.environ.get("SPECLENS_SPEC_CONFIG") or str(DEFAULT_CONFIG),
                   help=f"speculative thinking config (default $SPECLENS_SPEC_CONFIG, set by launchers/qwen3.sh "
                        f"--config, else {DEFAULT_CONFIG})")
    p.add_argument("--aime-config", default=str(tasks.DEFAULT_TASK),
                   help=f"task YAML with dataset and prompt template (default {tasks.DEFAULT_TASK})")
    p.add_argument("--num-problems", type=cc.positive_int, default=5, help="first N problems (default 5)")
    p.add_argument("--num-runs", type=cc.positive_int, default=5, help="runs per problem (default 5)")
    p.add_argument("--test-mode", choices=["large", "spec", "both"], default=os.environ.get("SPECLENS_TEST_MODE") or "both",
                   help="default $SPECLENS_TEST_MODE (set by launchers/qwen3.sh --test-mode), else both")
    p.add_argument("--temperature", type=float, help="default: the config's sampling, else 0.6")
    p.add_argument("--top-p", type=float, help="default: the config's sampling, else 0.95")
    p.add_argument("--top-k", type=int, help="default: the config's sampling, else 20")
    p.add_argument("--max-tokens", type=cc.positive_int, help="per answer; default: the config's sampling, else 32768")
    p.add_argument("--small-url", default=os.environ.get("SPECLENS_SMALL_URL"), help="default $SPECLENS_SMALL_URL")
    p.add_argument("--large-url", default=os.environ.get("SPECLENS_LARGE_URL"), help="default $SPECLENS_LARGE_URL")
    p.add_argument("--small-model", help="served name of the small model (default: speculative_model_name)")
    p.add_argument("--large-model", help="served name of the large model (default: target_model_name)")
    p.add_argument("--max-stop-strings", type=cc.positive_int, default=int(os.environ.get("VLLM_MAX_STOP_STRINGS", "4")),
                   help="the small server's VLLM_MAX_STOP_STRINGS (default $VLLM_MAX_STOP_STRINGS, else vLLM's 4)")
    add_warmup_flag(p)
    cc.add_common_flags(p, "benchmark_results/speedup_benchmark", timeout=3600.0, timeout_help=(
        "seconds allowed per HTTP request (default 3600: a 32768-token answer of a 32B model)"))
    return p


def main(argv: list[str] | None = None) -> int:
    return cc.run_main(work, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
