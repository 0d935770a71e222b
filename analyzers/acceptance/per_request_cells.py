"""The per-request records of a multi-phase run pooled over its cells: a run directory whose top
has no load results of its own (`run_eval.sh --categories`: one load phase per category, each in
RUN/cells/<id>/, parsers.run_cells) gets one per-request section over the requests of every spec cell
that ran, each record tagged with its cell's category, so acceptance by prompt length, output length
and position is read over the whole run (a category alone often has too few requests for bins).

Pooled only when every such cell ran the same k (one server lifetime: the top /metrics delta then
covers exactly these steps and the per-request sums are checked against it); a k x load sweep's cells
are read one by one (`speclens sweep`).
"""

from __future__ import annotations

import os
from dataclasses import replace

from speclens.parsers.errors import ParseError
from speclens.parsers.load_results import find_load_results
from speclens.parsers.request_metrics import request_specs_of
from speclens.parsers.request_metrics_records import RequestSpecSet
from speclens.parsers.run_dir import RunFiles, read_manifest


def _sampled(sets: list[RequestSpecSet]) -> bool | None:
    flags = [s.sampled for s in sets]
    return True if True in flags else (None if None in flags else False)


def pooled(sets: list[RequestSpecSet]) -> RequestSpecSet:
    """One set of several (records, requests and violations joined in order; counts summed; sampled when
    any is a sample, unknown when any is unknown; the source kind when they share one, else "mixed")."""
    kinds = {s.source_kind for s in sets}
    return RequestSpecSet(records=tuple(r for s in sets for r in s.records),
                          source_kind=kinds.pop() if len(kinds) == 1 else "mixed",
                          requests_seen=sum(s.requests_seen for s in sets),
                          without_metrics=sum(s.without_metrics for s in sets), sampled=_sampled(sets),
                          violations=tuple(v for s in sets for v in s.violations),
                          requests=tuple(r for s in sets for r in s.requests))


def cells_request_specs(run_dir: str) -> tuple[RequestSpecSet, list[str]] | None:
    """The spec cells' per-request records pooled (each tagged with its cell's category) and the load-result
    files read; None when the run has no cells, no cell with per-request data, or cells of different k."""
    try:
        manifest = read_manifest(RunFiles(run_dir).manifest)
    except ParseError:
        return None  # the acceptance report names a bad run.json
    cells = [c for c in manifest.cells if c.role == "spec" and c.status == "ok"] if manifest is not None else []
    sets, files = [], []
    for cell in cells:
        try:
            found = find_load_results(os.path.join(run_dir, cell.dir))
            spec_set = request_specs_of(found.used, found.doc, cell.category) if found.used else None
        except (ParseError, OSError, ValueError):
            continue  # the category table says the cell could not be read
        if spec_set is not None:
            tagged = tuple(replace(r, category=cell.category) for r in spec_set.records)
            sets.append(replace(spec_set, records=tagged))
            files.append(found.used)
    if not sets or len({r.k for s in sets for r in s.records}) > 1:
        return None
    return pooled(sets), files
