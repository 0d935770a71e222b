"""The category table of a multi-phase run (`categories_models.CategorySection`): each cell of the
top run.json's grid (`parsers.run_cells`) is a complete run directory, so its row is built by the
code every run directory goes through, never by a copy of a formula:

- acceptance: the cell's own acceptance report (`build_report` of RUN/cells/<id>/). Its counts come
  from the cell's /metrics delta (exact) when it has one, else from its per-request sums (steps,
  accepted, draft tokens; per-position counts Σ_{j>i} H_j from the pooled histogram); the metrics
  are `acceptance_metrics` of those counts.
- load: the cell's load-driver JSON (`find_load_results`), its benchmarks as one
  (`analyzers.speedup.run_load.load_level`: output throughput, per-request tok/s, TTFT p50).
- "all": the cells' counts summed (then `acceptance_metrics`) and their requests and durations
  pooled into one benchmark (then `load_level`); "mean of categories": the unweighted mean of the
  rows that ran, every category counted once (AIPerf's SPEED-Bench convention).
A cell that did not run ok, or has no acceptance data, is a row that says so and is left out of both
summary rows (`excluded`). Baseline cells (role "baseline") are not rows: they do not speculate.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from statistics import fmean

from speclens.analyzers.acceptance.categories_models import CategoryRow, CategorySection, CountsFrom
from speclens.analyzers.acceptance.metrics import acceptance_metrics
from speclens.analyzers.acceptance.models import Counts, InputFile, Notice, TargetReport, Window
from speclens.analyzers.speedup.run_load import LoadLevel, load_level
from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import Benchmark
from speclens.parsers.load_results import find_load_results
from speclens.parsers.run_cells import Cell
from speclens.parsers.run_dir import RunFiles, read_manifest

Cellwise = tuple[CategoryRow, Counts | None, list[Benchmark]]


def _counts(target: TargetReport) -> tuple[Counts | None, CountsFrom]:
    """The cell's counts: its /metrics delta (exact), else its per-request sums."""
    source = target.source(target.primary)
    if source is not None and source.kind == "metrics_delta":
        return source.counts, "metrics_delta"
    section = target.per_request
    if section is not None and section.summary is not None and section.histogram is not None:
        s, h = section.summary, section.histogram
        at_least = [sum(h.counts[j:]) for j in range(1, len(h.counts))]  # Σ_{j>i} H_j, i 0-based
        return Counts(k=h.k, drafts=s.steps, draft_tokens=s.draft_tokens, accepted_tokens=s.accepted_tokens,
                      accepted_per_position=at_least), "per-request sums"
    return None, "none"


def _pooled(benchmarks: Sequence[Benchmark]) -> Benchmark | None:
    """Several benchmarks as one (sequential phases: requests joined, durations and totals summed)."""
    if len(benchmarks) <= 1:
        return benchmarks[0] if benchmarks else None
    durations = [b.duration_s for b in benchmarks]
    totals: dict[str, int] = {}
    for b in benchmarks:
        for key, value in b.totals.items():
            totals[key] = totals.get(key, 0) + value
    return dataclasses.replace(benchmarks[0], duration_s=None if None in durations else sum(durations),  # type: ignore[arg-type]
                               totals=totals, aggregates=None, requests=[r for b in benchmarks for r in b.requests])


def _fill(row: CategoryRow, counts: Counts | None, level: LoadLevel | None) -> CategoryRow:
    if counts is not None:
        m = acceptance_metrics(counts)
        row.k, row.drafts, row.draft_tokens, row.accepted_tokens = (counts.k, counts.drafts, counts.draft_tokens,
                                                                    counts.accepted_tokens)
        row.mean_acceptance_length, row.draft_acceptance_rate = m.mean_acceptance_length, m.draft_acceptance_rate
        row.per_position, row.conditional = m.per_position, m.conditional
    if level is not None:
        row.requests, row.output_throughput = level.successful, level.output_throughput
        row.request_output_tps, row.ttft_ms_p50 = level.request_output_tps, level.ttft_ms.p50
    return row


def _cell_row(run_dir: str, cell: Cell, add_inputs: Callable[[list[InputFile]], None]) -> Cellwise:
    from speclens.analyzers.acceptance.report import build_report  # it calls this module

    row = CategoryRow(kind="cell", category=cell.category or "all data", cell=cell.id, status=cell.status)
    folder = os.path.join(run_dir, cell.dir)
    if cell.status != "ok" or not os.path.isdir(folder):
        exit_note = f" (exit status {cell.exit_status})" if cell.exit_status is not None else ""
        row.note = f"{cell.status}{exit_note}: no numbers" if os.path.isdir(folder) or cell.status != "ok" \
            else f"{cell.dir} is missing: no numbers"
        return row, None, []
    try:
        found = find_load_results(folder)  # parsed once: the cell's report reads it from here
        report = build_report([folder], Window(), load_results={folder: found})
    except (ParseError, OSError, ValueError) as err:
        row.note = f"not read: {err}"
        return row, None, []
    add_inputs(report.inputs)
    counts, row.counts_from = _counts(report.targets[0])
    benchmarks = found.run.benchmarks if found.run is not None else []
    bench = _pooled(benchmarks)
    _fill(row, counts, load_level(bench) if bench is not None else None)
    if counts is None:
        row.note = "no acceptance data (no /metrics delta, no per-request metrics)"
    elif len(benchmarks) > 1:
        row.note = f"load: {len(benchmarks)} benchmarks pooled"
    return row, counts, benchmarks


def _summed(counts: list[Counts]) -> Counts:
    ks = {c.k for c in counts}
    drafts = [c.drafts for c in counts]
    positions = [c.accepted_per_position for c in counts]
    widths = {len(p) for p in positions if p is not None}
    per_position = ([sum(col) for col in zip(*positions)]  # type: ignore[misc]
                    if None not in positions and len(widths) == 1 else None)
    return Counts(k=ks.pop() if len(ks) == 1 else None, drafts=None if None in drafts else sum(drafts),  # type: ignore[arg-type]
                  draft_tokens=sum(c.draft_tokens for c in counts),
                  accepted_tokens=sum(c.accepted_tokens for c in counts), accepted_per_position=per_position)


def _mean(values: list[float | None]) -> float | None:
    return None if not values or None in values else fmean(values)  # type: ignore[arg-type]


def _mean_vector(vectors: list[list[float | None] | None]) -> list[float | None] | None:
    if not vectors or None in vectors or len({len(v) for v in vectors if v is not None}) != 1:
        return None
    return [_mean(list(column)) for column in zip(*vectors)]  # type: ignore[misc]


def _mean_row(rows: list[CategoryRow]) -> CategoryRow:
    return CategoryRow(
        kind="mean of categories", category="mean of categories", status="unweighted mean", k=rows[0].k if len({r.k for r in rows}) == 1 else None,
        counts_from=origins.pop() if len(origins := {r.counts_from for r in rows}) == 1 else "mixed",
        mean_acceptance_length=_mean([r.mean_acceptance_length for r in rows]),
        draft_acceptance_rate=_mean([r.draft_acceptance_rate for r in rows]),
        per_position=_mean_vector([r.per_position for r in rows]), conditional=_mean_vector([r.conditional for r in rows]),
        note=f"unweighted mean over {len(rows)} cell(s): every category counts once (AIPerf's SPEED-Bench convention)")


def category_section(run_dir: str, add_inputs: Callable[[list[InputFile]], None]) -> CategorySection | None:
    """The category table of `run_dir`, or None when its run.json has no cell with a category."""
    try:
        manifest = read_manifest(RunFiles(run_dir).manifest)
    except ParseError:
        return None  # the acceptance report names a bad run.json
    cells = [c for c in manifest.cells if c.role == "spec"] if manifest is not None else []
    if not any(c.category for c in cells):
        return None
    built = [_cell_row(run_dir, c, add_inputs) for c in cells]
    ran = [(row, counts, b) for row, counts, b in built if counts is not None]
    excluded = [row.cell for row, counts, _ in built if counts is None and row.cell]
    origins = {row.counts_from for row, _, _ in ran}
    everything = CategoryRow(kind="all", category="all", status="pooled", counts_from=origins.pop() if len(origins) == 1 else
                             ("mixed" if origins else "none"))
    if ran:
        pooled = _pooled([b for _, _, bs in ran for b in bs])
        _fill(everything, _summed([c for _, c, _ in ran if c is not None]), load_level(pooled) if pooled else None)
    everything.note = f"pooled over {len(ran)} cell(s)" + (f"; excludes {', '.join(excluded)} (no numbers)"
                                                           if excluded else "")
    mean = _mean_row([row for row, _, _ in ran]) if ran else CategoryRow(kind="mean of categories",
                                                                         category="mean of categories",
                                                                         status="unweighted mean")
    notices = []
    if len({row.k for row, _, _ in ran}) > 1:
        notices.append(Notice(level="warning", code="categories-differ-in-k", message=(
            "the cells ran different k: the 'all' row pools steps of different k (its per-position is n/a)")))
    return CategorySection(rows=[row for row, _, _ in built], all=everything, mean_of_categories=mean,
                           excluded=excluded, notices=notices)
