"""Stream a vLLM server log (plain or .gz) into typed records, in constant memory.

Only lines carrying a marker are decoded (see `parsers.log_scan`). Each is stripped of ANSI
codes and its prefix read for the timestamp; then it becomes one record of `parsers.records`.
Segments: a new server lifetime starts at an engine-initialization line that follows serving
activity (spec or stats lines) of the previous one, or at a V0 `Speculative metrics:` line whose
cumulative counters are lower than the previous V0 line's (or whose k differs): a restart
without a startup line, or several runs pasted into one file. Records never mix lifetimes. Engine
attribution: a V1 spec line belongs to the engine of the latest `Engine NNN:` stats line in
its segment (vLLM logs them in that order each interval).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator

from speclens.parsers import spec_line, startup, throughput_line
from speclens.parsers.log_prefix import stamp_of, strip_ansi
from speclens.parsers.log_scan import open_log, scan_lines
from speclens.parsers.records import (
    LogRecord,
    ServerStart,
    SpecCumulative,
    SpecInterval,
    StatsLoggingDisabled,
    ThroughputLine,
    TruncatedInput,
    UnparsedSpecLine,
)
from speclens.parsers.timestamps import YearlessClock, seconds_in_year

STATS_DISABLED_MARKER = "disabling stats logging"
# " metrics:" covers both spec markers in one pass; the reader tells them apart.
SCAN_MARKERS = (b" metrics:", throughput_line.MARKER.encode(), startup.MARKER.encode(), STATS_DISABLED_MARKER.encode())
_EXCERPT = 200


class _SalvagingGzip:
    """Reads a gzip stream in small pieces so that, when it ends early or is corrupt, everything
    decompressed before the damage is still returned; the error surfaces on the next read."""

    PIECE = 1 << 16

    def __init__(self, stream: gzip.GzipFile) -> None:
        self._stream = stream
        self._error: BaseException | None = None

    def read(self, size: int) -> bytes:
        if self._error is not None:
            raise self._error
        parts, got = [], 0
        while got < size:
            try:
                piece = self._stream.read1(min(self.PIECE, size - got))  # one raw read: keeps partial data
            except (EOFError, gzip.BadGzipFile, zlib.error) as err:
                self._error = err
                break
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        if not parts and self._error is not None:
            raise self._error
        return b"".join(parts)


class _State:
    __slots__ = ("clock", "segment", "active", "engine", "v0")

    def __init__(self) -> None:
        self.clock = YearlessClock()
        self.segment = 0
        self.active = False
        self.engine: int | None = None
        self.v0: tuple | None = None  # (lineno, k, accepted, draft tokens, emitted) of the last V0 line


def _v0_went_down(last: tuple, parsed: tuple) -> bool:
    """Whether V0 line `parsed` cannot continue the cumulative counts of `last` (see `_State.v0`):
    k changed, or accepted, draft or emitted tokens went down."""
    _, k, accepted, draft, emitted = last
    if parsed[4] != k or parsed[5] < accepted or parsed[6] < draft:
        return True
    return emitted is not None and parsed[7] is not None and parsed[7] < emitted


def read_vllm_log(path: str, on_chunk: Callable[[bytes], None] | None = None,
                  every_stats_line: bool = True) -> Iterator[LogRecord]:
    """Yield the records of the log at `path` in file order. `on_chunk` sees every block of
    the (decompressed) stream, as `parsers.log_scan.scan_lines` reads it. Each marker line is
    read by `parse_line` (stateless, so scan workers can run it) and placed in its lifetime by
    `_record` (in file order). With `every_stats_line=False`, stats lines that change nothing
    (see `drop_repeated_stats_lines`) are left out: about half the records of a busy log."""
    state = _State()
    last = 0
    thin = None if every_stats_line else drop_repeated_stats_lines
    with open_log(path) as stream:
        source = _SalvagingGzip(stream) if isinstance(stream, gzip.GzipFile) else stream
        try:
            for lineno, parsed in scan_lines(source, SCAN_MARKERS, on_chunk, parse_line, thin):  # type: ignore[arg-type]
                last = lineno
                if parsed is None:
                    yield UnparsedSpecLine(lineno, None, None, state.segment, "line longer than 1 MiB", "")
                elif parsed:
                    yield _record(lineno, parsed, state)
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            yield TruncatedInput(last, None, None, state.segment, f"compressed stream ends early or is corrupt ({err})")


# What `parse_line` returns: a plain tuple (cheap to pickle between processes), first item the kind.
_V1, _V0, _BAD, _STATS, _START, _OFF = range(6)
_INTERVALS = (_V1, _V0)


# The two line shapes vLLM 0.10.2+ writes most, read whole by one anchored regex each. When one
# matches, the result is exactly what `_parse_general` gives (tests/parsers/test_vllm_log_properties
# checks it on mutated lines); every other line (other versions, prefixes, ANSI codes, damage) goes
# the general way.
_PREFIX = rb"\([A-Za-z][\w-]{0,40} pid=\d{1,12}\) INFO (?P<stamp>\d\d-\d\d \d\d:\d\d:\d\d) \[[\w./-]{1,200}:\d{1,9}\] "
_FAST_SPEC = re.compile(_PREFIX + spec_line.V1_MARKER.encode() + spec_line.FAST_V1_0_10_2.encode() + rb"[ \t\r]*")
_FAST_STATS = re.compile(_PREFIX + rb"Engine (\d{1,9}): (Avg prompt throughput: [\x20-\x7e]*)\r*")


def parse_line(raw: bytes) -> tuple:
    """What one marker line says, independent of the lines around it: `(kind, timestamp,
    seconds_in_year(timestamp), …)`, or `()` when the marker is there but the line is not one
    we read."""
    match = _FAST_SPEC.fullmatch(raw)
    if match is not None:
        mal, acc, dr, pp, rate = match.group(*spec_line.FAST_V1_GROUPS)
        try:
            fields = spec_line.fast_v1_fields(mal, acc, dr, pp.decode(), rate)
        except spec_line.LineError:
            fields = None  # the general path says what is wrong
        if fields is not None:
            return (_V1, *_stamp_seconds(match.group("stamp").decode()), *fields)
    elif b" metrics:" not in raw:
        match = _FAST_STATS.fullmatch(raw)
        if match is not None:
            return (_STATS, *_stamp_seconds(match.group(1).decode()), int(match.group(2)), None,
                    match.group(3).decode())
    return _parse_general(raw)


def _parse_general(raw: bytes) -> tuple:
    text = strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r")
    at = text.find(spec_line.V1_MARKER)
    marker = spec_line.V1_MARKER
    if at == -1:
        at = text.find(spec_line.V0_MARKER)
        marker = spec_line.V0_MARKER
    if at != -1:
        stamped = _stamped(text[:at])
        message = text[at + len(marker) :]
        try:
            if marker == spec_line.V1_MARKER:
                return (_V1, *stamped, *spec_line.parse_v1(message))
            return (_V0, *stamped, *spec_line.parse_v0(message))
        except spec_line.LineError as err:
            return (_BAD, *stamped, str(err), text[:_EXCERPT])
    at = text.find(throughput_line.MARKER)
    if at != -1:
        # one per engine per interval: only the engine id matters here; fields are read on demand
        engine, aggregated = throughput_line.engine_of(text[:at])
        return (_STATS, *_stamped(text[:at]), engine, aggregated, text[at:])
    at = text.find(startup.MARKER)
    if at != -1:
        found = startup.parse_startup(text[at - 40 if at > 40 else 0 :])
        if found is None:
            return ()
        return (_START, *_stamped(text[:at]), found.vllm_version, found.model, found.spec_method,
                found.num_spec_tokens, found.spec_model)
    at = text.find(STATS_DISABLED_MARKER)
    if at != -1:
        return (_OFF, *_stamped(text[:at]))
    return ()


def _stamped(head: str) -> tuple[str | None, int | None]:
    """(timestamp, its seconds_in_year) of the prefix in `head`; (None, None) without one."""
    stamp = stamp_of(head)
    return (None, None) if stamp is None else _stamp_seconds(stamp)


def _stamp_seconds(stamp: str) -> tuple[str, int | None]:
    return stamp, seconds_in_year(stamp)


def drop_repeated_stats_lines(hits: list[tuple[int, tuple | None]]) -> list[tuple[int, tuple | None]]:
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
    engine = (first[3], first[4]) if first and first[0] == _STATS else None
    for i in range(1, len(hits) - 1):
        hit = hits[i]
        parsed = hit[1]
        kind = parsed[0] if parsed else None
        if kind == _STATS:
            named = (parsed[3], parsed[4])
            before, after = hits[i - 1][1], hits[i + 1][1]
            if (named == engine and after and after[0] == _V1 and parsed[2] is not None
                    and before and before[2] is not None and after[2] is not None
                    and before[2] <= parsed[2] <= after[2]):
                continue
            engine = named
        elif kind not in _INTERVALS:
            engine = None
        kept.append(hit)
    kept.append(hits[-1])
    return kept


def _record(lineno: int, parsed: tuple, state: _State) -> LogRecord:
    """The record of a parsed line at `lineno`, given everything before it (lifetime, engine, clock)."""
    kind, stamp = parsed[0], parsed[1]
    if kind == _START and state.active:  # a new lifetime starts before this line's record
        state.segment += 1
        state.active = False
        state.engine = None
        state.v0 = None
    reset_after = None
    if kind == _V0:
        last = state.v0
        if last is not None and _v0_went_down(last, parsed):  # counters restarted: a new lifetime
            state.segment += 1
            state.engine = None
            reset_after = last[0]
        state.v0 = (lineno, *parsed[4:8])
    key = state.clock.key_of_seconds(parsed[2])
    if kind == _V1:
        state.active = True
        return SpecInterval(lineno, stamp, key, state.segment, *parsed[3:], state.engine)
    if kind == _STATS:
        state.active = True
        if parsed[3] is not None:
            state.engine = parsed[3]
        return ThroughputLine(lineno, stamp, key, state.segment, *parsed[3:])
    if kind == _V0:
        state.active = True
        return SpecCumulative(lineno, stamp, key, state.segment, *parsed[3:], reset_after)
    if kind == _BAD:
        state.active = True
        return UnparsedSpecLine(lineno, stamp, key, state.segment, *parsed[3:])
    if kind == _START:
        return ServerStart(lineno, stamp, key, state.segment, *parsed[3:])
    return StatsLoggingDisabled(lineno, stamp, key, state.segment)
