"""A run directory's own time window, from its run.json, and what a window did to a log.

run.json (`parsers.run_dir.RunManifest`, written by launchers/manifest.py) holds
`started_at`/`ended_at` of the whole run and, since schema 1 with step times,
`started_at`/`ended_at` per step, all local time with year and UTC offset
(`2026-11-22T23:54:22+0000`). The window the /metrics delta covers is from the start of the
`metrics-before` step to the end of the `metrics-after` step; run directories written before
steps had times fall back to the run's start and end. Those times anchor the log's year-less
clock (`analyzers.log.window.Anchor`).
"""

from __future__ import annotations

from dataclasses import dataclass

from speclens.analyzers.acceptance.models import AppliedWindow, Notice, Window
from speclens.analyzers.log.source import LogFold
from speclens.analyzers.log.window import RELATION_TEXT, SPAN_TEXT, Anchor, parse_run_time
from speclens.parsers.errors import ParseError
from speclens.parsers.run_dir import MANIFEST, RunFiles, read_manifest


@dataclass(frozen=True, slots=True)
class RunScope:
    anchor: Anchor
    window: Window  # since/until as run.json wrote them (ISO with offset); until None if the run never ended
    basis: str  # which run.json entries the window comes from


def read_run_scope(run_dir: str) -> RunScope | None:
    """The run's window from `run_dir/run.json`, or None when there is no usable one."""
    try:
        manifest = read_manifest(RunFiles(run_dir).manifest)
    except (ParseError, OSError):
        return None
    if manifest is None:
        return None
    before, after = manifest.step("metrics-before"), manifest.step("metrics-after")
    since = before.started_at if before else None
    until = after.ended_at if after else None
    basis = f"{MANIFEST} steps metrics-before → metrics-after"
    if parse_run_time(since) is None:
        since, until = manifest.started_at, manifest.ended_at
        basis = f"{MANIFEST} started_at → ended_at"
    start = parse_run_time(since)
    if start is None:
        return None
    return RunScope(Anchor(start), Window(since=since, until=until if parse_run_time(until) else None), basis)


def applied_window(fold: LogFold, origin: str) -> AppliedWindow | None:
    lw = fold.window
    if not lw.active:
        return None
    since, until = (lw.since, lw.until) if lw.first_key is not None else (None, None)
    w = lw.window
    return AppliedWindow(origin=origin, since=w.since, until=w.until, since_on_log=lw.stamp(since),
                         until_on_log=lw.stamp(until), since_relation=lw.relation(since),
                         until_relation=lw.relation(until), log_first_time=lw.stamp(lw.earliest),
                         log_latest_time=lw.stamp(lw.latest), notes=list(lw.notes))


def _bound_cause(name: str, given: str | None, placed: str | None, relation: str | None, removed: int,
                 origin: str) -> str:
    edge = "start" if name == "since" else "end"
    who = f"--{name} {given!r}" if origin == "options" else f"the run's {edge} ({given})"
    where = f" (placed at {placed}, {RELATION_TEXT[relation]})" if placed and relation else ""
    return f"{who}{where} removed {removed}"


def window_notices(fold: LogFold, origin: str, skip_first: int, basis: str = "") -> list[Notice]:
    """What the window and --skip-first removed, when it matters: everything (then exactly what
    removed how much), or, for the run's own window, the intervals outside the run."""
    segs = fold.segments
    total = sum(s.spec_lines for s in segs)
    skipped, before = sum(s.skipped for s in segs), sum(s.before for s in segs)
    after, untimed = sum(s.after for s in segs), sum(s.untimed for s in segs)
    out = [Notice(level="info", code="window-placement", message=note) for note in fold.window.notes]
    applied = applied_window(fold, origin)
    if total and not any(s.taken.used for s in segs):
        causes = [f"--skip-first {skip_first} removed {skipped}"] if skipped else []
        if applied is not None and before:
            causes.append(_bound_cause("since", applied.since, applied.since_on_log, applied.since_relation, before,
                                       origin))
        if applied is not None and after:
            causes.append(_bound_cause("until", applied.until, applied.until_on_log, applied.until_relation, after,
                                       origin))
        if untimed:
            causes.append(f"{untimed} had no timestamp, which a time window needs")
        lw = fold.window
        span = (f"; {SPAN_TEXT} {lw.stamp(lw.earliest)} → {lw.stamp(lw.latest)}"
                if lw.first_key is not None else "")
        hint = "; pass --since/--until to choose another window" if origin == "run.json" else ""
        out.append(Notice(level="warning", code="window-removed-all", location=fold.path, message=(
            f"the log has {total} spec-metrics line(s) in {len(segs)} server lifetime(s) and none is left: "
            f"{'; '.join(causes)}{span}{hint}")))
    elif origin == "run.json" and (before or after):
        start = (applied.since_on_log if applied else None) or "?"
        end = (applied.until_on_log if applied else None) or "end"
        out.append(Notice(level="info", code="run-scoped", location=fold.path, message=(
            f"the log also holds {before + after} spec-metrics line(s) outside this run ({before} before it began, "
            f"{after} after it ended): the server served other traffic; the log source covers only the run's window "
            f"{start} → {end} "
            f"({basis}); pass --since/--until to choose another window")))
    return out
