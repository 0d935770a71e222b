"""GSM8K accuracy and throughput for any OpenAI-compatible server (/v1/chat/completions), with the
knobs of a block-diffusion LM (SDAR-style): block length, denoising steps, temperature, confidence
threshold, remasking strategy.

Answers are extracted with clients/common/answers.py (`#### N`, else the last number; "1,234", "$1234"
and "1234.0" are equal). Questions run one at a time so that per-question time is the latency of
one request. Block length and denoising steps go to the server as vLLM's diffusion request
parameters (clients/accuracy/diffusion_params.py); the confidence threshold and remasking strategy have no
per-request equivalent in vLLM and are recorded, not sent (said once at the start). The server's
vllm:diffusion_* counters are read before and after the run; whether block length and denoising steps
had an effect (the counters moved) is said in FINAL RESULTS and in the JSON's `diffusion_knobs`
(a server that is not a diffusion model accepts `vllm_xargs` and ignores it). The server is warmed
with `--warmup N` discarded requests before the "before" scrape and the first timed question.

    .venv/bin/python -m speclens.clients.gsm8k_accuracy --url http://gpu-box:8000 --num-samples 124
    launchers/baseline.sh -- .venv/bin/python -m speclens.clients.gsm8k_accuracy --dataset generated \\
        --num-samples 20 --temperature 0 --verbose false
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from speclens.clients.common import cli as cc
from speclens.clients.accuracy import diffusion_params as dp
from speclens.clients.accuracy import console as view
from speclens.clients.common.answers import answers_match, extract_answer
from speclens.clients.common.http import OpenAIServer, api_key_from
from speclens.clients.common.problems import GSM8K_TEST_SIZE, Problem, first_or_sample, generated, gsm8k, gsm8k_file
from speclens.clients.common.stats import mean, ratio, rounded
from speclens.clients.common.warmup import add_warmup_flag, warm_up
from speclens.parsers.client_results.accuracy import AccuracyResult

DEFAULT_OUTPUT = "gsm8k_results.json"


async def ask(server: OpenAIServer, model: str, problem: Problem, args: argparse.Namespace, idx: int) -> dict:
    """One question → one `results` row."""
    body = {"model": model, "messages": [{"role": "user", "content": problem.question}],
            "max_tokens": args.max_tokens, "temperature": args.temperature}
    if args.temperature > 0:
        body["seed"] = args.seed + idx
    if args.diffusion_params:
        body["vllm_xargs"] = dp.request_xargs(args.block_length, args.denoising_steps)
    started = time.perf_counter()
    reply = await server.chat(body)
    elapsed = time.perf_counter() - started
    text = reply["choices"][0]["message"].get("content") or ""
    usage = reply.get("usage") or {}
    tokens = usage.get("completion_tokens")
    predicted = extract_answer(text)
    row = {"idx": idx, "question": problem.question, "ground_truth": problem.reference,
           "ground_truth_answer": problem.answer, "generated_text": text, "predicted_answer": predicted,
           "correct": answers_match(predicted, problem.answer), "generation_time": round(elapsed, 4),
           "prompt_tokens": usage.get("prompt_tokens"), "completion_tokens": tokens,
           "tokens_per_second": rounded(ratio(tokens, elapsed), 3)}
    denoising = dp.per_request(reply)
    if denoising is not None:
        row["server_denoising"] = denoising
    return row


def metrics(rows: list[dict]) -> dict:
    """accuracy = correct / total (each question weighs 1; None when total is 0); percentage the
    same as "52.34%"; avg_tokens_per_second = per-question average of completion_tokens /
    generation_time; pooled_tokens_per_second = Σ completion_tokens / Σ generation_time;
    avg_generation_time = per-question average seconds."""
    correct = sum(r["correct"] for r in rows)
    tokens = [r["completion_tokens"] for r in rows]
    pooled = ratio(sum(tokens), sum(r["generation_time"] for r in rows)) if None not in tokens else None
    acc = ratio(correct, len(rows))
    return {"accuracy": rounded(acc), "correct": correct, "total": len(rows),
            "percentage": "n/a" if acc is None else f"{100 * acc:.2f}%",
            "avg_tokens_per_second": rounded(mean([r["tokens_per_second"] for r in rows]), 3),
            "pooled_tokens_per_second": rounded(pooled, 3),
            "avg_generation_time": rounded(mean([r["generation_time"] for r in rows])),
            "total_generation_time": round(sum(r["generation_time"] for r in rows), 4)}


def load_problems(args: argparse.Namespace) -> tuple[list[Problem], str]:
    """The questions and a description of where they came from."""
    if args.dataset == "generated":
        n = args.num_samples or 20
        return generated(args.seed, n), f"generated GSM8K-style problems (held-out split, seed {args.seed})"
    how = "first" if args.sample_seed is None else f"sample (seed {args.sample_seed}) of"
    if args.dataset == "gsm8k":
        problems = gsm8k(args.num_samples, args.sample_seed)
        return problems, f"openai/gsm8k test, {how} {len(problems)} of {GSM8K_TEST_SIZE:,}"
    rows = gsm8k_file(args.dataset)
    problems = first_or_sample(rows, args.num_samples, args.sample_seed)
    return problems, f"{args.dataset}, {how} {len(problems)} of {len(rows):,}"


def _config(args: argparse.Namespace, model: str, path: str, problems: list[Problem], warmed: int) -> dict:
    sent = dp.request_xargs(args.block_length, args.denoising_steps) if args.diffusion_params else {}
    return {"model_name": model, "block_length": args.block_length, "denoising_steps": args.denoising_steps,
            "temperature": args.temperature, "remasking_strategy": args.remasking_strategy,
            "confidence_threshold": args.confidence_threshold, "max_gen_length": args.max_tokens,
            "url": args.url, "dataset": args.dataset, "num_samples": len(problems), "sample_seed": args.sample_seed,
            "seed": args.seed, "output_file": path, "request_vllm_xargs": sent, "not_sent": dict(dp.UNSENT),
            "warmup_requests": warmed}


async def work(args: argparse.Namespace) -> int:
    path = args.output or DEFAULT_OUTPUT
    cc.check_output(path, args.overwrite)
    problems, source = load_problems(args)
    out = cc.stdout_console()
    rows: list[dict] = []
    async with OpenAIServer(args.url, api_key_from(args.api_key), args.timeout) as server:
        model = await server.resolve_model(args.model)
        warmed = await warm_up(server, model, args.warmup)  # before the "before" scrape: warm-ups move counters
        before, why = await dp.scrape(server)
        config = _config(args, model, path, problems, warmed)
        note = ("Server: exports vllm:diffusion_* counters (a diffusion model); they are read before and after the run"
                if before is not None else f"Server: no diffusion counters: {why}")
        for line in view.config_summary(config, source, config["request_vllm_xargs"], dp.UNSENT, note):
            out.print(line)
        progress = view.Progress(len(problems))
        try:
            for idx, problem in enumerate(problems):
                rows.append(await ask(server, model, problem, args, idx))
                if args.verbose:
                    progress.pause()
                    for line in view.example_log(idx, len(problems), rows[-1], before is not None):
                        out.print(line)
                progress.update(len(rows), sum(r["correct"] for r in rows))
        finally:
            progress.close()
        after, why_after = await dp.scrape(server) if before is not None else (None, why)
    server_diffusion = dp.server_counts(before, after)
    unavailable = None if server_diffusion is not None else why_after or why
    knobs = dp.knob_effect(args.block_length, args.denoising_steps, args.diffusion_params, server_diffusion, unavailable)
    result = AccuracyResult.written(config=config, metrics=metrics(rows), results=rows,
                                    server_diffusion=server_diffusion, server_diffusion_unavailable=unavailable,
                                    diffusion_knobs=knobs)
    cc.write_result(path, result, args.overwrite)
    for line in view.final_block(result["metrics"], server_diffusion, knobs):
        out.print(line)
    out.print(f"Results: {path}")
    return 0


def boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.gsm8k_accuracy", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default=os.environ.get("SPECLENS_URL") or os.environ.get("SPECLENS_TARGET_URL"),
                   help="server base URL (default $SPECLENS_URL, else $SPECLENS_TARGET_URL)")
    p.add_argument("--model-name", "--model", dest="model", help="model name (default: first of GET /v1/models)")
    p.add_argument("--num-samples", "--limit", type=cc.positive_int, default=None,
                   help="questions (default: the whole set, 1,319 for gsm8k; 20 for generated)")
    p.add_argument("--dataset", default="gsm8k",
                   help="gsm8k (default: openai/gsm8k test split from the hub), generated (the tiny pair's "
                        "problems, offline), or a local JSON Lines file of {question, answer} rows")
    p.add_argument("--sample-seed", type=int, default=None,
                   help="draw --num-samples questions at random with this seed (default: the first N)")
    p.add_argument("--max-tokens", "--max-gen-length", dest="max_tokens", type=cc.positive_int, default=512)
    p.add_argument("--temperature", type=float, default=1.0, help="sampling temperature (default 1.0; 0 = greedy)")
    p.add_argument("--block-length", type=cc.positive_int, default=4,
                   help="canvas (block) length, sent as vllm_xargs.diffusion_canvas_length (default 4)")
    p.add_argument("--denoising-steps", type=cc.positive_int, default=4,
                   help="denoising steps per block, sent as vllm_xargs.diffusion_max_steps, a cap (default 4)")
    p.add_argument("--confidence-threshold", type=float, default=0.85, help="recorded; vLLM takes none per request")
    p.add_argument("--remasking-strategy", choices=dp.REMASKING, default=dp.REMASKING[0],
                   help="recorded; vLLM takes none per request")
    p.add_argument("--no-diffusion-params", dest="diffusion_params", action="store_false",
                   help="send no vllm_xargs (for OpenAI-compatible servers that refuse unknown fields)")
    p.add_argument("--verbose", type=boolean, default=True, metavar="true|false",
                   help="per-example logs (default true)")
    add_warmup_flag(p)
    cc.add_common_flags(p, "gsm8k_results", output_help=(
        f"result JSON path (default {DEFAULT_OUTPUT}; an existing file is kept unless --overwrite)"))
    p.add_argument("--output-file", dest="output", help="the same as --output")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    return cc.run_main(work, parser, argv)


if __name__ == "__main__":
    sys.exit(main())
