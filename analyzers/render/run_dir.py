"""Markdown (with PNG plots) of a finished `RunDirReport` (`speclens report DIR`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

from speclens.analyzers.acceptance.advice import Advice
from speclens.analyzers.atomic import write_output
from speclens.analyzers.render.plain import tables_to_markdown
from speclens.analyzers.render.speedup import speedup_tables
from speclens.analyzers.render.tables import NA, Table, fmt, target_tables
from speclens.analyzers.run_dir_report import RunDirReport
from speclens.parsers.run_dir import plots_dir

Plot = tuple[str, str, Callable[[str], str]]  # (alt text, file name, writer of that file)


def _recommended(advice: Advice) -> str:
    """The recommended k, or why there is none (no k modeled faster than the target; no cost ratio)."""
    if advice.speculation_pays is False:
        best = max(advice.rows, key=lambda r: r.modeled_speedup or 0.0)
        return ("none: speculation does not pay under these assumptions (no k is modeled faster than the target "
                f"alone; best modeled speedup {fmt(best.modeled_speedup)} at k={best.k})")
    if advice.recommended_k is None:
        return f"n/a (no cost ratio: {advice.cost_ratio_source.removeprefix('none: ')})"
    edge = " (the largest k considered: the model still gains at the edge)" \
        if advice.recommended_k == advice.rows[-1].k else ""
    return f"{advice.recommended_k}{edge}"


def advice_table(advice: Advice) -> Table:
    return Table(f"Advice on k (cost ratio c: {fmt(advice.cost_ratio)}, {advice.cost_ratio_source})",
                 ["k", "expected acceptance length", "modeled speedup"],
                 [[str(r.k), fmt(r.expected_acceptance_length), fmt(r.modeled_speedup)] for r in advice.rows],
                 [f"recommended num_speculative_tokens: {_recommended(advice)}", f"assumptions: {advice.assumptions}"])


def _count(value: int | None) -> str:
    return NA if value is None else str(value)


_LOAD_ROWS = [
    ("duration s", lambda lv: fmt(lv.duration_s, 1)),
    ("requests successful", lambda lv: _count(lv.successful)),
    ("requests errored", lambda lv: _count(lv.errored)),
    ("requests incomplete", lambda lv: _count(lv.incomplete)),
    ("output tokens", lambda lv: _count(lv.output_tokens)),
    ("output tok/s (system)", lambda lv: fmt(lv.output_throughput, 2)),
    ("per-request tok/s (mean)", lambda lv: fmt(lv.request_output_tps, 2)),
    *((f"{name} {stat}", lambda lv, a=attr, st=stat, d=digits: fmt(getattr(getattr(lv, a), st), d))
      for name, attr, digits in (("TTFT ms", "ttft_ms", 1), ("ITL ms", "itl_ms", 2), ("TPOT ms", "tpot_ms", 2),
                                 ("latency s", "latency_s", 3))
      for stat in ("mean", "p50", "p90", "p99")),
    ("from", lambda lv: lv.data),
]


def load_table(r: RunDirReport) -> Table | None:
    """What the load driver measured: one column per benchmark of the run (and of its baseline)."""
    phases = [(name, s) for name, s in (("speculative", r.load), ("baseline", r.baseline_load)) if s is not None]
    if not phases:
        return Table("Load driver: what the server delivered", ["error"], [[e] for e in r.load_errors]) \
            if r.load_errors else None
    columns = [(f"{name}: {lv.label}", lv) for name, s in phases for lv in s.levels]
    first = phases[0][1]
    cap = f"at most {first.max_requests} requests" if first.max_requests else "no request cap"
    limits = (f"duration {fmt(first.max_seconds, 0)} s, {cap}" if first.limits_recorded
              else "not recorded (no run.json)")
    files = [f"{name} file {s.path}" + (f" (also load-driver results, not used: {', '.join(map(os.path.basename, s.unused))}"
                                         "; the first by name is used)" if s.unused else "") for name, s in phases]
    notes = [f"driver: {first.driver}, version {first.driver_version or NA}; load limits (run.json): {limits}",
             "; ".join(files),
             ("requests: the driver's integer counts. output tok/s (system) = Σ output tokens of successful requests "
              "/ benchmark duration. per-request tok/s = mean over requests of output tokens / latency (what one "
              "user sees; not system throughput)."),
             ("TTFT, ITL, TPOT and latency: request mean and p50/p90/p99 over successful requests (linear "
              "interpolation between closest ranks); percentiles n/a without per-request rows.")]
    return Table("Load driver: what the server delivered", ["metric", *(c for c, _ in columns)],
                 [[name, *(cell(lv) for _, lv in columns)] for name, cell in _LOAD_ROWS],
                 [*notes, *(f"not read: {e}" for e in r.load_errors)])


def run_dir_tables(r: RunDirReport) -> list[Table]:
    target = r.acceptance.targets[0]
    tables = target_tables(target)  # its notices hold the anomaly checks
    if (load := load_table(r)) is not None:
        tables.append(load)
    if r.speedup is not None:
        tables += speedup_tables(r.speedup)
    if r.advice is not None:
        tables.append(advice_table(r.advice))
    return tables


def run_dir_plots(r: RunDirReport) -> list[Plot]:
    from speclens.analyzers.render.per_request_plots import per_request_plots
    from speclens.analyzers.render.plots import plot_advice, plot_positions, plot_series, plot_speedup

    target = r.acceptance.targets[0]
    plots: list[Plot] = []
    source = target.source(target.primary)
    if source is not None and source.metrics.per_position:
        plots.append(("per-position and conditional acceptance", "positions.png", partial(plot_positions, source)))
    log = next((s for s in reversed(target.sources) if s.log is not None and s.log.series), None)
    if log is not None and log.log is not None and log.log.series:
        plots.append(("acceptance length per interval", "intervals.png",
                      partial(plot_series, log.log.series, log.counts.k)))
    plots += per_request_plots(target.per_request, source.counts.k if source is not None else None)
    if r.speedup is not None and any(c.speedup is not None for lvl in r.speedup.levels for c in lvl.comparisons):
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
    write_output(out, render_run_dir_markdown(r, os.path.basename(folder), plots))
    return [out, *written]


def render_run_dir_text(r: RunDirReport) -> str:
    from speclens.analyzers.render.plain import tables_to_text

    return tables_to_text(f"speclens {r.speclens_version} report: {r.run_dir}", run_dir_tables(r))


RUN_DIR_RENDERERS = {"text": render_run_dir_text, "md": render_run_dir_markdown,
                     "json": lambda r: r.model_dump_json(indent=2) + "\n"}
