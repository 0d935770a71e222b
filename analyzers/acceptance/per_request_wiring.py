"""A target's per-request acceptance section (`TargetReport.per_request`): the per-request
spec-decode metrics of the run's load-driver JSON (`parsers.request_metrics.read_request_specs`),
checked against the target's /metrics counters (`analyzers.acceptance.per_request`), with the
drafter's max_model_len from the run's server log (`parsers.startup.read_draft_max_model_len`).

A run directory's load-driver JSON is the one every command uses
(`parsers.load_results.find_load_results`). Load results without per-request data give one notice (a run directory
without load results, or without any spec-decode data: nothing more). A load-driver file that cannot be read is not this section's to
report (`speclens report` and `speedup` name it); a per-request record that fails validation is a
notice of the section.
"""

from __future__ import annotations

import os
from typing import Callable

from speclens.analyzers.acceptance.models import InputFile, Notice, SourceResult, TargetReport
from speclens.analyzers.acceptance.per_request import HOW_TO_ENABLE, per_request_section
from speclens.analyzers.acceptance.per_request_cells import cells_request_specs
from speclens.analyzers.acceptance.per_request_models import PerRequestSection
from speclens.parsers.load_results import FolderLoadResults, find_load_results
from speclens.parsers.request_metrics import request_specs_of
from speclens.parsers.run_dir import RunFiles
from speclens.parsers.startup import read_draft_max_model_len

COUNTER_KINDS = ("metrics_delta", "metrics_scrape")
NO_DATA = "no-per-request-metrics"


def run_load_results(run_dir: str) -> FolderLoadResults | None:
    """The run directory's load-driver JSON, read and parsed once (None: none, or it could not be read)."""
    found = find_load_results(run_dir)
    return found if found.run is not None else None


def counters_of(report: TargetReport) -> SourceResult | None:
    """The target's /metrics source (delta, else one scrape) to check the per-request sums against."""
    return next((s for s in report.sources if s.kind in COUNTER_KINDS), None)


def no_data_notice(path: str) -> Notice:
    return Notice(level="info", code=NO_DATA, location=path, message=(
        f"no per-request spec-decode metrics in {os.path.basename(path)} ({HOW_TO_ENABLE})"))


def attach_per_request(report: TargetReport, found: FolderLoadResults | None,
                       add_input: Callable[[str], InputFile]) -> PerRequestSection | None:
    """Set `report.per_request` from the per-request metrics in the run's load results (`found`, parsed
    once by find_load_results), or add the one no-data notice; `add_input` records the file (provenance)."""
    if found is None or found.used is None:
        pooled = cells_request_specs(report.path)  # a multi-phase run: its cells' requests, pooled
        if pooled is None:
            return None
        spec_set, files = pooled
        for path in files:
            add_input(path)
    else:
        path = found.used
        spec_set = request_specs_of(path, found.doc)
        if spec_set is None:
            if report.sources:  # a target without spec-decode data already says so (no-spec-data)
                report.notices.append(no_data_notice(path))
            return None
        add_input(path)
    log = next((p for p in (RunFiles(report.path).log, RunFiles(report.path).log_gz) if os.path.isfile(p)), None)
    drafter = read_draft_max_model_len(log) if log else None  # named by a fall of acceptance with prompt length
    report.per_request = per_request_section(spec_set, counters_of(report), drafter)
    return report.per_request
