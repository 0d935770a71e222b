"""Turn folded inputs into `SourceResult`s, and compare two sources.

Kinds: `metrics_delta` (after − before scrape: run-scoped, exact), `metrics_scrape` (one scrape:
counters since the server started), `log_intervals` (V1 lines summed within one segment and
window), `log_cumulative_v0` (V0 cumulative lines: last in window − last before it).
"""

from __future__ import annotations

from speclens.analyzers.log_source import SegmentFold
from speclens.analyzers.metrics import acceptance_metrics
from speclens.analyzers.report import Agreement, Counts, LogDetail, SourceResult
from speclens.parsers.prometheus import EngineCounters


def _span(seg: SegmentFold) -> str:
    lines, times = seg.taken.lines, seg.taken.times
    first, last = (lines[0], lines[-1]) if lines else ("?", "?")
    shown = f", {times[0] or '?'} → {times[-1] or '?'}" if times and (times[0] or times[-1]) else ""
    return f"lines {first}–{last}{shown}"


def _v0_counts(seg: SegmentFold) -> Counts:
    last, before = seg.taken.v0_last, seg.v0_before
    assert last is not None
    k = seg.k()
    draft_tokens = last.draft_tokens - (before.draft_tokens if before else 0)
    emitted = None
    if last.emitted is not None and (before is None or before.emitted is not None):
        emitted = last.emitted - (before.emitted if before else 0)  # type: ignore[operator]
    drafts, drafts_from, spread = None, "unavailable", None
    if k:
        drafts, drafts_from = draft_tokens // k, "drafted/k"
        if draft_tokens % k:  # V0 proposes k tokens per draft: a remainder means the counts are odd
            drafts_from, spread = "estimated", [draft_tokens // k, -(-draft_tokens // k)]
    return Counts(k=k, drafts=drafts, draft_tokens=draft_tokens,
                  accepted_tokens=last.accepted - (before.accepted if before else 0), emitted_tokens=emitted,
                  drafts_from=drafts_from, per_position_from="unavailable", drafts_range=spread)  # type: ignore[arg-type]


def log_source(path: str, seg: SegmentFold, keep_series: bool, scope_note: str = "") -> SourceResult | None:
    """The source of one segment's spec lines inside the window, or None when there are none.
    `scope_note` (e.g. the run's window) is appended to the scope text."""
    taken = seg.taken
    if taken.used == 0:
        return None
    info = seg.info
    detail = LogDetail(
        segment=info.index, formats=sorted(seg.formats), intervals_used=taken.used,
        intervals_skipped_warmup=seg.skipped, intervals_outside_window=seg.outside,
        intervals_before_window=seg.before, intervals_after_window=seg.after, intervals_untimed=seg.untimed,
        first_line=taken.lines[0], last_line=taken.lines[-1], first_time=taken.times[0], last_time=taken.times[-1],
    )
    note = f"; {scope_note}" if scope_note else ""
    if taken.v0_last is not None:
        before = seg.v0_before
        counts = _v0_counts(seg)
        since = f"line {before.lineno}" if before else "server start"
        scope = f"log segment {info.index}, V0 cumulative lines ({_span(seg)}): last − {since}{note}"
        return SourceResult(id=f"log:{info.index}", kind="log_cumulative_v0", scope=scope, files=[path],
                            counts=counts, metrics=acceptance_metrics(counts), log=detail)
    k = seg.k()
    counts = taken.total.counts(k)
    detail.legacy = taken.legacy.result()
    detail.series = taken.series if keep_series else None
    engines = {name: tally.counts(k) for name, tally in sorted(taken.engines.items())} if len(taken.engines) > 1 else {}
    scope = f"log segment {info.index}, {taken.used} interval{'s' if taken.used != 1 else ''} ({_span(seg)}){note}"
    return SourceResult(id=f"log:{info.index}", kind="log_intervals", scope=scope, files=[path], counts=counts,
                        metrics=acceptance_metrics(counts), per_engine=engines, log=detail)


def series_gaps(engine: EngineCounters) -> list[str]:
    """Why these counters' per-position series cannot be complete (empty when it can be): a
    position missing below the highest, the positions not adding up to accepted (in V1 every
    accepted token is counted at its position), or more draft tokens per draft than positions."""
    pp = engine.per_position
    if not pp:
        return []
    out = []
    width = max(pp) + 1
    missing = [str(i) for i in range(width) if i not in pp]
    if missing:
        out.append(f"position(s) {', '.join(missing)} missing below position {width - 1}")
    total = sum(pp.values())
    if engine.accepted is not None and total != engine.accepted:
        out.append(f"the per-position counts add up to {total}, not to accepted tokens {engine.accepted}")
    if engine.drafts and engine.draft_tokens is not None and engine.draft_tokens > engine.drafts * width:
        out.append(f"{engine.draft_tokens} draft tokens in {engine.drafts} drafts is more than {width} per draft, "
                   f"so k is larger than the {width} positions exported")
    return out


def _counts(engine: EngineCounters, k: int | None) -> Counts:
    """Counts of one engine's counters. k: the given one (from the log), else the number of
    per-position series, but only when that series is complete (`series_gaps`)."""
    positions = None
    if engine.per_position:
        width = max(engine.per_position) + 1
        positions = [engine.per_position.get(i, 0) for i in range(width)]
        if not series_gaps(engine):
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
