"""The periodic stats line, read for the identity of its engine.

Forms: `Engine 000: Avg prompt throughput: …` (V1, one per engine), `2 Engines Aggregated: …`
(V1 aggregated), `Avg prompt throughput: …` (V0). Only the engine identity matters for spec
accounting: a V1 `SpecDecoding metrics:` line has no engine id and follows its engine's stats
line in the same interval. The rest of the line is kept as text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MARKER = "Avg prompt throughput:"
_ENGINE_RE = re.compile(r"Engine (\d{1,9}):\s*$")
_AGGREGATED_RE = re.compile(r"(?<!\d)(\d{1,9}) Engines Aggregated:\s*$")


class StatsLine(NamedTuple):
    """One stats line: `engine` of `Engine NNN:`, `aggregated_engines` the N of `N Engines
    Aggregated:` (both None for the V0 form), `message` the text from the marker on, and
    `timestamp`/`seconds` of its prefix as `parsers.spec_line.V1SpecLine` has them."""

    engine: int | None
    aggregated_engines: int | None
    message: str
    timestamp: str | None = None
    seconds: int | None = None


def engine_of(before_marker: str) -> tuple[int | None, int | None]:
    """(engine index of `Engine NNN:`, N of `N Engines Aggregated:`) from the text before the marker."""
    tail = before_marker[-48:].rstrip() + " "
    if (match := _ENGINE_RE.search(tail)) is not None:
        return int(match.group(1)), None
    if (match := _AGGREGATED_RE.search(tail)) is not None:
        return None, int(match.group(1))
    return None, None
