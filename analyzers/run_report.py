"""`speclens report DIR`: everything known about one run directory in one Markdown file, with
PNG plots written next to it (`<name>_plots/`): acceptance tables, per-position and conditional
bars, acceptance length per log interval, speedup vs load (when DIR/baseline exists), advice on k
and the anomaly checks."""

from __future__ import annotations

import json
import os

from analyzers import __version__
from analyzers.acceptance import build_report
from analyzers.advice import advise, cost_ratio_from_pair
from analyzers.anomalies import check_target
from analyzers.atomic import write_atomic
from analyzers.plots import plot_advice, plot_positions, plot_series, plot_speedup
from analyzers.render.plain import tables_to_markdown
from analyzers.render.speedup import speedup_tables
from analyzers.render.tables import Table, fmt, target_tables
from analyzers.report import Window
from analyzers.speedup import build_speedup
from parsers.load_results import read_load_results


def _temperature(run_dir: str) -> float | None:
    path = os.path.join(run_dir, "run.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        value = json.load(handle).get("config", {}).get("temperature")
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def write_run_report(run_dir: str, out: str, cost_ratio: float | None, seed: int) -> list[str]:
    """Write the Markdown report and its plots; returns the files written."""
    report = build_report([run_dir], Window(), keep_series=True)
    target = report.targets[0]
    plots_dir = os.path.splitext(out)[0] + "_plots"
    os.makedirs(plots_dir, exist_ok=True)
    rel = os.path.basename(plots_dir)
    tables: list[Table] = target_tables(target)
    images: list[str] = []
    source = target.source(target.primary)
    if source is not None and source.metrics.per_position:
        images.append(f"![per-position and conditional acceptance]({rel}/{plot_positions(source, os.path.join(plots_dir, 'positions.png'))})")
    log = next((s for s in reversed(target.sources) if s.log is not None and s.log.series), None)
    if log is not None and log.log is not None and log.log.series:
        images.append(f"![acceptance length per interval]({rel}/{plot_series(log.log.series, log.counts.k, os.path.join(plots_dir, 'intervals.png'))})")
    speedup = None
    baseline = os.path.join(run_dir, "baseline", "guidellm_results.json")
    results = os.path.join(run_dir, "guidellm_results.json")
    if os.path.isfile(baseline) and os.path.isfile(results):
        speedup = build_speedup(read_load_results(baseline), read_load_results(results), seed, __version__, [])
        tables += speedup_tables(speedup)
        images.append(f"![speedup vs load]({rel}/{plot_speedup(speedup, os.path.join(plots_dir, 'speedup.png'))})")
    notices = check_target(target, _temperature(run_dir))
    if source is not None and source.metrics.conditional and source.counts.k:
        source_name = "given by --cost-ratio" if cost_ratio is not None else "none"
        if cost_ratio is None and speedup is not None and speedup.levels:
            tpot = next((c for c in speedup.levels[0].comparisons if c.metric == "tpot_ms"), None)
            mal = source.metrics.mean_acceptance_length
            if tpot and tpot.baseline_mean and tpot.spec_mean and mal:
                cost_ratio = cost_ratio_from_pair(tpot.spec_mean, tpot.baseline_mean, mal, source.counts.k)
                source_name = f"measured from the paired baseline ({speedup.levels[0].label})"
        advice = advise(source.metrics.conditional, source.counts.k, cost_ratio, source_name)
        if advice is not None:
            tables.append(Table(
                f"Advice on k (cost ratio c: {fmt(advice.cost_ratio)}, {advice.cost_ratio_source})",
                ["k", "expected acceptance length", "modeled speedup"],
                [[str(r.k), fmt(r.expected_acceptance_length), fmt(r.modeled_speedup)] for r in advice.rows],
                [f"recommended num_speculative_tokens: {advice.recommended_k if advice.recommended_k else 'n/a (no cost ratio; pass --cost-ratio or run with --baseline)'}"
                 + (" (the largest k considered: the model still gains at the edge)"
                    if advice.recommended_k == advice.rows[-1].k else ""),
                 f"assumptions: {advice.assumptions}"]))
            images.append(f"![model per k]({rel}/{plot_advice(advice, os.path.join(plots_dir, 'advice.png'))})")
    if notices:
        tables.append(Table("Anomaly checks", ["level", "code", "message"], [[n.level, n.code, n.message] for n in notices]))
    text = tables_to_markdown(f"speclens report: {run_dir}", f"speclens {__version__}", tables)
    text += "\n## Plots\n\n" + "\n\n".join(images) + "\n" if images else ""
    write_atomic(out, text, protected=[i.path for i in report.inputs])
    return [out] + [os.path.join(plots_dir, f) for f in sorted(os.listdir(plots_dir))]
