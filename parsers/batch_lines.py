"""Read a batch of marker lines at once: one `re.finditer` over the lines joined by newlines.

`read_marker_lines(lines)` is `[read_marker_line(line) for line in lines]` (parsers.log_line),
only faster on the two shapes vLLM 0.10.2+ writes most (the spec line and the `Engine NNN:`
stats line, with the canonical prefix): they are matched in one pass over the joined batch, with
one `seconds_in_year` per distinct timestamp, instead of one fullmatch and one call chain per
line. Every line the batch pattern does not match, or that the fast readers decline (Accepted
above Drafted, a number like "1.2.3", rates outside [0, 1], a stats line whose message holds
" metrics:"), and every batch holding a byte that is not ASCII or a NUL, goes the exact general
way (`read_marker_line`). tests/parsers/test_batch_scan.py checks equality on mutated lines.
"""

from __future__ import annotations

import re
from typing import Any

from speclens.parsers.log_line import read_marker_line
from speclens.parsers.log_prefix import CANONICAL_PREFIX
from speclens.parsers.spec_line import FAST_V1_0_10_2, V1_MARKER, LineError, fast_v1_line
from speclens.parsers.throughput_line import StatsLine
from speclens.parsers.timestamps import seconds_in_year

# One line of the joined batch: no part of the pattern can match a newline, so `^...$` in
# MULTILINE mode matches exactly the lines log_line's `_FAST_SPEC` / `_FAST_STATS` fullmatch.
_BATCH = re.compile(rb"(?m)^" + CANONICAL_PREFIX + rb"(?:" + V1_MARKER.encode() + FAST_V1_0_10_2.encode()
                    + rb"[ \t\r]*|Engine (?P<engine>\d{1,9}): (?P<message>Avg prompt throughput: [\x20-\x7e]*)\r*)$")
_NEW = tuple.__new__
_SPEC_MARK = b" metrics:"
_MISSING: Any = object()  # a line not decoded yet (None is a result: not a line we read)


def read_marker_lines(lines: list[bytes]) -> list[Any]:
    """`[read_marker_line(line) for line in lines]`, computed in one pass where it can be."""
    joined = b"\n".join(lines)
    if not joined.isascii() or b"\x00" in joined:
        return [read_marker_line(line) for line in lines]
    out: list[Any] = [_MISSING] * len(lines)
    index = {}
    at = 0
    for i, line in enumerate(lines):
        index[at] = i
        at += len(line) + 1
    seconds: dict[bytes, int | None] = {}
    for match in _BATCH.finditer(joined):
        i = index.get(match.start())
        if i is None:  # cannot happen (the pattern starts at a line start); be exact anyway
            continue
        raw_stamp = match.group("stamp")
        sec = seconds.get(raw_stamp, _MISSING)
        stamp = raw_stamp.decode()
        if sec is _MISSING:
            sec = seconds[raw_stamp] = seconds_in_year(stamp)
        engine = match.group("engine")
        if engine is None:
            mal, acc, dr, pp, rate = match.group("mal", "acc", "dr", "pp", "rate")
            try:
                value = fast_v1_line(mal, acc, dr, pp.decode(), rate, stamp, sec)
            except LineError:
                value = None
            if value is not None:
                out[i] = value
        elif _SPEC_MARK not in lines[i]:
            out[i] = _NEW(StatsLine, (int(engine), None, match.group("message").decode(), stamp, sec))
    for i, value in enumerate(out):
        if value is _MISSING:
            out[i] = read_marker_line(lines[i])
    return out

