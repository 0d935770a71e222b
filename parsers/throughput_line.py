"""The periodic stats line, read as `Key: value` pairs (its optional parts vary by version).

Forms: `Engine 000: Avg prompt throughput: …` (V1, one per engine), `2 Engines Aggregated: …`
(V1 aggregated), `Avg prompt throughput: …` (V0). Only the engine identity matters for spec
accounting: a V1 `SpecDecoding metrics:` line has no engine id and follows its engine's stats
line in the same interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = "Avg prompt throughput:"
_ENGINE_RE = re.compile(r"Engine (\d{1,9}):\s*$")
_AGGREGATED_RE = re.compile(r"(?<!\d)(\d{1,9}) Engines Aggregated:\s*$")


@dataclass(frozen=True, slots=True)
class ThroughputFields:
    engine: int | None
    aggregated_engines: int | None
    fields: dict[str, str]


def engine_of(before_marker: str) -> tuple[int | None, int | None]:
    """(engine index of `Engine NNN:`, N of `N Engines Aggregated:`) from the text before the marker."""
    tail = before_marker[-48:].rstrip() + " "
    if (match := _ENGINE_RE.search(tail)) is not None:
        return int(match.group(1)), None
    if (match := _AGGREGATED_RE.search(tail)) is not None:
        return None, int(match.group(1))
    return None, None


def parse_fields(message: str) -> dict[str, str]:
    """`Avg prompt throughput: 1.0 tokens/s, Running: 1 reqs, …` → {lowercase key: value text}."""
    fields: dict[str, str] = {}
    for part in message.rstrip().rstrip(".").split(", "):
        key, sep, value = part.partition(": ")
        if sep:
            fields[key.strip().lower()] = value.strip()
    return fields


def parse_throughput(before_marker: str, message: str) -> ThroughputFields:
    """`before_marker` is the line text up to `Avg prompt throughput:`; `message` starts with it."""
    engine, aggregated = engine_of(before_marker)
    return ThroughputFields(engine, aggregated, parse_fields(message))
