"""The result JSON and console summary of clients.gsm8k_draft_verify.

JSON: `client`, `config` (draft_model, target_model, num_samples, max_tokens, temperature, then
the other options), `summary` (see clients/draft_verify_metrics.summarize), `results` (one object
per question), and, with --baseline, `baseline` {summary, results} and `speedup`.
"""

from __future__ import annotations

import argparse

from speclens.clients import draft_verify_metrics as dm
from speclens.clients.cli_common import fmt, pct, stdout_console
from speclens.clients.stats import rounded

CLIENT = "gsm8k_draft_verify"


def build_result(args: argparse.Namespace, draft_model: str, target_model: str, items: list[dm.ItemResult],
                 baseline: list[dm.ItemResult] | None) -> dict:
    config = {"draft_model": draft_model, "target_model": target_model, "num_samples": len(items),
              "max_tokens": args.max_tokens, "temperature": args.temperature, "strategy": args.strategy,
              "num_draft_tokens": args.num_draft_tokens, "top_n": args.top_n, "dataset": args.dataset,
              "prompt_format": args.prompt_format, "seed": args.seed,
              "draft_url": args.draft_url, "target_url": args.target_url}
    result = {"client": CLIENT, "config": config, "summary": dm.summarize(items),
              "results": [i.to_json() for i in items]}
    if baseline is not None:
        result["baseline"] = {"summary": {"avg_speed": rounded(dm.avg_speed(baseline), 3),
                                          "pooled_speed": rounded(dm.pooled_speed(baseline), 3),
                                          "total_tokens": sum(i.tokens for i in baseline),
                                          "total_time": round(sum(i.time for i in baseline), 4),
                                          "accuracy": rounded(dm.accuracy(baseline))},
                              "results": [i.to_json() for i in baseline]}
        result["speedup"] = rounded(dm.speedup(items, baseline))
    return result


def print_summary(result: dict, path: str) -> None:
    s, c = result["summary"], result["config"]
    out = stdout_console()
    out.print(f"GSM8K draft/verify: {c['draft_model']} drafts {c['num_draft_tokens']}, {c['target_model']} verifies "
              f"({c['strategy']}, T={c['temperature']}, {c['num_samples']} questions)")
    out.print("Overall performance:")
    out.print(f"  Average acceptance rate (per question): {pct(s['avg_acceptance_rate'])}")
    out.print(f"  Total tokens generated: {s['total_tokens']}")
    out.print(f"  Total draft generated: {s['total_draft_generated']}")
    out.print(f"  Total draft accepted: {s['total_draft_accepted']}")
    out.print(f"  Draft efficiency (pooled acceptance): {pct(s['draft_efficiency'])}")
    out.print(f"  Average speed: {fmt(s['avg_speed'], '.1f')} tokens/s (pooled {fmt(s['pooled_speed'], '.1f')})")
    out.print(f"  Speculation rounds: {s['speculation_rounds']} ({fmt(s['tokens_per_round'])} tokens/round)")
    out.print(f"  Accuracy: {pct(s['accuracy'])}")
    out.print("Acceptance rate distribution:")
    total = c["num_samples"]
    for bucket in s["acceptance_distribution"].values():
        if bucket["count"]:
            out.print(f"  {bucket['label']}: {bucket['count']} questions ({pct(bucket['count'] / total)})")
    if "baseline" in result:
        b = result["baseline"]["summary"]
        out.print(f"Baseline (target alone): {fmt(b['pooled_speed'], '.1f')} tokens/s pooled; "
                  f"speedup {fmt(result['speedup'])}x")
    out.print(f"Results: {path}")
