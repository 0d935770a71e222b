"""`speclens sweep RUN_DIR`: read the grid (the top run.json's `cells`, parsers.run_cells), each
finished cell's acceptance (its acceptance report's primary source: the /metrics delta) and each
spec cell's speedup over the baseline cell of the same load and category (analyzers.speedup:
the comparability verdict, the speedup and its 95% interval), into a `SweepReport`.

A cell is used when its directory holds a run.json whose status is 0 or null (not finalised; then
it must hold load results), whatever the top run.json says (cells run elsewhere, e.g. by `xargs -P` from --plan-only, write only their own directory).
Missing and failed cells are listed with why, never fatal; a run directory without `cells`, or with
no usable cell at all, is an input error.
"""

from __future__ import annotations

import os

from speclens.analyzers.sweep.acceptance import k_acceptance, pool
from speclens.analyzers.sweep.models import METRIC_OF, CellSpeedup, MetricSpeedup, MissingCell, SweepReport
from speclens.analyzers.sweep.select import best_ks, break_even
from speclens.parsers.errors import ParseError
from speclens.parsers.run_cells import CELLS, Cell

METHODS = {
    "speedup": "per spec cell: analyzers.speedup.report.build_speedup against the baseline cell of the same load and "
               "category (the same comparability verdict, speedup and 95% interval as `speclens speedup`)",
    "best_k": "highest primary speedup per load; every other k whose 95% interval overlaps the best's is a tie",
    "break_even": "the first load, in load order, at which the best k is no longer 'faster' after a load at which it was",
    "acceptance": "per k: counts pooled over its cells; measured length's 95% interval treats steps as independent; "
                  "chain model from the other k's pooled conditional rates (analyzers.sweep.acceptance)",
}


def read_cells(run_dir: str) -> list[Cell]:
    from speclens.parsers.json_file import read_json

    path = os.path.join(run_dir, "run.json")
    if not os.path.isfile(path):
        raise ParseError(run_dir, None, "not a sweep run directory (no run.json)", "pass the folder run_eval.sh wrote")
    doc = read_json(path)
    cells = doc.get(CELLS) if isinstance(doc, dict) else None
    if not isinstance(cells, list) or not cells:
        raise ParseError(path, None, "no `cells` list: this run is not a sweep", "read a single run with `speclens report`")
    try:
        return [Cell.model_validate(c) for c in cells]
    except ValueError as err:
        raise ParseError(path, None, f"a `cells` entry is malformed ({str(err).splitlines()[0]})",
                         "each cell needs id and role") from None


def _finished(run_dir: str, cell: Cell) -> str | None:
    """Why the cell cannot be used, or None when its directory is a finished run."""
    from speclens.parsers.json_file import read_json

    manifest = os.path.join(run_dir, cell.dir, "run.json")
    if not os.path.isfile(manifest):
        return f"failed (exit {cell.exit_status})" if cell.status == "failed" else "not run (no run.json in its folder)"
    status = read_json(manifest).get("status")
    if isinstance(status, int) and status != 0:
        return f"failed (its run.json status {status})"
    return None  # 0, or not finalised (null): used when its folder holds load results


def _metric(level, name: str) -> MetricSpeedup | None:  # noqa: ANN001 - a speedup LoadLevel
    c = next((c for c in level.comparisons if c.metric == name), None)
    if c is None:
        return None
    return MetricSpeedup(baseline=c.baseline, spec=c.spec, speedup=c.speedup, ci_low=c.ci_low, ci_high=c.ci_high,
                         verdict=c.verdict, note=c.interval_note)


def cell_speedup(run_dir: str, spec: Cell, base: Cell | None, version: str) -> CellSpeedup | None:
    from speclens.analyzers.speedup.comparability import run_context
    from speclens.analyzers.speedup.metrics import METRICS
    from speclens.analyzers.speedup.report import _ORDER, build_speedup
    from speclens.parsers.load_results import find_load_results

    spec_dir = os.path.join(run_dir, spec.dir)
    found = find_load_results(spec_dir)
    if found.run is None or not found.run.benchmarks:
        return None
    b0 = found.run.benchmarks[0]
    from speclens.analyzers.speedup.load_metrics import load_label

    row = CellSpeedup(spec_cell=spec.id, baseline_cell=base.id if base else None, k=spec.num_speculative_tokens or 0,
                      load=load_label(b0), load_rank=[_ORDER.get(b0.strategy, 2), b0.rate or 0.0],
                      category=spec.category, comparable=False)
    if base is None:
        row.summary = "no finished baseline cell at this load"
        return row
    base_found = find_load_results(os.path.join(run_dir, base.dir))
    if base_found.run is None:
        row.summary = "the baseline cell has no load results"
        return row
    report = build_speedup(run_context(base_found.run, os.path.join(run_dir, base.dir)), run_context(found.run, spec_dir),
                           version, [], metrics=METRICS[:2])
    if not report.levels:
        row.summary = "the baseline and spec cells ran different loads"
        return row
    level = report.levels[0]
    row.load, row.comparable, row.summary = level.label, level.comparable, level.summary
    row.output_throughput = _metric(level, METRIC_OF["output_throughput"])
    row.per_request_speed = _metric(level, METRIC_OF["per_request_speed"])
    return row


def _counts(run_dir: str, cell: Cell):  # noqa: ANN202 - Counts | None
    from speclens.analyzers.acceptance.models import Window
    from speclens.analyzers.acceptance.report import build_report

    target = build_report([os.path.join(run_dir, cell.dir)], Window(), per_request=False).targets[0]
    source = target.source(target.primary)
    return source.counts if source is not None else None


def build_sweep(run_dir: str, primary: str, version: str) -> SweepReport:
    cells = read_cells(run_dir)
    missing, ready = [], []
    for cell in cells:
        why = _finished(run_dir, cell)
        (ready.append(cell) if why is None else missing.append(MissingCell(id=cell.id, role=cell.role, why=why)))
    if not any(c.role == "spec" for c in ready):
        raise ParseError(run_dir, None, f"no finished spec cell among {len(cells)} cell(s)",
                         "run the missing cells (run_eval.sh --resume RUN_DIR) first")
    baselines = {(c.profile, c.category): c for c in ready if c.role == "baseline"}
    by_k: dict[int, tuple[list[str], list]] = {}
    speedups = []
    for cell in (c for c in ready if c.role == "spec"):
        if cell.num_speculative_tokens is None:
            missing.append(MissingCell(id=cell.id, role=cell.role, why="spec cell without num_speculative_tokens"))
            continue
        counts = _counts(run_dir, cell)
        if counts is not None:
            ids, pile = by_k.setdefault(cell.num_speculative_tokens, ([], []))
            ids.append(cell.id)
            pile.append(counts)
        row = cell_speedup(run_dir, cell, baselines.get((cell.profile, cell.category)), version)
        if row is None:
            missing.append(MissingCell(id=cell.id, role=cell.role, why="no load-driver results in its folder"))
        else:
            speedups.append(row)
    speedups.sort(key=lambda r: (r.category or "", r.load_rank, r.k))
    acceptance = k_acceptance({k: (ids, pool(pile)) for k, (ids, pile) in by_k.items()})
    best = best_ks(speedups, primary)
    return SweepReport(speclens_version=version, run_dir=run_dir, primary=primary, methods=METHODS, acceptance=acceptance,
                       speedups=speedups, best_k=best, break_even=break_even(best), missing=missing,
                       summary=summary_lines(speedups, primary))


def summary_lines(speedups: list[CellSpeedup], primary: str) -> list[str]:
    verdicts = [m.verdict for r in speedups if (m := r.metric(primary)) is not None]
    if not verdicts or "faster" in verdicts:
        return []
    return [f"No k is measurably faster than the baseline by {primary} at any measured load (every verdict: "
            f"{', '.join(sorted(set(verdicts))) or 'none'}). On CPU this is expected: a draft forward pass costs "
            "about as much as the target's, so speculation gains little or loses; no winner is made up."]
