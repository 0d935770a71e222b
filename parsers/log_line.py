"""What one marker line of a vLLM log says on its own: one small typed line per kind.

`parse_line` depends on nothing but the line, so scan workers run it in other processes
(`parsers.log_scan`); placing a line in its server lifetime is `parsers.vllm_log`'s. Kinds:
- `V1SpecLine` (`SpecDecoding metrics:`) and `V0SpecLine` (`Speculative metrics:`), read by
  `parsers.spec_line`; `UnreadableSpecLine` when a spec marker is there but not its format;
- `StatsLine` (`Avg prompt throughput:`), `parsers.throughput_line`;
- `StartupLine` (`LLM engine (v…) with config:`), `parsers.startup`;
- `StatsOffLine`: vLLM's warning that it is disabling stats logging;
- `DiffusionLine` (`DiffusionDecoding metrics:`, diffusion LMs), read by `parsers.diffusion_line`,
  only through `parse_line_or_diffusion` (readers that do not place diffusion lines never see one).
Each carries the `timestamp` of its prefix (`parsers.log_prefix`) and that timestamp's
`seconds_in_year` (`seconds`), so the reader only has to place it on the year-less clock.
Lines are unwrapped first (`parsers.log_prefix.line_text`: Docker json-file records, Markdown).
`read_marker_line` (the log reader's transform) also tells which lines hold bytes that are not
text: NULs (the scan finds every line with one: a crash leaves blocks of them) and, on the lines
read, bytes that are not UTF-8; such a line is read with those bytes replaced (`StrayLine`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from speclens.parsers import startup, throughput_line
from speclens.parsers.diffusion_line import DIFFUSION_MARKER, DiffusionLine, parse_diffusion
from speclens.parsers.log_prefix import CANONICAL_PREFIX, line_text, stamp_of
from speclens.parsers.spec_line import (
    FAST_V1_0_10_2,
    FAST_V1_GROUPS,
    V0_MARKER,
    V1_MARKER,
    LineError,
    V0SpecLine,
    V1SpecLine,
    fast_v1_line,
    parse_v0,
    parse_v1,
)
from speclens.parsers.startup import StartupLine, parse_startup
from speclens.parsers.throughput_line import StatsLine, engine_of
from speclens.parsers.timestamps import seconds_in_year

STATS_DISABLED_MARKER = "disabling stats logging"
# " metrics:" covers both spec markers in one pass; `parse_line` tells them apart. The first
# marker is the one an overlong line is reported for (`parsers.log_scan.scan_lines`). The NUL
# byte finds the lines that hold one (`read_marker_line`).
NUL = b"\x00"
SCAN_MARKERS = (b" metrics:", throughput_line.MARKER.encode(), startup.MARKER.encode(), STATS_DISABLED_MARKER.encode(),
                NUL)
_EXCERPT = 200
_NEW = tuple.__new__


class UnreadableSpecLine(NamedTuple):
    """A line with a spec marker that is not what its format requires: `reason` says what was
    expected, `excerpt` is the start of the line (at most 200 characters)."""

    reason: str
    excerpt: str
    timestamp: str | None = None
    seconds: int | None = None


class StatsOffLine(NamedTuple):
    """vLLM's warning that it is disabling stats logging."""

    timestamp: str | None = None
    seconds: int | None = None


LineRead = V1SpecLine | V0SpecLine | UnreadableSpecLine | StatsLine | StartupLine | StatsOffLine

# The two line shapes vLLM 0.10.2+ writes most, read whole by one anchored regex each. When one
# matches, the result is exactly what `_parse_general` gives (tests/parsers/test_vllm_log_properties
# checks it on mutated lines); every other line (other versions, prefixes, ANSI codes, damage) goes
# the general way.
_FAST_SPEC = re.compile(CANONICAL_PREFIX + V1_MARKER.encode() + FAST_V1_0_10_2.encode() + rb"[ \t\r]*")
_FAST_STATS = re.compile(CANONICAL_PREFIX + rb"Engine (?P<engine>\d{1,9}): "
                         rb"(?P<message>Avg prompt throughput: [\x20-\x7e]*)\r*")


def parse_line(raw: bytes) -> LineRead | None:
    """What one marker line says, independent of the lines around it; None when the marker is
    there but the line is not one we read."""
    match = _FAST_SPEC.fullmatch(raw)
    if match is not None:
        mal, acc, dr, pp, rate = match.group(*FAST_V1_GROUPS)
        stamp = match.group("stamp").decode()
        try:
            line = fast_v1_line(mal, acc, dr, pp.decode(), rate, stamp, seconds_in_year(stamp))
        except LineError:
            line = None  # the general path says what is wrong
        if line is not None:
            return line
    elif b" metrics:" not in raw:
        match = _FAST_STATS.fullmatch(raw)
        if match is not None:
            stamp = match.group("stamp").decode()  # as spec_line's fast path: tuple.__new__, fields in order
            return _NEW(StatsLine, (int(match.group("engine")), None, match.group("message").decode(), stamp,
                                    seconds_in_year(stamp)))
    return _parse_general(raw)


def _parse_general(raw: bytes) -> LineRead | None:
    text = line_text(raw)
    at = text.find(V1_MARKER)
    marker = V1_MARKER
    if at == -1:
        at = text.find(V0_MARKER)
        marker = V0_MARKER
    if at != -1:
        stamp, seconds = _stamped(text[:at])
        message = text[at + len(marker) :]
        try:
            if marker == V1_MARKER:
                return parse_v1(message, stamp, seconds)
            return parse_v0(message, stamp, seconds)
        except LineError as err:
            return UnreadableSpecLine(str(err), text[:_EXCERPT], stamp, seconds)
    at = text.find(throughput_line.MARKER)
    if at != -1:
        # one per engine per interval: only the engine id matters here
        engine, aggregated = engine_of(text[:at])
        stamp, seconds = _stamped(text[:at])
        return StatsLine(engine, aggregated, text[at:], stamp, seconds)
    at = text.find(startup.MARKER)
    if at != -1:
        stamp, seconds = _stamped(text[:at])
        return parse_startup(text[at - 40 if at > 40 else 0 :], stamp, seconds)
    at = text.find(STATS_DISABLED_MARKER)
    if at != -1:
        stamp, seconds = _stamped(text[:at])
        return StatsOffLine(stamp, seconds)
    return None


_DIFFUSION = DIFFUSION_MARKER.encode()


def parse_line_or_diffusion(raw: bytes) -> LineRead | DiffusionLine | None:
    """`parse_line`, and also the diffusion metrics line (with every prefix, ANSI codes and
    timestamp form the spec lines are read with); an unreadable one is an `UnreadableSpecLine`."""
    line = parse_line(raw)  # first: a spec or stats line pays nothing extra
    if line is not None or _DIFFUSION not in raw:
        return line
    text = line_text(raw)
    at = text.find(DIFFUSION_MARKER)
    if at == -1:  # the marker was split by an ANSI code: not a line vLLM writes
        return None
    stamp, seconds = _stamped(text[:at])
    try:
        return parse_diffusion(text[at + len(DIFFUSION_MARKER):], stamp, seconds)
    except LineError as err:
        return UnreadableSpecLine(str(err), text[:_EXCERPT], stamp, seconds)


class StrayLine(NamedTuple):
    """A line holding bytes that are not text: what it reads as (`line`, None when nothing: a line
    found only for its NULs), its NUL bytes and, when it is read, its bytes that are not UTF-8."""

    line: LineRead | DiffusionLine | None
    nul_bytes: int
    undecodable_bytes: int
    timestamp: str | None = None  # the line's, so that code looking at neighbours' times needs no case
    seconds: int | None = None


_UNDECODABLE = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, decoded with surrogateescape


def read_marker_line(raw: bytes) -> LineRead | DiffusionLine | StrayLine | None:
    """`parse_line_or_diffusion(raw)`, wrapped in a `StrayLine` when the line holds NUL bytes or
    (a line that reads as something) bytes that are not UTF-8."""
    line = parse_line_or_diffusion(raw)
    if raw.isascii() and NUL not in raw:  # the usual line: nothing to count
        return line
    nul = raw.count(NUL)
    undecodable = len(_UNDECODABLE.findall(raw.decode("utf-8", "surrogateescape"))) if line is not None else 0
    if not (nul or undecodable):
        return line  # UTF-8 text that is not ASCII
    stamp = getattr(line, "timestamp", None)
    return StrayLine(line, nul, undecodable, stamp, getattr(line, "seconds", None))


def _stamped(head: str) -> tuple[str | None, int | None]:
    """(timestamp, its seconds_in_year) of the prefix in `head`; (None, None) without one."""
    stamp = stamp_of(head)
    return (None, None) if stamp is None else (stamp, seconds_in_year(stamp))
