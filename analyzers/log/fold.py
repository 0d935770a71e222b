"""Fold the records of one vLLM log, in one pass, into one immutable summary per segment.

Per segment (server lifetime; never summed across): V1 intervals inside the window are summed
as exact integers (Accepted, Drafted) plus drafts and per-position counts reconstructed per
interval (`analyzers.log.reconstruct`); V0 cumulative lines give `last in window − last before
window`. Window: `--since/--until` on log time (inclusive), placed on this log's own span by
`analyzers.log.window.LogWindow` (which may move `since` forward while reading: then everything
taken so far is recounted as before the window), and `--skip-first N` spec lines per segment
(warm-up). Per-engine totals are kept when lines carry engine attribution. With a `reference`
window (the run's own, from run.json, when the options override it), the intervals taken
before and after it are counted, to explain a log-vs-/metrics difference.

Diffusion LMs' `DiffusionDecoding metrics:` lines go through the same window, `--skip-first` and
reference rules, into their own tally per segment (`analyzers.diffusion.fold`), never into the spec
counts.

The running state (`_Fold`, `_Segment`, `_Taken`) stays in this module; `fold_log` returns a
`LogFold` of frozen `SegmentFold`s (`analyzers.log.source`), built once at the end, with each
segment's k decided once (`analyzers.acceptance.metrics.decide_k`) and its counts already in report form.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from speclens.analyzers.acceptance.models import (
    Counts,
    FirstInterval,
    IntervalPoint,
    KFrom,
    SegmentInfo,
    SegmentStart,
    Window,
)
from speclens.analyzers.diffusion.fold import DiffusionTally
from speclens.analyzers.log.interval_tally import Tally
from speclens.analyzers.log.source import LogFold, SegmentFold, StrayTally, Taken
from speclens.analyzers.acceptance.metrics import LegacyTally, decide_k, drafts_from_k, v1_mean_acceptance_length
from speclens.analyzers.log.reconstruct import is_fixed_length, solve
from speclens.analyzers.log.window import Anchor, LogWindow
from speclens.parsers.diffusion_line import DiffusionInterval
from speclens.parsers.records import (
    ServerStart,
    SpecCumulative,
    SpecInterval,
    StatsLoggingDisabled,
    StrayBytes,
    ThroughputLine,
    TruncatedInput,
    UnparsedSpecLine,
)
from speclens.parsers.vllm_log import read_vllm_log


class _Taken:
    """The running totals of what the window takes from one segment; replaced whole when the
    window turns out to exclude all of it."""

    __slots__ = ("used", "lines", "times", "total", "engines", "legacy", "series", "v0_last", "before_run",
                 "after_run", "before_run_lines", "first_mal", "rest_sum", "rest_n", "intervals")

    def __init__(self, keep_series: bool) -> None:
        self.used = 0
        self.lines: list[int] = []  # first and last used line
        self.times: list[str | int | None] = []  # earliest, latest stamp taken; their time keys
        self.total = Tally()
        self.engines: dict[str, Tally] = {}
        self.legacy = LegacyTally()
        self.series: list[IntervalPoint] | None = [] if keep_series else None
        self.v0_last: SpecCumulative | None = None
        self.before_run = 0
        self.after_run = 0
        self.before_run_lines: list[int] = []
        self.first_mal: float | None = None  # the warm-up check's first interval against the rest
        self.rest_sum, self.rest_n, self.intervals = 0.0, 0, 0


class _Segment:
    """One lifetime's running state: plain attributes, cheap on the hot path."""

    __slots__ = ("index", "keep_series", "first_line", "last_line", "first_time", "last_time", "spec_lines", "formats",
                 "skipped", "before", "after", "untimed", "seen", "taken", "v0_before", "v0_seen", "v0_k", "rates_k",
                 "fixed_length", "vllm_version", "model", "spec_method", "num_spec_tokens", "stats_logging_disabled",
                 "starts_because", "diffusion")

    def __init__(self, index: int, keep_series: bool) -> None:
        self.index, self.keep_series = index, keep_series
        self.first_line: int | None = None
        self.last_line: int | None = None
        self.first_time: str | None = None
        self.last_time: str | None = None
        self.spec_lines = self.skipped = self.before = self.after = self.untimed = self.seen = 0
        self.formats: set[str] = set()
        self.taken = _Taken(keep_series)
        self.v0_before: SpecCumulative | None = None
        self.v0_seen: SpecCumulative | None = None  # the last V0 line read, in or out of the window
        self.v0_k: int | None = None
        self.rates_k: int | None = None  # the most per-position rates on one spec line, kept or not
        self.fixed_length: bool | None = None  # is_fixed_length(spec_method), kept current
        self.vllm_version: str | None = None
        self.model: str | None = None
        self.spec_method: str | None = None
        self.num_spec_tokens: int | None = None
        self.stats_logging_disabled = False
        self.starts_because: SegmentStart = "start of the file"
        self.diffusion = DiffusionTally()

    def clear(self) -> None:
        self.taken = _Taken(self.keep_series)
        self.diffusion.clear()


class _Fold:
    __slots__ = ("window", "reference", "segments", "unparsed_count", "first_unparsed", "untimed_excluded",
                 "truncated", "v0_resets", "stray")

    def __init__(self, window: LogWindow, reference: LogWindow | None) -> None:
        self.window, self.reference = window, reference
        self.segments: list[_Segment] = []
        self.unparsed_count = 0
        self.first_unparsed: UnparsedSpecLine | None = None
        self.untimed_excluded = 0
        self.truncated: TruncatedInput | None = None
        self.v0_resets: list[tuple[SpecCumulative, SpecCumulative]] = []
        self.stray = StrayTally()  # lines with bytes that are not text: counted, never placed in a segment


def fold_log(path: str, window: Window, keep_series: bool = False,
             on_chunk: Callable[[bytes], None] | None = None, anchor: Anchor | None = None,
             reference: Window | None = None) -> LogFold:
    """Read the log once and fold it into one summary per segment."""
    fold = _Fold(LogWindow(window, anchor), LogWindow(reference, anchor) if reference and anchor else None)
    lw = fold.window
    timed = lw.active or fold.reference is not None
    skip_first = window.skip_first
    last_v0: SpecCumulative | None = None
    for rec in read_vllm_log(path, on_chunk, every_stats_line=False):  # the others change no fold
        if type(rec) is StrayBytes:
            fold.stray.add(rec)
            continue
        while len(fold.segments) <= rec.segment:
            fold.segments.append(_Segment(len(fold.segments), keep_series))
        seg = fold.segments[rec.segment]
        if seg.first_line is None:
            seg.first_line = rec.lineno
            if isinstance(rec, SpecCumulative) and rec.reset_after_line is not None:
                seg.starts_because = "V0 counters went down"
                if last_v0 is not None:
                    fold.v0_resets.append((last_v0, rec))
            elif seg.index:
                seg.starts_because = "engine start"
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
        elif kind is DiffusionInterval:
            _take_diffusion(fold, seg, rec, skip_first, lw.active)  # type: ignore[arg-type]
        elif kind is SpecCumulative:
            seg.spec_lines += 1
            last_v0 = rec  # type: ignore[assignment]
            _take_v0(fold, seg, rec, skip_first)  # type: ignore[arg-type]
        elif isinstance(rec, ServerStart):
            seg.vllm_version = rec.vllm_version or seg.vllm_version
            seg.model = rec.model or seg.model
            seg.spec_method = rec.spec_method or seg.spec_method
            seg.num_spec_tokens = rec.num_spec_tokens or seg.num_spec_tokens
            seg.fixed_length = is_fixed_length(seg.spec_method)
        elif isinstance(rec, StatsLoggingDisabled):
            seg.stats_logging_disabled = True
        elif isinstance(rec, UnparsedSpecLine):
            fold.unparsed_count += 1
            fold.first_unparsed = fold.first_unparsed or rec
        elif isinstance(rec, TruncatedInput):
            fold.truncated = rec
        else:
            raise TypeError(f"unexpected record {type(rec).__name__}")
    if lw.active and lw.finish():  # --until ended up before the log's start
        _all_after(fold)
    return LogFold(path, lw, tuple(map(_summary, fold.segments)), fold.unparsed_count, fold.first_unparsed,
                   fold.untimed_excluded, fold.truncated, tuple(fold.v0_resets), fold.stray)


def _all_after(fold: _Fold) -> None:
    """Everything taken so far is after the window (`--until` landed before all of it)."""
    for seg in fold.segments:
        seg.after += seg.taken.used
        seg.diffusion.after += seg.diffusion.used
        seg.clear()


def _see(fold: _Fold, key: int) -> None:
    """Place the window's bounds as the log's span grows at either end (see `analyzers.log.window`):
    each line counts by its own time, also one stamped earlier than lines before it."""
    lw = fold.window
    if lw.active:
        if lw.first_key is None:
            lw.begin(key)
        elif key > lw.latest or key < lw.earliest:  # type: ignore[operator]
            moved = lw.see(key)
            if moved == "until":  # until moved before everything read so far
                _all_after(fold)
            elif moved == "since":  # since moved past everything read so far
                for seg in fold.segments:
                    seg.before += seg.taken.used + seg.after
                    seg.after = 0
                    d = seg.diffusion
                    d.before += d.used + d.after
                    d.after = 0
                    seg.v0_before = seg.v0_seen
                    seg.clear()
    ref = fold.reference
    if ref is not None and ref.first_key is None:
        ref.begin(key)


def _outside(fold: _Fold, seg: _Segment | DiffusionTally, rec: SpecInterval | SpecCumulative | DiffusionInterval) -> bool:
    """Count `rec` as outside the time window when it is (the window is active); `seg` is the
    segment, or its diffusion tally for a diffusion line."""
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


def _used(fold: _Fold, taken: _Taken | DiffusionTally, rec: SpecInterval | SpecCumulative | DiffusionInterval) -> None:
    """Note `rec` as taken: its line (first and last in the file), its time (`times`: the earliest
    and latest stamp of the lines taken, then their time keys; a line without a stamp makes the
    start unknown when it is the first taken, the end until a line stamped later), and where it is
    against the reference window."""
    taken.used += 1
    lines, times, key = taken.lines, taken.times, rec.time_key
    if lines:
        lines[1] = rec.lineno
    else:
        lines += (rec.lineno, rec.lineno)
        times += (None, None, None if key is not None else -math.inf, None)  # -inf: the start is unknown
    if key is None:
        times[1] = None
    else:
        if times[2] is None or key < times[2]:  # type: ignore[operator]
            times[0], times[2] = rec.timestamp, key  # type: ignore[call-overload]
        if times[3] is None or key >= times[3]:  # type: ignore[operator]
            times[1], times[3] = rec.timestamp, key  # type: ignore[call-overload]
    ref = fold.reference
    if ref is not None and key is not None:
        if ref.since is not None and key < ref.since:
            taken.before_run += 1
            if taken.before_run_lines:
                taken.before_run_lines[1] = rec.lineno
            else:
                taken.before_run_lines += (rec.lineno, rec.lineno)
        elif ref.until is not None and key > ref.until:
            taken.after_run += 1


def _take_v0(fold: _Fold, seg: _Segment, rec: SpecCumulative, skip_first: int) -> None:
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


def _take_interval(fold: _Fold, seg: _Segment, rec: SpecInterval, skip_first: int, active: bool) -> None:
    seg.seen += 1
    seg.formats.add(rec.fmt)
    rates = rec.per_position
    if rates and len(rates) > (seg.rates_k or 0):  # k is the server's: learned from every spec line,
        seg.rates_k = len(rates)  # also those --skip-first or the window leave out
    if seg.seen <= skip_first:
        seg.skipped += 1
        return
    if active and _outside(fold, seg, rec):
        return
    taken = seg.taken
    _used(fold, taken, rec)
    k = decide_k(seg.num_spec_tokens, len(rates) if rates else None)  # this interval's own
    sol = solve(rec.accepted, rec.drafted, k, rec.mean_acceptance_length, rates, seg.fixed_length)
    taken.total.add(rec, sol)
    if rec.engine is not None:
        name = str(rec.engine)
        tally = taken.engines.get(name)
        if tally is None:
            tally = taken.engines[name] = Tally()
        tally.add(rec, sol)
    taken.legacy.add(rec.drafted, rates)
    mal = v1_mean_acceptance_length(rec.accepted, sol.drafts)
    if taken.intervals == 0:
        taken.first_mal = mal
    elif mal is not None:
        taken.rest_sum += mal
        taken.rest_n += 1
    taken.intervals += 1
    if taken.series is not None:
        taken.series.append(IntervalPoint(lineno=rec.lineno, timestamp=rec.timestamp, accepted=rec.accepted,
                                          drafted=rec.drafted, drafts=sol.drafts, mean_acceptance_length=mal))


def _take_diffusion(fold: _Fold, seg: _Segment, rec: DiffusionInterval, skip_first: int, active: bool) -> None:
    """A diffusion line: warm-up skip and window as for spec lines, counted in the segment's own tally."""
    d = seg.diffusion
    d.seen += 1
    if d.seen <= skip_first:
        d.skipped += 1
        return
    if active and _outside(fold, d, rec):
        return
    _used(fold, d, rec)  # its line, time and place against the run's window, as for a spec line
    d.take(rec)


def _summary(seg: _Segment) -> SegmentFold:
    """The frozen summary of a finished segment, with its one k."""
    stated, origin = (seg.v0_k, "V0 spec lines") if seg.v0_k else (seg.num_spec_tokens, "startup line")
    k = decide_k(stated, seg.rates_k)
    k_from: KFrom | None = None if k is None else origin if stated else "per-position rates"  # type: ignore[assignment]
    info = SegmentInfo(index=seg.index, first_line=seg.first_line, last_line=seg.last_line,
                       first_time=seg.first_time, last_time=seg.last_time, vllm_version=seg.vllm_version,
                       model=seg.model, spec_method=seg.spec_method, num_spec_tokens=seg.num_spec_tokens,
                       spec_lines=seg.spec_lines, stats_logging_disabled=seg.stats_logging_disabled, k=k, k_from=k_from,
                       starts_because=seg.starts_because)
    return SegmentFold(info, tuple(sorted(seg.formats)), seg.skipped, seg.before, seg.after, seg.untimed,
                       _taken_summary(seg.taken, seg.v0_before, k), seg.diffusion.summary())


def _taken_summary(t: _Taken, v0_before: SpecCumulative | None, k: int | None) -> Taken:
    if not t.used:
        return Taken()
    ends = dict(used=t.used, first_line=t.lines[0], last_line=t.lines[-1], first_time=t.times[0],
                last_time=t.times[1], before_run=t.before_run, after_run=t.after_run,
                before_run_lines=(t.before_run_lines[0], t.before_run_lines[-1]) if t.before_run_lines else None)
    if t.v0_last is not None:
        return Taken(**ends, cumulative=True, counts=_v0_counts(t.v0_last, v0_before, k), v0_since=v0_before)
    engines = {name: tally.counts(k) for name, tally in sorted(t.engines.items())} if len(t.engines) > 1 else {}
    first = FirstInterval(first_mean_acceptance_length=t.first_mal, intervals=t.intervals,
                          rest_mean=t.rest_sum / t.rest_n if t.rest_n else None)
    return Taken(**ends, counts=t.total.counts(k), per_engine=engines, legacy=t.legacy.result(),
                 series=None if t.series is None else tuple(t.series), first_interval=first)


def _v0_counts(last: SpecCumulative, before: SpecCumulative | None, k: int | None) -> Counts:
    """V0 counts from cumulative lines: `last − before` (before None: since the server started)."""
    draft_tokens = last.draft_tokens - (before.draft_tokens if before else 0)
    emitted = None
    if last.emitted is not None and (before is None or before.emitted is not None):
        emitted = last.emitted - (before.emitted if before else 0)  # type: ignore[operator]
    drafts, drafts_from, spread = None, "unavailable", None
    if k:
        drafts, drafts_from = drafts_from_k(draft_tokens, k), "drafted/k"
        if draft_tokens % k:  # V0 proposes k tokens per draft: a remainder means the counts are odd
            drafts_from, spread = "estimated", [drafts, drafts + 1]  # type: ignore[operator]  # floor, ceiling
    return Counts(k=k, drafts=drafts, draft_tokens=draft_tokens,  # type: ignore[arg-type]
                  accepted_tokens=last.accepted - (before.accepted if before else 0), emitted_tokens=emitted,
                  drafts_from=drafts_from, per_position_from="unavailable", drafts_range=spread)
