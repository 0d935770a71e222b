"""Per-prompt records, per-mode summaries, comparisons and the console table of the three-mode
suite. Formulas (None when undefined, never 0):

per prompt: one request's worth, every value a mean over the prompt's `iterations` requests (one
rule for every field, so total_tokens / time_to_last_token = tokens_per_second):
total_tokens, draft_tokens, accepted_tokens = mean per request (an integer when the iterations
agree, as greedy ones do; else rounded to 3 decimals); time_to_last_token = mean TTLT;
tokens_per_second = total_tokens / time_to_last_token (= Σ tokens / Σ TTLT); acceptance_rate =
accepted_tokens / draft_tokens (None without drafts).
per mode: avg_tokens_per_second, avg_time_to_last_token, avg_acceptance_rate = unweighted means
over prompts (per-item averages); pooled_acceptance_rate = Σ accepted / Σ draft tokens over all
prompts; min/max_tokens_per_second over prompts; total_tokens, draft_tokens, accepted_tokens = Σ
over prompts (the tokens of one request per prompt); acceptance_source = where every prompt's
counts came from (per_request_metrics, metrics_delta, none, or mixed).
speedup_vs_target[mode] = avg_tokens_per_second(mode) / avg_tokens_per_second(target_only).
lora_vs_base: tokens_per_second_gain = avg tok/s (lora) / avg tok/s (base) − 1 (relative);
acceptance_difference = avg_acceptance_rate (lora) − avg_acceptance_rate (base), in rate units
(0.139 = 13.9 percentage points).
Intervals (95%, paired: every mode ran the same prompts): a speedup and the tok/s gain are ratios
of mean per-prompt tok/s, so analyzers.speedup.item_interval.rate_ratio with each prompt's tok/s as
its "tokens" and 1 as its "seconds" (delta method on the log ratio over prompts, Student t, n − 1
df); the acceptance difference: mean of per-prompt differences ± t(0.975, n − 1) · s / √n. Null
with a note under 3 prompts or when a prompt has no value on a side. They cover prompt-to-prompt
variation in one run, not run-to-run drift.
Avg tok/s is a per-request speed (what one user sees, requests run one at a time), not system
throughput.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table
from speclens.analyzers.client_results.three_mode import lora_line, speedup_line
from speclens.base.formulas import acceptance_rate
from speclens.clients.common.cli import fmt, pct
from speclens.clients.common.stats import mean, ratio, rounded
from speclens.clients.speclora import three_mode_intervals as intervals
from speclens.clients.speclora.three_mode_measure import Measured
from speclens.parsers.client_results.three_mode import ThreeModeResult

LABELS = {"target_only": "Target Only", "spec_base": "Spec Dec (Base)", "spec_lora": "Spec Dec (LoRA)"}


def _per_request(values: list[int]) -> int | float:
    """The mean of one prompt's per-request counts: an integer when it is one, else 3 decimals."""
    total, n = sum(values), len(values)
    return total // n if total % n == 0 else round(total / n, 3)


def per_prompt(runs: list[Measured]) -> dict:
    drafted = None if any(r.drafted is None for r in runs) else _per_request([r.drafted for r in runs])  # type: ignore[misc]
    accepted = None if drafted is None else _per_request([r.accepted or 0 for r in runs])
    tokens, ttlt = _per_request([r.tokens for r in runs]), mean([r.ttlt for r in runs])
    return {"tokens_per_second": rounded(ratio(tokens, ttlt), 3), "time_to_last_token": rounded(ttlt),
            "acceptance_rate": rounded(acceptance_rate(accepted, drafted)), "total_tokens": tokens,
            "draft_tokens": drafted, "accepted_tokens": accepted, "acceptance_source": runs[0].source}


def mode_summary(name: str, rows: list[dict]) -> dict:
    speeds = [r["tokens_per_second"] for r in rows if r["tokens_per_second"] is not None]
    drafted = [r["draft_tokens"] for r in rows if r["draft_tokens"] is not None]
    accepted = [r["accepted_tokens"] for r in rows if r["accepted_tokens"] is not None]
    return {"mode": name, "avg_tokens_per_second": rounded(mean(speeds), 3),
            "avg_time_to_last_token": rounded(mean([r["time_to_last_token"] for r in rows])),
            "avg_acceptance_rate": rounded(mean([r["acceptance_rate"] for r in rows])),
            "pooled_acceptance_rate": rounded(acceptance_rate(sum(accepted), sum(drafted)) if drafted else None),
            "total_tokens": sum(r["total_tokens"] for r in rows), "num_prompts": len(rows),
            "min_tokens_per_second": min(speeds) if speeds else None,
            "max_tokens_per_second": max(speeds) if speeds else None,
            "draft_tokens": sum(drafted) if drafted else None, "accepted_tokens": sum(accepted) if drafted else None,
            "acceptance_source": _source({r["acceptance_source"] for r in rows})}


def _source(sources: set[str]) -> str:
    return sources.pop() if len(sources) == 1 else "mixed" if sources else "none"


def comparison(summary: dict, results: dict[str, list[dict]] | None = None) -> dict:
    target = summary.get("target_only", {}).get("avg_tokens_per_second")
    speedup = {m: rounded(ratio(s["avg_tokens_per_second"], target)) for m, s in summary.items() if m != "target_only"}
    rows = results or {}
    base, lora = summary.get("spec_base"), summary.get("spec_lora")
    gain = None
    if base and lora:
        tps = ratio(lora["avg_tokens_per_second"], base["avg_tokens_per_second"])
        acc = None if None in (lora["avg_acceptance_rate"], base["avg_acceptance_rate"]) else \
            lora["avg_acceptance_rate"] - base["avg_acceptance_rate"]
        gain = {"tokens_per_second_gain": rounded(None if tps is None else tps - 1),
                "acceptance_difference": rounded(acc),
                "tokens_per_second_gain_interval": intervals.speed_ratio(rows.get("spec_lora"), rows.get("spec_base"),
                                                                         shift=-1.0),
                "acceptance_difference_interval": intervals.acceptance_difference(rows.get("spec_lora"),
                                                                                  rows.get("spec_base"))}
    return {"speedup_vs_target": speedup,
            "speedup_vs_target_interval": {m: intervals.speed_ratio(rows.get(m), rows.get("target_only"))
                                           for m in speedup},
            "lora_vs_base": gain, "interval_method": intervals.METHOD}


def build_result(metadata: dict, prompts: list[str], results: dict[str, list[dict]]) -> dict:
    summary = {m: mode_summary(m, rows) for m, rows in results.items()}
    rows = [{"prompt": p, "full_prompt": p, **{m: results[m][i] for m in results}} for i, p in enumerate(prompts)]
    return ThreeModeResult.written(metadata={"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"), **metadata},
                                   summary=summary, comparison=comparison(summary, results), per_prompt=rows)


def summary_lines(result: dict) -> tuple[list[list[str]], list[str]]:
    """The table's rows (Mode, Avg Tok/s, Avg TTLT, Avg Acceptance, Accepted / drafted) and its footer."""
    rows = []
    for mode, s in result["summary"].items():
        drafted, accepted = s.get("draft_tokens"), s.get("accepted_tokens")
        counts = "-" if drafted is None else f"{accepted} / {drafted} ({pct(acceptance_rate(accepted, drafted))})"
        acceptance = "-" if mode == "target_only" else pct(s["avg_acceptance_rate"])
        rows.append([LABELS[mode], fmt(s["avg_tokens_per_second"], ".1f"), fmt(s["avg_time_to_last_token"], ".2f", "s"),
                     acceptance, counts])
    comparison = result["comparison"]
    footer = [line for line in (speedup_line(comparison["speedup_vs_target"]), lora_line(comparison["lora_vs_base"]),
                                intervals.console_line(comparison)) if line]
    return rows, footer


HEADERS = ["Mode", "Avg Tok/s", "Avg TTLT", "Avg Acceptance", "Accepted / drafted (pooled)"]
NOTE = ("Avg Tok/s: mean over prompts of tokens / TTLT (per-request speed, one request at a time); "
        "Avg Acceptance: mean over prompts of accepted / drafted; pooled: Σ accepted / Σ drafted.")


def print_summary(result: dict, out: Console) -> None:
    """The "SpecLoRA Benchmark Summary" table on `out`: rich when it is a terminal, plain text otherwise."""
    rows, footer = summary_lines(result)
    sources = {m: s.get("acceptance_source") for m, s in result["summary"].items() if m != "target_only"}
    source_line = "Acceptance from: " + ", ".join(f"{LABELS[m]} {v}" for m, v in sources.items())
    if out.is_terminal:
        table = Table(title="SpecLoRA Benchmark Summary", caption="\n".join(footer) or None)
        for column in HEADERS:
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
        out.print(table)
    else:
        widths = [max(len(r[i]) for r in [HEADERS, *rows]) for i in range(len(HEADERS))]
        out.print("SpecLoRA Benchmark Summary")
        for row in [HEADERS, *rows]:
            out.print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        for line in footer:
            out.print(line)
    out.print(source_line)
    out.print(NOTE)
