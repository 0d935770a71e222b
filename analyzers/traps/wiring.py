"""The traps of one report: an acceptance target (run directory) or one side of a speedup.

Both hand over what they already parsed: the acceptance target its `FolderLoadResults.run` (the
load JSON find_load_results read once for the per-request section too) and its primary source's
counts; speedup its `RunContext` (load, folder, log head)."""

from __future__ import annotations

from speclens.analyzers.acceptance.models import Notice, TargetReport
from speclens.analyzers.traps.evidence import gather_evidence
from speclens.analyzers.traps.registry import run_traps
from speclens.parsers.guidellm import LoadRun
from speclens.parsers.server_hints import ServerHints


def target_traps(path: str, load: LoadRun | None, report: TargetReport,
                 hints: ServerHints | None = None) -> list[Notice]:
    """The trap notices of a run directory's acceptance target (`hints`: of its log, when the caller read them)."""
    source = report.source(report.primary) if report.primary else None
    counts = source.counts if source is not None else None
    method = next((g.spec_method for g in reversed(report.segments) if g.spec_method), None)
    log = next((s for s in report.sources if s.kind == "log_intervals"), None)
    delta = next((s for s in report.sources if s.kind == "metrics_delta"), None)
    counted = tuple(name for name, c in (delta.per_engine.items() if delta else ()) if c.draft_tokens)
    log_engines = (len(log.per_engine) or 1) if log is not None and log.counts.draft_tokens else None
    return run_traps(gather_evidence(path, load, hints, counts.draft_tokens if counts else None,
                                     counts.accepted_tokens if counts else None, method, log_engines, counted))


def side_traps(name: str, folder: str | None, load: LoadRun, hints: ServerHints | None) -> list[Notice]:
    """One speedup side's trap notices, each message prefixed with the side ("baseline: ...")."""
    return [n.model_copy(update={"message": f"{name}: {n.message}"})
            for n in run_traps(gather_evidence(folder, load, hints))]
