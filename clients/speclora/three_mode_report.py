"""Per-prompt records, per-mode summaries, comparisons and the console table of the three-mode
suite. Formulas (None when undefined, never 0):

per prompt (over its `iterations` requests): tokens_per_second = Σ tokens / Σ TTLT (pooled);
time_to_last_token = mean TTLT; acceptance_rate = Σ accepted / Σ draft tokens (pooled; None
without drafts); total_tokens = Σ tokens.
per mode: avg_tokens_per_second, avg_time_to_last_token, avg_acceptance_rate = unweighted means
over prompts (per-item averages); pooled_acceptance_rate = Σ accepted / Σ draft tokens over all
prompts; min/max_tokens_per_second over prompts; total_tokens = Σ over prompts.
draft_tokens / accepted_tokens = Σ over prompts (exact counts); acceptance_source = where every
prompt's counts came from (per_request_metrics, metrics_delta, none, or mixed).
speedup_vs_target[mode] = avg_tokens_per_second(mode) / avg_tokens_per_second(target_only).
lora_vs_base: tokens_per_second_gain = avg tok/s (lora) / avg tok/s (base) − 1 (relative);
acceptance_difference = avg_acceptance_rate (lora) − avg_acceptance_rate (base), in rate units
(0.139 = 13.9 percentage points).
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
from speclens.clients.speclora.three_mode_measure import Measured
from speclens.parsers.client_results.three_mode import ThreeModeResult

LABELS = {"target_only": "Target Only", "spec_base": "Spec Dec (Base)", "spec_lora": "Spec Dec (LoRA)"}


def per_prompt(runs: list[Measured]) -> dict:
    drafted = None if any(r.drafted is None for r in runs) else sum(r.drafted for r in runs)  # type: ignore[misc]
    accepted = None if drafted is None else sum(r.accepted or 0 for r in runs)
    tokens = sum(r.tokens for r in runs)
    return {"tokens_per_second": rounded(ratio(tokens, sum(r.ttlt for r in runs)), 3),
            "time_to_last_token": rounded(mean([r.ttlt for r in runs])),
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


def comparison(summary: dict) -> dict:
    target = summary.get("target_only", {}).get("avg_tokens_per_second")
    speedup = {m: rounded(ratio(s["avg_tokens_per_second"], target)) for m, s in summary.items() if m != "target_only"}
    base, lora = summary.get("spec_base"), summary.get("spec_lora")
    gain = None
    if base and lora:
        tps = ratio(lora["avg_tokens_per_second"], base["avg_tokens_per_second"])
        acc = None if None in (lora["avg_acceptance_rate"], base["avg_acceptance_rate"]) else \
            lora["avg_acceptance_rate"] - base["avg_acceptance_rate"]
        gain = {"tokens_per_second_gain": rounded(None if tps is None else tps - 1),
                "acceptance_difference": rounded(acc)}
    return {"speedup_vs_target": speedup, "lora_vs_base": gain}


def build_result(metadata: dict, prompts: list[str], results: dict[str, list[dict]]) -> dict:
    summary = {m: mode_summary(m, rows) for m, rows in results.items()}
    rows = [{"prompt": p, "full_prompt": p, **{m: results[m][i] for m in results}} for i, p in enumerate(prompts)]
    return ThreeModeResult.written(metadata={"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"), **metadata},
                                   summary=summary, comparison=comparison(summary), per_prompt=rows)


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
    footer = [line for line in (speedup_line(comparison["speedup_vs_target"]), lora_line(comparison["lora_vs_base"]))
              if line]
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
