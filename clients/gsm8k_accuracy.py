"""GSM8K accuracy and throughput for any OpenAI-compatible server (/v1/chat/completions).

Answers are extracted with clients/answers.py (`#### N`, else the last number; "1,234", "$1234"
and "1234.0" are equal). Questions run one at a time so that per-question time is the latency of
one request. The progress bar shows the live accuracy.

    launchers/baseline.sh -- .venv/bin/python -m speclens.clients.gsm8k_accuracy --num-samples 20
    .venv/bin/python -m speclens.clients.gsm8k_accuracy --url http://gpu-box:8000 --dataset gsm8k --num-samples 200
"""

from __future__ import annotations

import argparse
import os
import time

from speclens.clients import cli_common as cc
from speclens.clients.answers import answers_match, extract_answer
from speclens.clients.http import OpenAIServer, api_key_from
from speclens.clients.problems import Problem, generated, gsm8k
from speclens.clients.stats import mean, ratio, rounded

CLIENT = "gsm8k_accuracy"


async def ask(server: OpenAIServer, model: str, problem: Problem, args: argparse.Namespace, idx: int) -> dict:
    """One question → one `results` row."""
    body = {"model": model, "messages": [{"role": "user", "content": problem.question}],
            "max_tokens": args.max_tokens, "temperature": args.temperature}
    if args.temperature > 0:
        body["seed"] = args.seed + idx
    started = time.perf_counter()
    reply = await server.chat(body)
    elapsed = time.perf_counter() - started
    text = reply["choices"][0]["message"].get("content") or ""
    tokens = (reply.get("usage") or {}).get("completion_tokens")
    predicted = extract_answer(text)
    return {"idx": idx, "question": problem.question, "ground_truth": problem.reference,
            "ground_truth_answer": problem.answer, "generated_text": text, "predicted_answer": predicted,
            "correct": answers_match(predicted, problem.answer), "generation_time": round(elapsed, 4),
            "completion_tokens": tokens, "tokens_per_second": rounded(ratio(tokens, elapsed), 3)}


def metrics(rows: list[dict]) -> dict:
    """accuracy = correct / total (each question weighs 1; None when total is 0);
    avg_tokens_per_second = per-item average of completion_tokens / generation_time;
    pooled_tokens_per_second = Σ completion_tokens / Σ generation_time;
    avg_generation_time = per-item average seconds per question."""
    correct = sum(r["correct"] for r in rows)
    tokens = [r["completion_tokens"] for r in rows]
    pooled = ratio(sum(tokens), sum(r["generation_time"] for r in rows)) if None not in tokens else None
    acc = ratio(correct, len(rows))
    return {"accuracy": rounded(acc), "correct": correct, "total": len(rows),
            "percentage": cc.pct(acc),
            "avg_tokens_per_second": rounded(mean([r["tokens_per_second"] for r in rows]), 3),
            "pooled_tokens_per_second": rounded(pooled, 3),
            "avg_generation_time": rounded(mean([r["generation_time"] for r in rows])),
            "total_generation_time": round(sum(r["generation_time"] for r in rows), 4)}


async def work(args: argparse.Namespace) -> int:
    path = cc.output_path(args.output, "gsm8k_results")
    cc.check_output(path, args.overwrite)
    problems = gsm8k(args.num_samples, args.seed) if args.dataset == "gsm8k" else generated(args.seed, args.num_samples)
    rows: list[dict] = []
    async with OpenAIServer(args.url, api_key_from(args.api_key), args.timeout) as server:
        model = await server.resolve_model(args.model)
        with cc.make_progress() as progress:
            task = progress.add_task("GSM8K eval", total=len(problems), status="")
            for idx, problem in enumerate(problems):
                rows.append(await ask(server, model, problem, args, idx))
                correct = sum(r["correct"] for r in rows)
                progress.update(task, advance=1, status=f"Acc: {cc.pct(correct / len(rows))}")
    config = {"model_name": model, "url": args.url, "dataset": args.dataset, "num_samples": len(problems),
              "max_gen_length": args.max_tokens, "temperature": args.temperature, "seed": args.seed}
    result = {"client": CLIENT, "config": config, "metrics": metrics(rows), "results": rows}
    cc.write_result(path, result, args.overwrite)
    m = result["metrics"]
    out = cc.stdout_console()
    out.print(f"Accuracy: {m['percentage']} ({m['correct']}/{m['total']})  model {model}")
    out.print(f"Average generation time: {cc.fmt(m['avg_generation_time'])}s per question; "
              f"average throughput {cc.fmt(m['avg_tokens_per_second'], '.1f')} tokens/s "
              f"(pooled {cc.fmt(m['pooled_tokens_per_second'], '.1f')}); total {m['total_generation_time']:.1f}s")
    out.print(f"Results: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.gsm8k_accuracy", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default=os.environ.get("SPECLENS_URL") or os.environ.get("SPECLENS_TARGET_URL"),
                   help="server base URL (default $SPECLENS_URL, else $SPECLENS_TARGET_URL)")
    p.add_argument("--model", help="model name (default: first of GET /v1/models)")
    p.add_argument("--num-samples", "--limit", type=cc.positive_int, default=None,
                   help="questions (default: all of gsm8k, 20 generated)")
    p.add_argument("--dataset", choices=["generated", "gsm8k"], default="generated",
                   help="generated (default, CPU): the tiny pair's problems; gsm8k: openai/gsm8k test split")
    p.add_argument("--max-tokens", type=cc.positive_int, default=512)
    p.add_argument("--temperature", type=float, default=0.0)
    cc.add_common_flags(p, "gsm8k_results")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.dataset == "generated" and args.num_samples is None:
        args.num_samples = 20
    return cc.run_main(lambda _: work(args), parser, argv)


if __name__ == "__main__":
    raise SystemExit(main())
