"""Renderings of a `SpeedupReport`: text, Markdown, JSON, CSV (one row per level and metric)."""

from __future__ import annotations

import csv
import io

from analyzers.render.plain import tables_to_markdown, tables_to_text
from analyzers.render.tables import NA, Table, fmt
from analyzers.speedup_models import SpeedupReport


def speedup_tables(r: SpeedupReport) -> list[Table]:
    rows = []
    for level in r.levels:
        for c in level.comparisons:
            rows.append([level.label, f"{c.metric} ({c.unit})", fmt(c.baseline_mean), fmt(c.spec_mean),
                         NA if c.speedup is None else f"{c.speedup:.3f}x",
                         NA if c.ci_low is None else f"[{c.ci_low:.3f}, {c.ci_high:.3f}]", c.verdict,
                         f"{c.n_baseline}/{c.n_spec}"])
    notes = [f"speedup > 1 means speculation is better: spec/baseline for throughput, baseline/spec for latencies; "
             f"{r.confidence:.0%} percentile bootstrap over requests ({r.resamples} resamples, seed {r.seed}). "
             "Per-request means over successful requests."]
    notes.append(f"crossover: {r.crossover}" if r.crossover else "crossover: none (same verdict at every load level)")
    tables = [Table(f"Speedup: {r.spec} vs baseline {r.baseline}",
                    ["load", "metric", "baseline", "spec", "speedup", "95% CI", "verdict", "n base/spec"], rows, notes)]
    if r.notices:
        tables.append(Table("Notices", ["level", "code", "message"], [[n.level, n.code, n.message] for n in r.notices]))
    return tables


def render_speedup_text(r: SpeedupReport) -> str:
    return tables_to_text(f"speclens {r.speclens_version} speedup report (schema {r.schema_version})", speedup_tables(r))


def render_speedup_markdown(r: SpeedupReport) -> str:
    return tables_to_markdown("speclens speedup report", f"speclens {r.speclens_version}, schema {r.schema_version}",
                              speedup_tables(r))


def render_speedup_json(r: SpeedupReport) -> str:
    return r.model_dump_json(indent=2) + "\n"


def render_speedup_csv(r: SpeedupReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["load", "strategy", "rate", "metric", "unit", "baseline_mean", "spec_mean", "speedup", "ci_low",
                     "ci_high", "verdict", "n_baseline", "n_spec"])
    for level in r.levels:
        for c in level.comparisons:
            writer.writerow(["" if v is None else v for v in (
                level.label, level.strategy, level.rate, c.metric, c.unit, c.baseline_mean, c.spec_mean, c.speedup,
                c.ci_low, c.ci_high, c.verdict, c.n_baseline, c.n_spec)])
    return out.getvalue()


SPEEDUP_RENDERERS = {"text": render_speedup_text, "md": render_speedup_markdown, "json": render_speedup_json,
                     "csv": render_speedup_csv}
