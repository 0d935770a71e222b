"""Fold the records of one vLLM log into per-segment acceptance sources, in one pass.

Per segment (server lifetime; never summed across): V1 intervals inside the window are summed
as exact integers (Accepted, Drafted) plus drafts and per-position counts reconstructed per
interval (`analyzers.reconstruct`); V0 cumulative lines give `last in window − last before
window`. Window: `--since/--until` on log time (inclusive), placed on this log's own span by
`analyzers.window.LogWindow` (which may move `since` forward while reading: then everything
taken so far is recounted as before the window), and `--skip-first N` spec lines per segment
(warm-up). Per-engine totals are kept when lines carry engine attribution. With a `reference`
window (the run's own, from run.json, when the options override it), the intervals taken
before and after it are counted, to explain a log-vs-/metrics difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from speclens.analyzers.interval_tally import Tally
from speclens.analyzers.metrics import LegacyTally
from speclens.analyzers.reconstruct import is_fixed_length, solve
from speclens.analyzers.report import IntervalPoint, SegmentInfo, Window
from speclens.analyzers.window import Anchor, LogWindow
from speclens.parsers.records import (
    ServerStart, SpecCumulative, SpecInterval, StatsLoggingDisabled, ThroughputLine, TruncatedInput, UnparsedSpecLine,
)
from speclens.parsers.vllm_log import read_vllm_log


@dataclass
class Taken:
    """What a segment's spec lines inside the window add up to; replaced whole when the window
    turns out to exclude all of it."""

    used: int = 0
    lines: list[int] = field(default_factory=list)  # first and last used line
    times: list[str | None] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)
    engines: dict[str, Tally] = field(default_factory=dict)
    legacy: LegacyTally = field(default_factory=LegacyTally)
    series: list[IntervalPoint] | None = None
    v0_last: SpecCumulative | None = None
    before_run: int = 0  # used lines before / after the reference window
    after_run: int = 0
    before_run_lines: list[int] = field(default_factory=list)  # first and last such line


@dataclass
class SegmentFold:
    """One lifetime's running state. Per-record positions are plain attributes (cheap on the hot
    path); `finish()` copies them into `info`."""

    info: SegmentInfo
    first_line: int | None = None
    last_line: int | None = None
    first_time: str | None = None
    last_time: str | None = None
    spec_lines: int = 0
    formats: set[str] = field(default_factory=set)
    skipped: int = 0
    before: int = 0
    after: int = 0
    untimed: int = 0
    seen: int = 0
    taken: Taken = field(default_factory=Taken)
    keep_series: bool = False
    v0_before: SpecCumulative | None = None
    v0_seen: SpecCumulative | None = None  # the last V0 line read, in or out of the window
    v0_k: int | None = None
    rates_k: int | None = None  # the most per-position rates on one line
    fixed_length: bool | None = None  # is_fixed_length(info.spec_method), kept current

    @property
    def outside(self) -> int:
        return self.before + self.after + self.untimed

    def k(self) -> int | None:
        """The one k of this segment (`SegmentInfo.k`): a V0 line's own, else the startup line's,
        else the longest per-position list."""
        return self.v0_k or self.info.num_spec_tokens or self.rates_k

    def clear(self) -> None:
        self.taken = Taken(series=[] if self.keep_series else None)


@dataclass
class LogFold:
    path: str
    window: LogWindow
    reference: LogWindow | None = None
    segments: list[SegmentFold] = field(default_factory=list)
    unparsed: list[UnparsedSpecLine] = field(default_factory=list)
    unparsed_count: int = 0
    untimed_excluded: int = 0
    truncated: TruncatedInput | None = None
    v0_resets: list[tuple[SpecCumulative, SpecCumulative]] = field(default_factory=list)  # (last before, first after)


def _new_segment(index: int, keep_series: bool) -> SegmentFold:
    seg = SegmentFold(SegmentInfo(index=index, first_line=None, last_line=None, first_time=None, last_time=None,
                                  vllm_version=None, model=None, spec_method=None, num_spec_tokens=None, spec_lines=0),
                      keep_series=keep_series)
    seg.clear()
    return seg


def fold_log(path: str, window: Window, keep_series: bool = False,
             on_chunk: Callable[[bytes], None] | None = None, anchor: Anchor | None = None,
             reference: Window | None = None) -> LogFold:
    """Read the log once and fold it into per-segment tallies."""
    fold = LogFold(path, LogWindow(window, anchor), LogWindow(reference, anchor) if reference and anchor else None)
    lw, ref = fold.window, fold.reference
    timed = lw.active or ref is not None
    skip_first = window.skip_first
    last_v0: SpecCumulative | None = None
    for rec in read_vllm_log(path, on_chunk, every_stats_line=False):  # the others change no fold
        while len(fold.segments) <= rec.segment:
            fold.segments.append(_new_segment(len(fold.segments), keep_series))
        seg = fold.segments[rec.segment]
        info = seg.info
        if seg.first_line is None:
            seg.first_line = rec.lineno
            if isinstance(rec, SpecCumulative) and rec.reset_after_line is not None:
                info.starts_because = "V0 counters went down"
                if last_v0 is not None:
                    fold.v0_resets.append((last_v0, rec))
            elif info.index:
                info.starts_because = "engine start"
        seg.last_line = rec.lineno
        if rec.timestamp is not None:
            if seg.first_time is None:
                seg.first_time = rec.timestamp
            seg.last_time = rec.timestamp
        if timed and rec.time_key is not None:
            _see(fold, rec.time_key)
        kind = type(rec)
        if kind is SpecInterval:
            seg.spec_lines += 1
            _take_interval(fold, seg, rec, skip_first, lw.active)  # type: ignore[arg-type]
        elif kind is ThroughputLine:
            pass
        elif kind is SpecCumulative:
            seg.spec_lines += 1
            last_v0 = rec  # type: ignore[assignment]
            _take_v0(fold, seg, rec, skip_first)  # type: ignore[arg-type]
        elif isinstance(rec, ServerStart):
            info.vllm_version = rec.vllm_version or info.vllm_version
            info.model = rec.model or info.model
            info.spec_method = rec.spec_method or info.spec_method
            info.num_spec_tokens = rec.num_spec_tokens or info.num_spec_tokens
            seg.fixed_length = is_fixed_length(info.spec_method)
        elif isinstance(rec, StatsLoggingDisabled):
            info.stats_logging_disabled = True
        elif isinstance(rec, UnparsedSpecLine):
            fold.unparsed_count += 1
            if len(fold.unparsed) < 20:
                fold.unparsed.append(rec)
        elif isinstance(rec, TruncatedInput):
            fold.truncated = rec
        else:
            raise TypeError(f"unexpected record {type(rec).__name__}")
    if lw.active and lw.finish():  # --until ended up before the log's start
        for seg in fold.segments:
            seg.after += seg.taken.used
            seg.clear()
    for seg in fold.segments:
        seg.info.first_line, seg.info.last_line = seg.first_line, seg.last_line
        seg.info.first_time, seg.info.last_time = seg.first_time, seg.last_time
        seg.info.spec_lines = seg.spec_lines
        seg.info.k = seg.k()
        seg.info.k_from = ("V0 spec lines" if seg.v0_k else "startup line" if seg.info.num_spec_tokens
                           else "per-position rates" if seg.rates_k else None)
    return fold


def _see(fold: LogFold, key: int) -> None:
    """Place the window's bounds as the log's span grows (see `analyzers.window`)."""
    lw = fold.window
    if lw.active:
        if lw.first_key is None:
            lw.begin(key)
        elif key > lw.latest:  # type: ignore[operator]
            if not lw.pending:
                lw.latest = key
            elif lw.see(key):  # since moved past everything read so far
                for seg in fold.segments:
                    seg.before += seg.taken.used + seg.after
                    seg.after = 0
                    seg.v0_before = seg.v0_seen
                    seg.clear()
    ref = fold.reference
    if ref is not None and ref.first_key is None:
        ref.begin(key)


def _outside(fold: LogFold, seg: SegmentFold, rec: SpecInterval | SpecCumulative) -> bool:
    """Count `rec` as outside the time window when it is (the window is active)."""
    lw, key = fold.window, rec.time_key
    if key is None:
        fold.untimed_excluded += 1
        seg.untimed += 1
        return True
    if lw.since is not None and key < lw.since:
        seg.before += 1
        if type(rec) is SpecCumulative:
            seg.v0_before = rec
        return True
    if lw.until is not None and key > lw.until:
        seg.after += 1
        return True
    return False


def _used(fold: LogFold, taken: Taken, rec: SpecInterval | SpecCumulative) -> None:
    """Note `rec` as taken: its line and time, and where it is against the reference window."""
    taken.used += 1
    lines = taken.lines
    if lines:
        lines[1] = rec.lineno
        taken.times[1] = rec.timestamp
    else:
        lines += (rec.lineno, rec.lineno)
        taken.times += (rec.timestamp, rec.timestamp)
    ref = fold.reference
    if ref is not None and rec.time_key is not None:
        if ref.since is not None and rec.time_key < ref.since:
            taken.before_run += 1
            if taken.before_run_lines:
                taken.before_run_lines[1] = rec.lineno
            else:
                taken.before_run_lines += (rec.lineno, rec.lineno)
        elif ref.until is not None and rec.time_key > ref.until:
            taken.after_run += 1


def _take_v0(fold: LogFold, seg: SegmentFold, rec: SpecCumulative, skip_first: int) -> None:
    seg.seen += 1
    seg.formats.add(rec.fmt)
    seg.v0_k = seg.v0_k or rec.num_spec_tokens
    if seg.seen <= skip_first:
        seg.skipped += 1
        seg.v0_before = seg.v0_seen = rec
        return
    seg.v0_seen = rec
    if fold.window.active and _outside(fold, seg, rec):
        return
    _used(fold, seg.taken, rec)
    seg.taken.v0_last = rec


def _take_interval(fold: LogFold, seg: SegmentFold, rec: SpecInterval, skip_first: int, active: bool) -> None:
    seg.seen += 1
    seg.formats.add(rec.fmt)
    if seg.seen <= skip_first:
        seg.skipped += 1
        return
    if active and _outside(fold, seg, rec):
        return
    taken = seg.taken
    _used(fold, taken, rec)
    rates = rec.per_position
    k = seg.info.num_spec_tokens
    if not k and rates:
        k = len(rates)
        if k > (seg.rates_k or 0):
            seg.rates_k = k
    sol = solve(rec.accepted, rec.drafted, k, rec.mean_acceptance_length, rates, seg.fixed_length)
    taken.total.add(rec, sol)
    if rec.engine is not None:
        name = str(rec.engine)
        tally = taken.engines.get(name)
        if tally is None:
            tally = taken.engines[name] = Tally()
        tally.add(rec, sol)
    taken.legacy.add(rec.drafted, rates)
    if taken.series is not None:
        drafts = sol.drafts
        mal = None if not drafts else 1.0 + rec.accepted / drafts
        taken.series.append(IntervalPoint(lineno=rec.lineno, timestamp=rec.timestamp, accepted=rec.accepted,
                                          drafted=rec.drafted, drafts=drafts, mean_acceptance_length=mal))
