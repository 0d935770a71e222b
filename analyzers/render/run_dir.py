"""Markdown (with PNG plots) of a finished `RunDirReport` (`speclens report DIR`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

from speclens.analyzers.advice import Advice
from speclens.analyzers.atomic import write_atomic
from speclens.analyzers.render.plain import tables_to_markdown
from speclens.analyzers.render.speedup import speedup_tables
from speclens.analyzers.render.tables import Table, fmt, target_tables
from speclens.analyzers.run_dir_report import RunDirReport
from speclens.parsers.run_dir import plots_dir

Plot = tuple[str, str, Callable[[str], str]]  # (alt text, file name, writer of that file)


def advice_table(advice: Advice) -> Table:
    recommended = advice.recommended_k if advice.recommended_k else \
        "n/a (no cost ratio; pass --cost-ratio or run with --baseline)"
    edge = " (the largest k considered: the model still gains at the edge)" \
        if advice.recommended_k == advice.rows[-1].k else ""
    return Table(f"Advice on k (cost ratio c: {fmt(advice.cost_ratio)}, {advice.cost_ratio_source})",
                 ["k", "expected acceptance length", "modeled speedup"],
                 [[str(r.k), fmt(r.expected_acceptance_length), fmt(r.modeled_speedup)] for r in advice.rows],
                 [f"recommended num_speculative_tokens: {recommended}{edge}", f"assumptions: {advice.assumptions}"])


def run_dir_tables(r: RunDirReport) -> list[Table]:
    target = r.acceptance.targets[0]
    tables = target_tables(target)  # its notices hold the anomaly checks
    if r.speedup is not None:
        tables += speedup_tables(r.speedup)
    if r.advice is not None:
        tables.append(advice_table(r.advice))
    return tables


def run_dir_plots(r: RunDirReport) -> list[Plot]:
    from speclens.analyzers.plots import plot_advice, plot_positions, plot_series, plot_speedup

    target = r.acceptance.targets[0]
    plots: list[Plot] = []
    source = target.source(target.primary)
    if source is not None and source.metrics.per_position:
        plots.append(("per-position and conditional acceptance", "positions.png", partial(plot_positions, source)))
    log = next((s for s in reversed(target.sources) if s.log is not None and s.log.series), None)
    if log is not None and log.log is not None and log.log.series:
        plots.append(("acceptance length per interval", "intervals.png",
                      partial(plot_series, log.log.series, log.counts.k)))
    if r.speedup is not None and r.speedup.levels:
        plots.append(("speedup vs load", "speedup.png", partial(plot_speedup, r.speedup)))
    if r.advice is not None:
        plots.append(("model per k", "advice.png", partial(plot_advice, r.advice)))
    return plots


def render_run_dir_markdown(r: RunDirReport, plots_folder: str | None = None, plots: list[Plot] | None = None) -> str:
    """The Markdown; with `plots_folder`, image links to the plots in it."""
    text = tables_to_markdown(f"speclens report: {r.run_dir}", f"speclens {r.speclens_version}", run_dir_tables(r))
    if plots_folder and plots:
        text += "\n## Plots\n\n" + "\n\n".join(f"![{alt}]({plots_folder}/{name})" for alt, name, _ in plots) + "\n"
    return text


def write_run_dir_markdown(r: RunDirReport, out: str) -> list[str]:
    """Write the plots (their folder only when there is one; matplotlib is imported first, so a
    missing install leaves no empty folder behind), then the Markdown; returns the files written."""
    plots = run_dir_plots(r)
    folder = plots_dir(out)
    written: list[str] = []
    if plots:
        import matplotlib  # noqa: F401 - fail before the folder exists

        os.makedirs(folder, exist_ok=True)
        written = [os.path.join(folder, write(os.path.join(folder, name))) for _, name, write in plots]
    write_atomic(out, render_run_dir_markdown(r, os.path.basename(folder), plots))
    return [out, *written]


def render_run_dir_text(r: RunDirReport) -> str:
    from speclens.analyzers.render.plain import tables_to_text

    return tables_to_text(f"speclens {r.speclens_version} report: {r.run_dir}", run_dir_tables(r))


RUN_DIR_RENDERERS = {"text": render_run_dir_text, "md": render_run_dir_markdown,
                     "json": lambda r: r.model_dump_json(indent=2) + "\n"}
