"""Stream a vLLM server log (plain or .gz) into typed records, in constant memory.

Only lines carrying a marker are decoded (see `parsers.log_scan`); each is read on its own by
`parsers.log_line.parse_line` (in the scan workers, when they run) and then placed, in file
order, in its server lifetime and on the year-less clock. Segments: a new server lifetime
starts at an engine-initialization line that follows serving activity (spec or stats lines) of
the previous one, or at a V0 `Speculative metrics:` line whose cumulative counters are lower
than the previous V0 line's (or whose k differs): a restart without a startup line, or several
runs pasted into one file. Records never mix lifetimes. Engine attribution: a V1 spec line
belongs to the engine of the latest `Engine NNN:` stats line in its segment (vLLM logs them in
that order each interval). A line holding bytes that are not text (`parsers.log_line.StrayLine`)
yields a `StrayBytes` record, then its own record when it reads as one.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator

from speclens.parsers.diffusion_line import DiffusionInterval, DiffusionLine
from speclens.parsers.log_line import SCAN_MARKERS, LineRead, StrayLine, UnreadableSpecLine, read_marker_line
from speclens.parsers.batch_lines import read_marker_lines
from speclens.parsers.log_scan import open_log, scan_lines
from speclens.parsers.records import (
    LogRecord,
    ServerStart,
    SpecCumulative,
    SpecInterval,
    StatsLoggingDisabled,
    StrayBytes,
    ThroughputLine,
    TruncatedInput,
    UnparsedSpecLine,
)
from speclens.parsers.spec_line import V0SpecLine, V1SpecLine
from speclens.parsers.startup import StartupLine
from speclens.parsers.throughput_line import StatsLine
from speclens.parsers.timestamps import YearlessClock


class _State:
    __slots__ = ("clock", "segment", "active", "engine", "v0", "v0_lineno")

    def __init__(self) -> None:
        self.clock = YearlessClock()
        self.segment = 0
        self.active = False
        self.engine: int | None = None
        self.v0: V0SpecLine | None = None  # the last V0 line, at line number v0_lineno
        self.v0_lineno = 0


def _v0_went_down(last: V0SpecLine, line: V0SpecLine) -> bool:
    """Whether V0 `line` cannot continue the cumulative counts of `last`: k changed, or accepted,
    draft or emitted tokens went down."""
    if line.num_spec_tokens != last.num_spec_tokens:
        return True
    if line.accepted < last.accepted or line.draft_tokens < last.draft_tokens:
        return True
    return last.emitted is not None and line.emitted is not None and line.emitted < last.emitted


def read_vllm_log(path: str, on_chunk: Callable[[bytes], None] | None = None,
                  every_stats_line: bool = True) -> Iterator[LogRecord | DiffusionInterval]:
    """Yield the records of the log at `path` in file order (a diffusion LM's `DiffusionDecoding
    metrics:` lines as `DiffusionInterval`s, placed like spec intervals). `on_chunk` sees every block of
    the (decompressed) stream, as `parsers.log_scan.scan_lines` reads it. With
    `every_stats_line=False`, stats lines that change nothing (see `drop_repeated_stats_lines`)
    are left out: about half the records of a busy log."""
    state = _State()
    last = 0
    thin = None if every_stats_line else drop_repeated_stats_lines
    with open_log(path) as stream:
        try:  # a gzip'd log's reader (parsers.inflate) returns what it inflated before any damage first
            for lineno, line in scan_lines(stream, SCAN_MARKERS, on_chunk, read_marker_line, thin,  # type: ignore[arg-type]
                                           read_marker_lines):
                last = lineno
                if line is None:
                    yield UnparsedSpecLine(lineno, None, None, state.segment, "line longer than 1 MiB", "")
                    continue
                if type(line) is StrayLine:
                    yield StrayBytes(lineno, None, None, state.segment, line.nul_bytes, line.undecodable_bytes,
                                     line.line is not None)
                    line = line.line
                    if line is None:
                        continue
                yield _record(lineno, line, state)  # type: ignore[arg-type]
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            yield TruncatedInput(last, None, None, state.segment, f"compressed stream ends early or is corrupt ({err})")


def drop_repeated_stats_lines(hits: list[tuple[int, LineRead | None]]) -> list[tuple[int, LineRead | None]]:
    """`hits` (consecutive `(lineno, parse_line(line))` of one file) without the stats lines that
    change no record and no lifetime's bounds: a stats line S goes when (1) it is neither first
    nor last in `hits`, (2) a V1 spec interval line follows it directly (a V0 line may start a
    lifetime of its own, see `_v0_went_down`, which would make S the last record of the one
    before), (3) an earlier stats line names the same engine with only spec interval lines in
    between, and (4) it and both its neighbours are timestamped, in non-decreasing time. Then S sets no new engine, starts and
    ends no lifetime, is nobody's first or last record, and moves no clock year (so no time key)."""
    if len(hits) < 3:
        return hits
    kept = [hits[0]]
    first = hits[0][1]
    # (engine, aggregated) of the last stats line, while only spec interval lines followed it
    engine = (first.engine, first.aggregated_engines) if type(first) is StatsLine else None
    for i in range(1, len(hits) - 1):
        hit = hits[i]
        line = hit[1]
        kind = type(line)
        if kind is StatsLine:
            named = (line.engine, line.aggregated_engines)
            before, after = hits[i - 1][1], hits[i + 1][1]
            if (named == engine and type(after) is V1SpecLine and line.seconds is not None
                    and before is not None and before.seconds is not None and after.seconds is not None
                    and before.seconds <= line.seconds <= after.seconds):
                continue
            engine = named
        elif kind is not V1SpecLine and kind is not V0SpecLine:
            engine = None
        kept.append(hit)
    kept.append(hits[-1])
    return kept


def _record(lineno: int, line: LineRead | DiffusionLine, state: _State) -> LogRecord | DiffusionInterval:
    """The record of `line` at `lineno`, given everything before it (lifetime, engine, clock)."""
    kind = type(line)
    if kind is DiffusionLine:  # marks the lifetime active, so an engine start after it is a new one
        state.active = True
        return DiffusionInterval(lineno, line.timestamp, state.clock.key_of_seconds(line.seconds), state.segment,
                                 line.committed, line.denoising_steps, line.canvas_positions,
                                 line.committed_throughput, line.steps_per_canvas, line.committed_per_step,
                                 state.engine)
    if kind is StartupLine and state.active:  # a new lifetime starts before this line's record
        state.segment += 1
        state.active = False
        state.engine = None
        state.v0 = None
    key = state.clock.key_of_seconds(line.seconds)
    if kind is V1SpecLine:
        state.active = True
        return SpecInterval(lineno, line.timestamp, key, state.segment, line.fmt, line.accepted, line.drafted,
                            line.mean_acceptance_length, line.per_position, line.acceptance_rate_pct,
                            state.engine)
    if kind is StatsLine:
        state.active = True
        if line.engine is not None:
            state.engine = line.engine
        return ThroughputLine(lineno, line.timestamp, key, state.segment, line.engine,
                              line.aggregated_engines, line.message)
    if kind is V0SpecLine:
        return _cumulative(lineno, line, key, state)
    if kind is UnreadableSpecLine:
        state.active = True
        return UnparsedSpecLine(lineno, line.timestamp, key, state.segment, line.reason, line.excerpt)
    if kind is StartupLine:
        return ServerStart(lineno, line.timestamp, key, state.segment, line.vllm_version, line.model,
                           line.spec_method, line.num_spec_tokens)
    return StatsLoggingDisabled(lineno, line.timestamp, key, state.segment)


def _cumulative(lineno: int, line: V0SpecLine, key: int | None, state: _State) -> SpecCumulative:
    """A V0 line's record; it starts a new lifetime when its counters cannot continue the last one's."""
    reset_after = None
    last = state.v0
    if last is not None and _v0_went_down(last, line):  # counters restarted: a new lifetime
        state.segment += 1
        state.engine = None
        reset_after = state.v0_lineno
    state.v0, state.v0_lineno = line, lineno
    state.active = True
    return SpecCumulative(lineno, line.timestamp, key, state.segment, line.fmt, line.num_spec_tokens, line.accepted,
                          line.draft_tokens, line.emitted, line.acceptance_rate, line.system_efficiency, reset_after)
