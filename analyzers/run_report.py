"""`speclens report DIR`: everything known about one run directory in one Markdown file, with
PNG plots written next to it (`<name>_plots/`: `parsers.run_dir.plots_dir`): acceptance
tables, per-position and conditional bars, acceptance length per log interval, speedup vs load
(when DIR/baseline exists), advice on k and the anomaly checks."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

from speclens.analyzers import __version__
from speclens.analyzers.acceptance import build_report
from speclens.analyzers.advice import advise, cost_ratio_from_pair
from speclens.analyzers.anomalies import check_target
from speclens.analyzers.atomic import check_output, write_atomic
from speclens.analyzers.comparability import gather_context
from speclens.analyzers.plots import plot_advice, plot_positions, plot_series, plot_speedup
from speclens.analyzers.render.plain import tables_to_markdown
from speclens.analyzers.render.speedup import speedup_tables
from speclens.analyzers.render.tables import Table, fmt, target_tables
from speclens.analyzers.report import Window
from speclens.analyzers.speedup import build_speedup
from speclens.parsers.load_results import read_load_results
from speclens.parsers.run_dir import RunFiles, plots_dir, read_manifest


def _temperature(files: RunFiles) -> float | None:
    """The temperature run.json's config records (None: not recorded, or the server's default)."""
    manifest = read_manifest(files.manifest)
    value = manifest.config.temperature if manifest is not None and manifest.config is not None else None
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def write_run_report(run_dir: str, out: str, cost_ratio: float | None) -> list[str]:
    """Write the Markdown report and its plots; returns the files written."""
    report = build_report([run_dir], Window(), keep_series=True)
    target = report.targets[0]
    check_output(out)  # refused before anything is written
    files, plots_to = RunFiles(run_dir), plots_dir(out)
    tables: list[Table] = target_tables(target)
    plots: list[tuple[str, str, Callable[[str], str]]] = []  # (alt text, file name, writer)
    source = target.source(target.primary)
    if source is not None and source.metrics.per_position:
        plots.append(("per-position and conditional acceptance", "positions.png", partial(plot_positions, source)))
    log = next((s for s in reversed(target.sources) if s.log is not None and s.log.series), None)
    if log is not None and log.log is not None and log.log.series:
        plots.append(("acceptance length per interval", "intervals.png",
                      partial(plot_series, log.log.series, log.counts.k)))
    speedup = None
    baseline, results = files.baseline.load_results, files.load_results
    if os.path.isfile(baseline) and os.path.isfile(results):
        speedup = build_speedup(gather_context(read_load_results(baseline), files.baseline.root, None),
                                gather_context(read_load_results(results), run_dir, None), __version__, [])
        tables += speedup_tables(speedup)
        if speedup.levels:
            plots.append(("speedup vs load", "speedup.png", partial(plot_speedup, speedup)))
    notices = check_target(target, _temperature(files))
    if source is not None and source.metrics.conditional and source.counts.k:
        source_name = "given by --cost-ratio" if cost_ratio is not None else "none"
        if cost_ratio is None and speedup is not None and speedup.levels:
            tpot = next((c for c in speedup.levels[0].comparisons if c.metric == "mean_tpot_ms"), None)  # request mean
            mal = source.metrics.mean_acceptance_length
            if tpot and tpot.baseline and tpot.spec and mal:
                cost_ratio = cost_ratio_from_pair(tpot.spec, tpot.baseline, mal, source.counts.k)
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
            plots.append(("model per k", "advice.png", partial(plot_advice, advice)))
    if notices:
        tables.append(Table("Anomaly checks", ["level", "code", "message"], [[n.level, n.code, n.message] for n in notices]))
    text = tables_to_markdown(f"speclens report: {run_dir}", f"speclens {__version__}", tables)
    written = _write_plots(plots_to, plots)
    rel = os.path.basename(plots_to)
    text += "\n## Plots\n\n" + "\n\n".join(f"![{alt}]({rel}/{name})" for alt, name, _ in plots) + "\n" if plots else ""
    write_atomic(out, text, protected=[i.path for i in report.inputs])
    return [out] + written


def _write_plots(folder: str, plots: list[tuple[str, str, Callable[[str], str]]]) -> list[str]:
    """Write each plot into `folder` (created only when there is a plot; matplotlib is imported
    first, so a missing install leaves no empty folder behind)."""
    if not plots:
        return []
    import matplotlib  # noqa: F401 - fail before the folder exists

    os.makedirs(folder, exist_ok=True)
    return [os.path.join(folder, write(os.path.join(folder, name))) for _, name, write in plots]
