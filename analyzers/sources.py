"""Turn folded inputs into `SourceResult`s, and compare two sources.

Kinds: `metrics_delta` (after − before scrape: run-scoped, exact), `metrics_scrape` (one scrape:
counters since the server started), `log_intervals` (V1 lines summed within one segment and
window), `log_cumulative_v0` (V0 cumulative lines: last in window − last before it).
"""

from __future__ import annotations

from analyzers.log_source import SegmentFold
from analyzers.metrics import acceptance_metrics
from analyzers.report import Agreement, Counts, LogDetail, SourceResult
from parsers.prometheus import EngineCounters


def _span(seg: SegmentFold) -> str:
    lines = seg.used_lines
    first, last = (lines[0], lines[-1]) if lines else (None, None)
    times = f", {seg.used_times[0]} → {seg.used_times[-1]}" if seg.used_times and seg.used_times[0] else ""
    return f"lines {first}–{last}{times}"


def log_source(path: str, seg: SegmentFold, keep_series: bool) -> SourceResult | None:
    """The source of one segment's spec lines inside the window, or None when there are none."""
    if seg.used == 0:
        return None
    info = seg.info
    detail = LogDetail(
        segment=info.index, formats=sorted(seg.formats), intervals_used=seg.used,
        intervals_skipped_warmup=seg.skipped, intervals_outside_window=seg.outside,
        first_line=seg.used_lines[0], last_line=seg.used_lines[-1],
        first_time=seg.used_times[0], last_time=seg.used_times[-1],
    )
    if seg.v0_last is not None:
        last, before = seg.v0_last, seg.v0_before
        k = last.num_spec_tokens
        draft_tokens = last.draft_tokens - (before.draft_tokens if before else 0)
        emitted = None if last.emitted is None else last.emitted - (before.emitted or 0 if before else 0)
        counts = Counts(k=k, drafts=draft_tokens // k if k else None, draft_tokens=draft_tokens,
                        accepted_tokens=last.accepted - (before.accepted if before else 0),
                        emitted_tokens=emitted, drafts_from="drafted/k" if k else "unavailable",
                        per_position_from="unavailable")
        scope = f"log segment {info.index}, V0 cumulative lines ({_span(seg)}): last − {'line ' + str(before.lineno) if before else 'server start'}"
        return SourceResult(id=f"log:{info.index}", kind="log_cumulative_v0", scope=scope, files=[path],
                            counts=counts, metrics=acceptance_metrics(counts), log=detail)
    k = info.num_spec_tokens or (len(seg.total.per_position) if seg.total.per_position else None)
    counts = seg.total.counts(k)
    detail.legacy = seg.legacy.result()
    detail.series = seg.series if keep_series else None
    engines = {name: tally.counts(k) for name, tally in sorted(seg.engines.items())} if len(seg.engines) > 1 else {}
    scope = f"log segment {info.index}, {seg.used} intervals ({_span(seg)})"
    return SourceResult(id=f"log:{info.index}", kind="log_intervals", scope=scope, files=[path], counts=counts,
                        metrics=acceptance_metrics(counts), per_engine=engines, log=detail)


def _counts(engine: EngineCounters, k: int | None) -> Counts:
    positions = None
    if engine.per_position:
        width = max(engine.per_position) + 1
        positions = [engine.per_position.get(i, 0) for i in range(width)]
        k = k or width
    drafts, drafts_from = engine.drafts, "counter"
    if drafts is None:
        drafts = engine.draft_tokens // k if k and engine.draft_tokens is not None else None
        drafts_from = "drafted/k" if drafts is not None else "unavailable"
    return Counts(k=k, drafts=drafts, draft_tokens=engine.draft_tokens or 0, accepted_tokens=engine.accepted or 0,
                  accepted_per_position=positions, emitted_tokens=engine.emitted, drafts_from=drafts_from,
                  per_position_from="counter" if positions is not None else "unavailable")


def _sum(engines: dict[str, EngineCounters]) -> EngineCounters:
    total = EngineCounters()
    for e in engines.values():
        for attr in ("drafts", "draft_tokens", "accepted", "emitted"):
            value = getattr(e, attr)
            if value is not None:
                setattr(total, attr, (getattr(total, attr) or 0) + value)
        for pos, value in e.per_position.items():
            total.per_position[pos] = total.per_position.get(pos, 0) + value
    return total


def metrics_source(source_id: str, kind: str, scope: str, files: list[str],
                   engines: dict[str, EngineCounters], k: int | None) -> SourceResult:
    """A source from per-engine counters (a scrape or a delta): summed over engines, kept per engine."""
    counts = _counts(_sum(engines), k)
    per_engine = {name: _counts(e, counts.k) for name, e in sorted(engines.items())} if len(engines) > 1 else {}
    return SourceResult(id=source_id, kind=kind, scope=scope, files=files, counts=counts,
                        metrics=acceptance_metrics(counts), per_engine=per_engine)


def compare(a: SourceResult, b: SourceResult, note: str = "") -> Agreement:
    """`b − a` for every count both sources have; `agree` when all of them are zero."""
    ca, cb = a.counts, b.counts
    drafts = None if ca.drafts is None or cb.drafts is None else cb.drafts - ca.drafts
    pp = None
    if ca.accepted_per_position is not None and cb.accepted_per_position is not None:
        width = max(len(ca.accepted_per_position), len(cb.accepted_per_position))
        pa = ca.accepted_per_position + [0] * (width - len(ca.accepted_per_position))
        pb = cb.accepted_per_position + [0] * (width - len(cb.accepted_per_position))
        pp = [y - x for x, y in zip(pa, pb, strict=True)]
    diffs = [cb.accepted_tokens - ca.accepted_tokens, cb.draft_tokens - ca.draft_tokens, drafts or 0, *(pp or [])]
    return Agreement(a=a.id, b=b.id, accepted_tokens_diff=diffs[0], draft_tokens_diff=diffs[1], drafts_diff=drafts,
                     per_position_diff=pp, agree=not any(diffs), note=note)
