"""Renderings of a `SpeedupReport`: text, Markdown, JSON, CSV (one row per level and metric).

Every rendering says which metric decided each level's verdict, how each interval was computed
(or why there is none), and "not comparable" with its reasons when the runs differ; such a level
shows no ratio and no per-metric verdict ("n/a (not comparable: temperature differs)") unless forced.
"""

from __future__ import annotations

import csv
import io

from speclens.analyzers.render.plain import text_and_markdown
from speclens.analyzers.render.tables import NA, Table, fmt
from speclens.analyzers.speedup.models import Comparison, LoadLevel, SpeedupReport
from speclens.analyzers.traps.timing import NOT_STREAMED

DECIDED = "decided by output_throughput (system output tokens / benchmark window)"


def _ci(c: Comparison) -> str:
    return NA if c.ci_low is None or c.ci_high is None else f"[{c.ci_low:.3f}, {c.ci_high:.3f}]"


def _x(value: float | None) -> str:
    return NA if value is None else f"{value:.3f}x"


def _interval(c: Comparison) -> str:
    if c.interval_method is None:
        return f"none: {c.interval_note}" if c.interval_note else "none"
    return f"{c.interval_method} ({c.interval_note})" if c.interval_note else c.interval_method


def refusal_lines(r: SpeedupReport) -> list[str]:
    """One line per reason the runs or a level are not comparable (empty when all are)."""
    lines = [f"NOT COMPARABLE: {reason}" for reason in r.comparability.reasons]
    lines += [f"NOT COMPARABLE ({lvl.label}): {reason}" for lvl in r.levels for reason in lvl.reasons]
    if lines:
        lines.append("--force given: verdicts are shown anyway, for runs that differ as listed" if r.comparability.forced
                     else "no verdict for these (pass --force to compare anyway)")
    return lines


def _level_row(level: LoadLevel) -> list[str]:
    c = level.comparisons[0]
    withheld = not level.comparable and c.speedup is None and c.verdict == "not comparable"  # not forced
    ratio = f"{NA} ({level.summary})" if withheld else _x(c.speedup)
    why = "; ".join(level.reasons) or ("no verdict: see the comparability table" if withheld else _interval(c))
    return [level.label, level.verdict, ratio, _ci(c), why]


def _crossover(r: SpeedupReport) -> str:
    if r.crossover:
        return f"crossover: {r.crossover}"
    if all(level.verdict == "not comparable" for level in r.levels):
        return "crossover: n/a (no level has a verdict)"
    return "crossover: none (no level changes from faster)"


def speedup_tables(r: SpeedupReport) -> list[Table]:
    runs = Table("Runs", ["role", "load results", "driver", "levels", "speculates", "evidence"], [
        [role, info.path, info.driver, ", ".join(info.levels), {True: "yes", False: "no", None: NA}[info.speculation],
         info.speculation_evidence] for role, info in (("baseline", r.baseline), ("spec", r.spec))])
    keys = Table("Comparability: settings both runs must share", ["key", "baseline", "spec", "source", "status"], [
        [k.key, k.baseline or NA, k.spec or NA,
         (k.source_baseline or NA) if k.source_baseline == k.source_spec
         else f"{k.source_baseline or NA} / {k.source_spec or NA}",
         k.status + (f" ({k.note})" if k.note else "")] for k in r.comparability.keys],
        refusal_lines(r) or ["comparable: every setting known for both runs is the same"])
    verdicts = Table(f"Verdict per load level, {DECIDED}", ["load", "verdict", "output_throughput speedup", "95% CI",
                                                             "interval / reason"],
                     [_level_row(level) for level in r.levels],
                     [_crossover(r)]
                     + [f"unpaired (not compared): {u}" for u in r.unpaired])
    rows = [[level.label, c.metric, c.weighting, c.unit, fmt(c.baseline), fmt(c.spec), _x(c.speedup), _ci(c),
             f"n/a ({NOT_STREAMED})" if c.interval_note == NOT_STREAMED else c.verdict, _interval(c), f"{c.n_baseline}/{c.n_spec}"] for level in r.levels for c in level.comparisons]
    notes = ["speedup > 1 means speculation is better: spec/baseline for output_throughput and request_output_tps, "
             "baseline/spec for the mean_* latencies",
             "output_throughput: system tokens/s over the benchmark window (what guidellm and vllm bench report); "
             "request_output_tps: mean of each request's own tokens/s (what one user sees); mean_*: request-weighted means",
             f"intervals: {r.confidence:.0%}; " + " | ".join(f"{name}: {text}" for name, text in r.methods.items())]
    tables = [runs, keys, verdicts, Table("Metrics per load level", [
        "load", "metric", "weighting", "unit", "baseline", "spec", "speedup", "95% CI", "metric verdict", "interval",
        "n base/spec"], rows, notes)]
    if r.notices:
        tables.append(Table("Notices", ["level", "code", "message"], [[n.level, n.code, n.message] for n in r.notices]))
    return tables


render_speedup_text, render_speedup_markdown = text_and_markdown("speedup report", speedup_tables)


def render_speedup_json(r: SpeedupReport) -> str:
    return r.model_dump_json(indent=2) + "\n"


CSV_COLUMNS = ["load", "strategy", "rate", "level_verdict", "decided_by", "comparable", "forced", "not_comparable_reasons",
               "metric", "weighting", "unit", "baseline", "spec", "speedup", "ci_low", "ci_high", "metric_verdict",
               "interval_method", "interval_note", "data", "n_baseline", "n_spec"]


def render_speedup_csv(r: SpeedupReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for level in r.levels:
        reasons = "; ".join(r.comparability.reasons + level.reasons)
        for c in level.comparisons:
            writer.writerow(["" if v is None else v for v in (
                level.label, level.strategy, level.rate, level.verdict, level.decided_by, level.comparable,
                r.comparability.forced, reasons, c.metric, c.weighting,
                c.unit, c.baseline, c.spec, c.speedup, c.ci_low, c.ci_high, c.verdict, c.interval_method, c.interval_note,
                c.data, c.n_baseline, c.n_spec)])
    return out.getvalue()


SPEEDUP_RENDERERS = {"text": render_speedup_text, "md": render_speedup_markdown, "json": render_speedup_json,
                     "csv": render_speedup_csv}
