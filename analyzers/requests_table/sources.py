"""What `speclens requests` reads for one RUN argument: every request record of it, with the run,
cell and role each belongs to (`Part`).

- a run directory: its own load-driver JSON (`parsers.load_results.find_load_results`), each cell
  of a multi-phase run (`RUN/cells/<id>/`, listed in the top run.json's `cells`: parsers.run_cells),
  and its `baseline/` sub-run when that has load results. A cell whose load results are missing is
  skipped with a note (a planned or failed phase); one that cannot be read is an error.
- a guidellm result JSON, or raw OpenAI responses (JSON, JSON array, JSON Lines):
  `parsers.request_metrics.read_request_set`.

The rows themselves are the parsers' typed `RequestSeen` records; nothing is parsed here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from speclens.parsers.errors import ParseError
from speclens.parsers.load_results import find_load_results
from speclens.parsers.request_metrics import read_request_set, request_set_of
from speclens.parsers.request_metrics_records import RequestSpecSet
from speclens.parsers.run_dir import LOAD_RESULTS, detect, read_manifest

_NOT_ROWS = ("expected a run directory, a guidellm result JSON or raw OpenAI responses (JSON or JSON Lines) "
             "with per-request rows")


@dataclass(frozen=True)
class Part:
    """The requests of one load-driver file of a RUN argument."""

    run: str  # the RUN argument as given
    cell_id: str | None  # the cell (RUN/cells/<id>/) they ran in; None outside a multi-phase run
    category: str | None  # the cell's data subset (parsers.run_cells.Cell.category); None: whole dataset / unknown
    role: str | None  # "spec" or "baseline" (the cell's role, RUN/baseline, run.json config.baseline); None: unknown
    requests: RequestSpecSet


@dataclass
class Parts:
    parts: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one line each, for stderr (skipped cells, invalid records)


def _folder(run: str, folder: str, cell_id: str | None, category: str | None, role: str | None,
            out: Parts, required: bool) -> None:
    if not required and not os.path.isdir(folder):  # a planned or failed phase
        out.notes.append(f"{folder}: no load-driver results; skipped")
        return
    found = find_load_results(folder)
    if found.errors and found.used is None:
        raise found.errors[0]
    if found.used is None:
        if required:
            raise ParseError(folder, None, "no load-driver results (guidellm_results.json) in this run directory",
                             "pass a run directory written by run_eval.sh, or the guidellm JSON itself")
        out.notes.append(f"{folder}: no load-driver results; skipped")
        return
    got = request_set_of(found.used, found.doc, category)
    if got is None:
        raise ParseError(found.used, None, "no per-request rows (a vllm bench serve JSON keeps none speclens reads)",
                         "run the load with guidellm (run_eval.sh does)")
    out.parts.append(Part(run, cell_id, category, role, got))


def _manifest_role(folder: str) -> str | None:
    manifest = read_manifest(os.path.join(folder, "run.json"))
    baseline = getattr(getattr(manifest, "config", None), "baseline", None)
    return None if baseline is None else "baseline" if baseline else "spec"


def _run_dir(run: str, out: Parts) -> None:
    manifest = read_manifest(os.path.join(run, "run.json"))
    cells = list(getattr(manifest, "cells", None) or [])
    own = detect(run).file(LOAD_RESULTS) is not None or not cells
    if own:
        _folder(run, run, None, None, _manifest_role(run), out, required=not cells)
    for cell in cells:
        _folder(run, os.path.join(run, cell.dir), cell.id, cell.category, cell.role, out, required=False)
    baseline = os.path.join(run, "baseline")
    if os.path.isdir(baseline):
        _folder(run, baseline, None, None, "baseline", out, required=False)


def request_parts(runs: list[str]) -> Parts:
    """Every RUN's parts, in order (ParseError / OSError for one that cannot be read)."""
    out = Parts()
    for run in runs:
        if os.path.isdir(run):
            _run_dir(run, out)
            continue
        got = read_request_set(run)
        if got is None:
            raise ParseError(run, None, _NOT_ROWS, "vllm bench serve and speclens client JSON keep no per-request "
                             "spec-decode rows; pass the run directory or the guidellm JSON")
        out.parts.append(Part(run, None, None, None, got))
    for part in out.parts:
        if part.requests.sampled:
            out.notes.append(f"{part.run}: its load results keep a sample of the requests run (guidellm "
                             "sample_size): the rows are that sample, sums over them are not the run's totals")
        for v in part.requests.violations[:1]:
            out.notes.append(f"{len(part.requests.violations)} per-request record(s) failed validation (their "
                             f"acceptance columns are null); first: {v.location}: {v.what}")
    return out
