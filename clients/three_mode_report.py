"""Per-prompt records, per-mode summaries, comparisons and the console table of the three-mode
suite. Formulas (None when undefined, never 0):

per prompt (over its `iterations` requests): tokens_per_second = Σ tokens / Σ TTLT (pooled);
time_to_last_token = mean TTLT; acceptance_rate = Σ accepted / Σ draft tokens (pooled; None
without drafts); total_tokens = Σ tokens.
per mode: avg_tokens_per_second, avg_time_to_last_token, avg_acceptance_rate = unweighted means
over prompts (per-item averages); pooled_acceptance_rate = Σ accepted / Σ draft tokens over all
prompts; min/max_tokens_per_second over prompts; total_tokens = Σ over prompts.
speedup_vs_target[mode] = avg_tokens_per_second(mode) / avg_tokens_per_second(target_only).
lora_vs_base: tokens_per_second_gain = avg tok/s (lora) / avg tok/s (base) − 1;
acceptance_gain = avg_acceptance_rate (lora) − avg_acceptance_rate (base), in rate units.
"""

from __future__ import annotations

import time

from rich.table import Table
from speclens.clients.cli_common import fmt, pct, stdout_console
from speclens.clients.stats import mean, ratio, rounded
from speclens.clients.three_mode_core import Measured

CLIENT = "three_mode"
LABELS = {"target_only": "Target Only", "spec_base": "Spec Dec (Base)", "spec_lora": "Spec Dec (LoRA)"}


def per_prompt(runs: list[Measured]) -> dict:
    drafted = None if any(r.drafted is None for r in runs) else sum(r.drafted for r in runs)  # type: ignore[misc]
    accepted = None if drafted is None else sum(r.accepted or 0 for r in runs)
    tokens = sum(r.tokens for r in runs)
    return {"tokens_per_second": rounded(ratio(tokens, sum(r.ttlt for r in runs)), 3),
            "time_to_last_token": rounded(mean([r.ttlt for r in runs])),
            "acceptance_rate": rounded(ratio(accepted, drafted)), "total_tokens": tokens,
            "draft_tokens": drafted, "accepted_tokens": accepted, "acceptance_source": runs[0].source}


def mode_summary(name: str, rows: list[dict]) -> dict:
    speeds = [r["tokens_per_second"] for r in rows if r["tokens_per_second"] is not None]
    drafted = [r["draft_tokens"] for r in rows if r["draft_tokens"] is not None]
    accepted = [r["accepted_tokens"] for r in rows if r["accepted_tokens"] is not None]
    return {"mode": name, "avg_tokens_per_second": rounded(mean(speeds), 3),
            "avg_time_to_last_token": rounded(mean([r["time_to_last_token"] for r in rows])),
            "avg_acceptance_rate": rounded(mean([r["acceptance_rate"] for r in rows])),
            "pooled_acceptance_rate": rounded(ratio(sum(accepted), sum(drafted)) if drafted else None),
            "total_tokens": sum(r["total_tokens"] for r in rows), "num_prompts": len(rows),
            "min_tokens_per_second": min(speeds) if speeds else None,
            "max_tokens_per_second": max(speeds) if speeds else None}


def comparison(summary: dict) -> dict:
    target = summary.get("target_only", {}).get("avg_tokens_per_second")
    speedup = {m: rounded(ratio(s["avg_tokens_per_second"], target)) for m, s in summary.items() if m != "target_only"}
    base, lora = summary.get("spec_base"), summary.get("spec_lora")
    gain = None
    if base and lora:
        tps = ratio(lora["avg_tokens_per_second"], base["avg_tokens_per_second"])
        acc = None if None in (lora["avg_acceptance_rate"], base["avg_acceptance_rate"]) else \
            lora["avg_acceptance_rate"] - base["avg_acceptance_rate"]
        gain = {"tokens_per_second_gain": rounded(None if tps is None else tps - 1), "acceptance_gain": rounded(acc)}
    return {"speedup_vs_target": speedup, "lora_vs_base": gain}


def build_result(metadata: dict, prompts: list[str], results: dict[str, list[dict]]) -> dict:
    summary = {m: mode_summary(m, rows) for m, rows in results.items()}
    rows = [{"prompt": p, "full_prompt": p, **{m: results[m][i] for m in results}} for i, p in enumerate(prompts)]
    return {"client": CLIENT, "metadata": {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"), **metadata},
            "summary": summary, "comparison": comparison(summary), "per_prompt": rows}


def print_summary(result: dict, path: str) -> None:
    table = Table(title="Three-mode benchmark summary")
    for column in ("Mode", "Avg Tok/s", "Min/Max Tok/s", "Avg TTLT", "Avg Acceptance", "Speedup"):
        table.add_column(column)
    speedup = result["comparison"]["speedup_vs_target"]
    for mode, s in result["summary"].items():
        table.add_row(LABELS[mode], fmt(s["avg_tokens_per_second"], ".1f"),
                      f"{fmt(s['min_tokens_per_second'], '.1f')}/{fmt(s['max_tokens_per_second'], '.1f')}",
                      fmt(s["avg_time_to_last_token"], ".2f", "s"), pct(s["avg_acceptance_rate"]),
                      "1.00x" if mode == "target_only" else fmt(speedup.get(mode), ".2f", "x"))
    out = stdout_console()
    out.print(table)
    gain = result["comparison"]["lora_vs_base"]
    if gain:
        out.print(f"LoRA improvement over base: {pct(gain['tokens_per_second_gain'])} tok/s, "
                  f"{pct(gain['acceptance_gain'])} acceptance (points)")
    out.print(f"Results: {path}")
