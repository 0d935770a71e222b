"""Stream a vLLM server log (plain or .gz) into typed records, in constant memory.

Only lines carrying a marker are decoded (see `parsers.log_scan`). Each is stripped of ANSI
codes and its prefix read for the timestamp; then it becomes one record of `parsers.records`.
Segments: a new server lifetime starts at an engine-initialization line that follows serving
activity (spec or stats lines) of the previous one, so records never mix lifetimes. Engine
attribution: a V1 spec line belongs to the engine of the latest `Engine NNN:` stats line in
its segment (vLLM logs them in that order each interval).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator

from parsers import spec_line, startup, throughput_line
from parsers.log_prefix import stamp_of, strip_ansi
from parsers.log_scan import open_log, scan_lines
from parsers.records import (
    LogRecord,
    ServerStart,
    SpecCumulative,
    SpecInterval,
    StatsLoggingDisabled,
    ThroughputLine,
    TruncatedInput,
    UnparsedSpecLine,
)
from parsers.timestamps import YearlessClock

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
    __slots__ = ("clock", "segment", "active", "engine")

    def __init__(self) -> None:
        self.clock = YearlessClock()
        self.segment = 0
        self.active = False
        self.engine: int | None = None


def read_vllm_log(path: str, on_chunk: Callable[[bytes], None] | None = None) -> Iterator[LogRecord]:
    """Yield the records of the log at `path` in file order. `on_chunk` sees every block of
    the (decompressed) stream, as `parsers.log_scan.scan_lines` reads it."""
    state = _State()
    last = 0
    with open_log(path) as stream:
        source = _SalvagingGzip(stream) if isinstance(stream, gzip.GzipFile) else stream
        try:
            for lineno, raw in scan_lines(source, SCAN_MARKERS, on_chunk):  # type: ignore[arg-type]
                last = lineno
                if raw is None:
                    yield UnparsedSpecLine(lineno, None, None, state.segment, "line longer than 1 MiB", "")
                    continue
                record = _record(lineno, strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r"), state)
                if record is not None:
                    yield record
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            yield TruncatedInput(last, None, None, state.segment, f"compressed stream ends early or is corrupt ({err})")


def _stamp(text: str, at: int, state: _State) -> tuple[str | None, int | None]:
    stamp = stamp_of(text[:at])
    if stamp is None:
        return None, None
    return stamp, state.clock.key(stamp)


def _record(lineno: int, text: str, state: _State) -> LogRecord | None:
    for marker in (spec_line.V1_MARKER, spec_line.V0_MARKER):
        at = text.find(marker)
        if at != -1:
            state.active = True
            ts, key = _stamp(text, at, state)
            return _spec(lineno, ts, key, text, at, marker, state)
    at = text.find(throughput_line.MARKER)
    if at != -1:
        # one per engine per interval: only the engine id matters here; fields are read on demand
        engine, aggregated = throughput_line.engine_of(text[:at])
        ts, key = _stamp(text, at, state)
        state.active = True
        if engine is not None:
            state.engine = engine
        return ThroughputLine(lineno, ts, key, state.segment, engine, aggregated, text[at:])
    at = text.find(startup.MARKER)
    if at != -1:
        found = startup.parse_startup(text[at - 40 if at > 40 else 0 :])
        if found is None:
            return None
        if state.active:
            state.segment += 1
            state.active = False
            state.engine = None
        ts, key = _stamp(text, at, state)
        return ServerStart(lineno, ts, key, state.segment, found.vllm_version, found.model,
                           found.spec_method, found.num_spec_tokens, found.spec_model)
    at = text.find(STATS_DISABLED_MARKER)
    if at != -1:
        ts, key = _stamp(text, at, state)
        return StatsLoggingDisabled(lineno, ts, key, state.segment)
    return None


def _spec(lineno: int, ts: str | None, key: int | None, text: str, at: int, marker: str, state: _State) -> LogRecord:
    message = text[at + len(marker) :]
    try:
        if marker == spec_line.V1_MARKER:
            f = spec_line.parse_v1(message)
            return SpecInterval(lineno, ts, key, state.segment, f.fmt, f.accepted, f.drafted,
                                f.mean_acceptance_length, f.per_position, f.acceptance_rate_pct, state.engine)
        g = spec_line.parse_v0(message)
        return SpecCumulative(lineno, ts, key, state.segment, g.fmt, g.num_spec_tokens, g.accepted,
                              g.draft_tokens, g.emitted, g.acceptance_rate, g.system_efficiency)
    except spec_line.LineError as err:
        return UnparsedSpecLine(lineno, ts, key, state.segment, str(err), text[:_EXCERPT])
