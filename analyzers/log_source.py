"""Fold the records of one vLLM log into per-segment acceptance sources, in one pass.

Per segment (server lifetime; never summed across): V1 intervals inside the window are summed
as exact integers (Accepted, Drafted) plus drafts and per-position counts reconstructed per
interval (`analyzers.reconstruct`); V0 cumulative lines give `last in window − last before
window`. Window: `--since/--until` on log time (inclusive) and `--skip-first N` spec lines per
segment (warm-up). Per-engine totals are kept when lines carry engine attribution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from analyzers.metrics import LegacyTally
from analyzers.reconstruct import Solution, is_fixed_length, solve
from analyzers.report import Counts, IntervalPoint, SegmentInfo, Window
from parsers.records import (
    ServerStart, SpecCumulative, SpecInterval, StatsLoggingDisabled, ThroughputLine, TruncatedInput, UnparsedSpecLine,
)
from parsers.timestamps import window_key
from parsers.vllm_log import read_vllm_log


@dataclass
class Tally:
    """Running integer totals of one segment (or one engine within it)."""

    accepted: int = 0
    drafted: int = 0
    drafts: int | None = 0
    per_position: list[int] | None = None
    has_rates: bool = True
    inexact_drafts: int = 0
    inexact_positions: int = 0
    ambiguous: int = 0
    via: set[str] = field(default_factory=set)

    def add(self, rec: SpecInterval, sol: Solution) -> None:
        self.accepted += rec.accepted
        self.drafted += rec.drafted
        self.via.add(sol.via)
        positions = sol.per_position
        positions_ok = sol.per_position_exact or positions is None
        if not sol.drafts_exact:
            self.inexact_drafts += 1
        if not positions_ok:
            self.inexact_positions += 1
        if not (sol.drafts_exact and positions_ok):
            self.ambiguous += 1
        drafts = sol.drafts
        self.drafts = None if drafts is None or self.drafts is None else self.drafts + drafts
        if positions is None or not self.has_rates:
            self.has_rates, self.per_position = False, None
            return
        totals = self.per_position
        if totals is None:
            self.per_position = list(positions)
            return
        if len(positions) > len(totals):
            totals.extend([0] * (len(positions) - len(totals)))
        for i, value in enumerate(positions):
            totals[i] += value

    def counts(self, k: int | None) -> Counts:
        drafts_from = "unavailable" if self.drafts is None else (
            "estimated" if self.inexact_drafts else ("drafted/k" if self.via <= {"drafted/k"} else "reconstructed")
        )
        pp_from = "unavailable" if self.per_position is None else (
            "estimated" if self.inexact_drafts or self.inexact_positions else "reconstructed")
        return Counts(k=k, drafts=self.drafts, draft_tokens=self.drafted, accepted_tokens=self.accepted,
                      accepted_per_position=self.per_position, drafts_from=drafts_from,
                      per_position_from=pp_from, ambiguous_intervals=self.ambiguous)


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
    total: Tally = field(default_factory=Tally)
    engines: dict[str, Tally] = field(default_factory=dict)
    formats: set[str] = field(default_factory=set)
    used: int = 0
    skipped: int = 0
    outside: int = 0
    seen: int = 0
    used_lines: list[int] = field(default_factory=list)  # first and last used line
    used_times: list[str | None] = field(default_factory=list)
    legacy: LegacyTally = field(default_factory=LegacyTally)
    series: list[IntervalPoint] | None = None
    v0_before: SpecCumulative | None = None
    v0_last: SpecCumulative | None = None
    fixed_length: bool | None = None  # is_fixed_length(info.spec_method), kept current


@dataclass
class LogFold:
    path: str
    segments: list[SegmentFold] = field(default_factory=list)
    unparsed: list[UnparsedSpecLine] = field(default_factory=list)
    unparsed_count: int = 0
    untimed_excluded: int = 0
    truncated: TruncatedInput | None = None


def _new_segment(index: int) -> SegmentFold:
    return SegmentFold(SegmentInfo(index=index, first_line=None, last_line=None, first_time=None, last_time=None,
                                   vllm_version=None, model=None, spec_method=None, num_spec_tokens=None, spec_lines=0))


def fold_log(path: str, window: Window, keep_series: bool = False,
             on_chunk: Callable[[bytes], None] | None = None) -> LogFold:
    """Read the log once and fold it into per-segment tallies."""
    fold = LogFold(path)
    bounds: tuple[int | None, int | None] | None = None
    for rec in read_vllm_log(path, on_chunk, every_stats_line=False):  # the others change no fold
        while len(fold.segments) <= rec.segment:
            fold.segments.append(_new_segment(len(fold.segments)))
            fold.segments[-1].series = [] if keep_series else None
        seg = fold.segments[rec.segment]
        info = seg.info
        if seg.first_line is None:
            seg.first_line = rec.lineno
        seg.last_line = rec.lineno
        if rec.timestamp is not None:
            if seg.first_time is None:
                seg.first_time = rec.timestamp
            seg.last_time = rec.timestamp
            if bounds is None:
                bounds = _bounds(window, rec.time_key)
        if isinstance(rec, (SpecInterval, SpecCumulative)):
            seg.spec_lines += 1
            _take(fold, seg, rec, window, bounds or (None, None))
        elif isinstance(rec, ThroughputLine):
            pass
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
    for seg in fold.segments:
        seg.info.first_line, seg.info.last_line = seg.first_line, seg.last_line
        seg.info.first_time, seg.info.last_time = seg.first_time, seg.last_time
        seg.info.spec_lines = seg.spec_lines
    return fold


def _bounds(window: Window, first_key: int | None) -> tuple[int | None, int | None]:
    since = window_key(window.since, first_key) if window.since else None
    until = window_key(window.until, first_key) if window.until else None
    return since, until


def _take(fold: LogFold, seg: SegmentFold, rec: SpecInterval | SpecCumulative, window: Window,
          bounds: tuple[int | None, int | None]) -> None:
    seg.seen += 1
    seg.formats.add(rec.fmt)
    if seg.seen <= window.skip_first:
        seg.skipped += 1
        seg.v0_before = rec if isinstance(rec, SpecCumulative) else seg.v0_before
        return
    since, until = bounds
    if since is not None or until is not None:
        if rec.time_key is None:
            fold.untimed_excluded += 1
            seg.outside += 1
            return
        if (since is not None and rec.time_key < since) or (until is not None and rec.time_key > until):
            seg.outside += 1
            if since is not None and rec.time_key < since and isinstance(rec, SpecCumulative):
                seg.v0_before = rec
            return
    seg.used += 1
    used_lines = seg.used_lines
    if used_lines:
        used_lines[1] = rec.lineno
        seg.used_times[1] = rec.timestamp
    else:
        used_lines += (rec.lineno, rec.lineno)
        seg.used_times += (rec.timestamp, rec.timestamp)
    if isinstance(rec, SpecCumulative):
        seg.v0_last = rec
        return
    rates = rec.per_position
    k = seg.info.num_spec_tokens or (len(rates) if rates else None)
    sol = solve(rec.accepted, rec.drafted, k, rec.mean_acceptance_length, rates, seg.fixed_length)
    seg.total.add(rec, sol)
    if rec.engine is not None:
        name = str(rec.engine)
        tally = seg.engines.get(name)
        if tally is None:
            tally = seg.engines[name] = Tally()
        tally.add(rec, sol)
    seg.legacy.add(rec.drafted, rates)
    if seg.series is not None:
        drafts = sol.drafts
        mal = None if not drafts else 1.0 + rec.accepted / drafts
        seg.series.append(IntervalPoint(lineno=rec.lineno, timestamp=rec.timestamp, accepted=rec.accepted,
                                        drafted=rec.drafted, drafts=drafts, mean_acceptance_length=mal))
