"""A folded vLLM log (what `analyzers.log.fold.fold_log` returns: frozen, one summary per
segment) and the acceptance source of each segment with spec lines inside the window.

Kinds: `log_intervals` (V1 lines summed within one segment and window) and `log_cumulative_v0`
(V0 cumulative lines: last in window − last before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.analyzers.acceptance.models import (
    Counts,
    FirstInterval,
    IntervalPoint,
    Legacy,
    LogDetail,
    SegmentInfo,
    SourceResult,
)
from speclens.analyzers.diffusion.fold import DiffusionTaken
from speclens.analyzers.acceptance.metrics import acceptance_metrics
from speclens.analyzers.log.window import LogWindow
from speclens.parsers.records import SpecCumulative, StrayBytes, TruncatedInput, UnparsedSpecLine


@dataclass(frozen=True, slots=True)
class Taken:
    """What a segment's spec lines inside the window add up to. `counts` (None when `used` is
    0): the V1 intervals summed, or for V0 lines the last one taken minus `v0_since` (the last
    one before the window; None: since the server started). `before_run`/`after_run`: used
    lines before/after the reference window, `before_run_lines` the first and last of those."""

    used: int = 0
    first_line: int | None = None
    last_line: int | None = None
    first_time: str | None = None
    last_time: str | None = None
    cumulative: bool = False  # from V0 cumulative lines
    counts: Counts | None = None
    per_engine: dict[str, Counts] = field(default_factory=dict)  # V1, when several engines
    legacy: Legacy | None = None  # V1
    series: tuple[IntervalPoint, ...] | None = None  # V1, when asked for
    first_interval: FirstInterval | None = None  # V1: the first interval against the rest
    v0_since: SpecCumulative | None = None
    before_run: int = 0
    after_run: int = 0
    before_run_lines: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class SegmentFold:
    """One server lifetime: `info` (with k and where it came from), the spec line formats seen,
    what the window did to its spec lines, and what it took; `diffusion` the same for its
    diffusion lines."""

    info: SegmentInfo
    formats: tuple[str, ...]
    skipped: int  # by --skip-first
    before: int  # before the window's start
    after: int  # after its end
    untimed: int  # without a timestamp, while a window was given
    taken: Taken
    diffusion: DiffusionTaken | None = None  # its DiffusionDecoding lines, when it has any

    @property
    def spec_lines(self) -> int:
        return self.info.spec_lines

    @property
    def outside(self) -> int:
        return self.before + self.after + self.untimed


@dataclass(slots=True)
class StrayTally:
    """The log's lines that hold bytes that are not text (`parsers.records.StrayBytes`): how many,
    their NUL bytes and bytes that are not UTF-8, how many of them were read (a record of their
    own, with those bytes replaced), and the first one's line number."""

    lines: int = 0
    nul_bytes: int = 0
    undecodable_bytes: int = 0
    read_lines: int = 0
    first_line: int | None = None

    def add(self, rec: StrayBytes) -> None:
        self.lines += 1
        self.nul_bytes += rec.nul_bytes
        self.undecodable_bytes += rec.undecodable_bytes
        self.read_lines += rec.has_record
        if self.first_line is None:
            self.first_line = rec.lineno


@dataclass(frozen=True, slots=True)
class LogFold:
    """One log, folded: its segments, its window as placed on the log, and what could not be read."""

    path: str
    window: LogWindow
    segments: tuple[SegmentFold, ...]
    unparsed_count: int = 0
    first_unparsed: UnparsedSpecLine | None = None
    untimed_excluded: int = 0
    truncated: TruncatedInput | None = None
    v0_resets: tuple[tuple[SpecCumulative, SpecCumulative], ...] = ()  # (last before, first after)
    stray: StrayTally = field(default_factory=StrayTally)  # lines with bytes that are not text

    @property
    def has_vllm_lines(self) -> bool:
        """Whether the scan found any line it reads (engine start, stats, spec or diffusion metrics, stats
        disabled, an unreadable spec line): each opens a segment. A text with none is no vLLM log
        (analyzers.inputs.confirm_log)."""
        return bool(self.segments)


def _span(seg: SegmentFold) -> str:
    taken = seg.taken
    times = f", {taken.first_time or '?'} → {taken.last_time or '?'}" if taken.first_time or taken.last_time else ""
    return f"lines {taken.first_line}–{taken.last_line}{times}"


def log_source(path: str, seg: SegmentFold, scope_note: str = "") -> SourceResult | None:
    """The source of one segment's spec lines inside the window, or None when there are none.
    `scope_note` (e.g. the run's window) is appended to the scope text."""
    taken, index = seg.taken, seg.info.index
    if taken.counts is None:
        return None
    detail = LogDetail(
        segment=index, formats=list(seg.formats), intervals_used=taken.used,
        intervals_skipped_warmup=seg.skipped, intervals_outside_window=seg.outside,
        intervals_before_window=seg.before, intervals_after_window=seg.after, intervals_untimed=seg.untimed,
        first_line=taken.first_line, last_line=taken.last_line, first_time=taken.first_time,
        last_time=taken.last_time, legacy=taken.legacy, series=None if taken.series is None else list(taken.series),
        first_interval=taken.first_interval,
    )
    note = f"; {scope_note}" if scope_note else ""
    if taken.cumulative:
        since = f"line {taken.v0_since.lineno}" if taken.v0_since else "server start"
        scope = f"log segment {index}, V0 cumulative lines ({_span(seg)}): last − {since}{note}"
        kind = "log_cumulative_v0"
    else:
        scope = f"log segment {index}, {taken.used} interval{'s' if taken.used != 1 else ''} ({_span(seg)}){note}"
        kind = "log_intervals"
    return SourceResult(id=f"log:{index}", kind=kind, scope=scope, files=[path], counts=taken.counts,
                        metrics=acceptance_metrics(taken.counts), per_engine=taken.per_engine, log=detail)
