"""`speclens profile PATH [-o speculation_profile.json]`: the body of the command.

PATH is read as `speclens acceptance` reads it (`analyzers.acceptance.report.build_report`, one
target); a run directory adds its run.json (`measurement_conditions`) and, for a multi-phase run,
the per-category fields of its spec cells that name a `category` (parsers.run_cells). The profile
itself: `analyzers.profile.build`. Written through the one -o guard (`analyzers.commands.emit`).
A PATH without spec-decode data is refused with one line; a profile that fails its own validation
is written and said on stderr, as specdec_bench does.
"""

from __future__ import annotations

import json
import os
from typing import Any

from speclens.analyzers.commands import EXIT_OK, emit, input_boundary
from speclens.analyzers.render.console import warn
from speclens.parsers.errors import ParseError


def _report(path: str) -> tuple[Any, list[str]]:
    from speclens.analyzers.acceptance.models import Window
    from speclens.analyzers.acceptance.report import build_report

    report = build_report([path], Window())
    return report.targets[0], [i.path for i in report.inputs]


def _manifest(path: str) -> Any:
    from speclens.parsers.run_dir import RunFiles, read_manifest

    return read_manifest(RunFiles(path).manifest) if os.path.isdir(path) else None


def _per_category(path: str, manifest: Any, method: str | None, protected: list[str]) -> dict[str, Any]:
    """{category: acceptance fields} over the run's spec cells with a category (a category run by
    several cells, e.g. several k or loads, is keyed "category (cell id)", never pooled)."""
    from speclens.analyzers.profile.build import category_entry, core

    cells = [c for c in (manifest.cells if manifest else []) if c.role == "spec" and c.category]
    counts = {c.category: sum(d.category == c.category for d in cells) for c in cells}
    out: dict[str, Any] = {}
    for cell in cells:
        cell_dir = os.path.join(path, cell.dir)
        if not os.path.isdir(cell_dir):
            continue
        target, inputs = _report(cell_dir)
        protected += inputs
        fields = core(target)
        if fields is not None:
            key = cell.category if counts[cell.category] == 1 else f"{cell.category} ({cell.id})"
            out[key] = category_entry(fields, method)
    return out


@input_boundary
def run_profile(path: str, output: str | None) -> int:
    from speclens.analyzers.profile.build import core, per_cell_only, profile

    target, protected = _report(path)
    manifest = _manifest(path)
    config = manifest.config if manifest is not None else None
    logged = {name: next((getattr(s, attr) for s in target.segments if getattr(s, attr)), None)
              for name, attr in (("vllm_version", "vllm_version"), ("model", "model"), ("method", "spec_method"))}
    method = getattr(config, "method", None) or logged["method"]
    per_category = _per_category(path, manifest, method, protected)
    fields = core(target) or (per_cell_only() if per_category else None)
    if fields is None:
        why = next((n.message for n in target.notices if n.code in ("no-spec-data", "no-per-request-metrics")), "")
        raise ParseError(path, None, "expected speculative-decoding data (per-request metrics, /metrics counters or "
                         f"SpecDecoding log lines){': ' + why if why else ''}",
                         "point at a run of a server that speculated")
    doc = profile(fields, config, per_category, logged)
    emit(json.dumps(doc, indent=2) + "\n", output, protected)
    consistency = doc["validation"]["mean_consistency"]
    if consistency["passed"] is False:
        warn(f"the profile fails its mean-consistency check: 1 + Σ marginal = {consistency['implied_mean_accept_length']:.4f}"
             f" vs mean_accept_length {consistency['reported_mean_accept_length']:.4f} (tolerance "
             f"{consistency['tolerance']})")
    if doc["validation"]["marginal_monotonicity"]["passed"] is False:
        warn("the profile's marginal_accept_rates increase somewhere (see validation.marginal_monotonicity)")
    return EXIT_OK
