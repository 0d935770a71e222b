"""The message of a spec-decode metrics line, read as key/value fields (never by position).

Format families (`fmt`):
- `v1-0.8.3`  (vLLM 0.8.3–0.8.4): `Draft acceptance rate: X%, Accepted: N tokens, Drafted: N tokens`
- `v1-0.8.5`  (0.8.5–0.10.1.x): adds `Mean acceptance length` and `Per-position acceptance rate: a, b, …`
- `v1-0.10.2` (0.10.2–0.33): `Mean acceptance length, Accepted/Drafted throughput, Accepted, Drafted,
  Per-position acceptance rate, Avg Draft acceptance rate: X%`
- `v0` / `v0-old` (V0 engine, cumulative): `Speculative metrics: Draft acceptance rate: 0.200 (a
  fraction), System efficiency, Number of speculative/accepted/draft/emitted tokens.`; `v0-old` is
  the vLLM ~0.4–0.5 spelling `Number of draft tokens tokens:`.
Unknown extra fields are ignored, so a future field does not break reading.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

V1_MARKER = "SpecDecoding metrics:"
V0_MARKER = "Speculative metrics:"

_KEY_RE = re.compile(r"(?:^|,)\s*([A-Za-z][\w\- ]*?):\s")
_COUNT_RE = re.compile(r"(\d{1,30})(?: tokens)?")  # a longer count is damage, not data


class LineError(ValueError):
    """The line carries a marker but not what that format requires; the text says what was expected."""


# What `parse_v1`/`parse_v0` return: the line's fields by name. `timestamp` (as printed) and
# `seconds` (its `parsers.timestamps.seconds_in_year`) come from the line's prefix, filled in by
# the log reader (`parsers.log_line`), None otherwise. One flat NamedTuple per line: these cross
# process boundaries by the hundred thousand (see `parsers.log_scan`).
class V1SpecLine(NamedTuple):
    fmt: str
    accepted: int
    drafted: int
    mean_acceptance_length: float | None
    per_position: tuple[float, ...] | None
    acceptance_rate_pct: float | None
    timestamp: str | None = None
    seconds: int | None = None


class V0SpecLine(NamedTuple):
    fmt: str
    num_spec_tokens: int
    accepted: int
    draft_tokens: int
    emitted: int | None
    acceptance_rate: float | None
    system_efficiency: float | None
    timestamp: str | None = None
    seconds: int | None = None


def split_fields(message: str) -> dict[str, str]:
    """`Key: value, Key: value` → {normalized lowercase key: value text}; a repeated key is an error."""
    matches = list(_KEY_RE.finditer(message))
    if not matches or message[: matches[0].start()].strip():
        raise LineError("expected 'Key: value' fields after the marker")
    fields: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(message)
        key = " ".join(match.group(1).lower().split())
        if key in fields:
            raise LineError(f"field '{match.group(1)}' appears twice (interleaved writes?)")
        fields[key] = message[match.end() : end].strip().rstrip(",.").strip()
    return fields


def _count(fields: dict[str, str], *keys: str) -> int | None:
    for key in keys:
        if key in fields:
            match = _COUNT_RE.fullmatch(fields[key])
            if match is None:
                raise LineError(f"expected a non-negative integer for '{key}', got {fields[key][:40]!r}")
            return int(match.group(1))
    return None


def _number(fields: dict[str, str], key: str) -> float | None:
    text = fields.get(key)
    if text is None:
        return None
    text = text.split(" ", 1)[0].rstrip("%")
    try:
        return float(text)
    except ValueError:
        raise LineError(f"expected a number for '{key}', got {fields[key][:40]!r}") from None


def positions(text: str) -> tuple[float, ...]:
    """`0.928, 0.818, nan` → rates; LineError unless every number is nan or within [0, 1]."""
    try:
        values = tuple(map(float, text.split(",")))
    except ValueError:
        raise LineError(f"expected comma-separated rates for 'Per-position acceptance rate', got {text[:60]!r}") from None
    # min/max are exact unless values[0] is nan (then they are nan and the full check runs)
    if not (0.0 <= min(values) and max(values) <= 1.0) and any(
            not math.isnan(v) and not 0.0 <= v <= 1.0 for v in values):
        raise LineError("expected per-position rates between 0 and 1")
    return values


# The exact 0.10.2+ message after the marker, as a pattern string: `parsers.log_line` compiles it
# into its whole-line fast path too, so both read the same shape the same way.
FAST_V1_0_10_2 = (
    r" Mean acceptance length: (?P<mal>[0-9.]+|nan), Accepted throughput: [0-9.]+ tokens/s, "
    r"Drafted throughput: [0-9.]+ tokens/s, Accepted: (?P<acc>\d{1,30}) tokens, Drafted: (?P<dr>\d{1,30}) tokens, "
    r"Per-position acceptance rate: (?P<pp>[0-9., na]*?), Avg Draft acceptance rate: (?P<rate>[0-9.]+|nan)%")
FAST_V1_GROUPS = ("mal", "acc", "dr", "pp", "rate")
_NEW = tuple.__new__
_FAST_V1_0_10_2 = re.compile(FAST_V1_0_10_2)


def fast_v1_line(mal: str | bytes, acc: str | bytes, dr: str | bytes, pp: str, rate: str | bytes,
                 timestamp: str | None = None, seconds: int | None = None) -> V1SpecLine | None:
    """The line of a `FAST_V1_0_10_2` match (its `FAST_V1_GROUPS`; numbers as str or ASCII
    bytes), or None when the general path must judge the line (Accepted above Drafted, a number
    like "1.2.3"); LineError for per-position rates outside [0, 1]."""
    accepted, drafted = int(acc), int(dr)
    if accepted > drafted:
        return None  # the general path reports it
    try:
        mal_value, rate_value = float(mal), float(rate)
    except ValueError:  # e.g. "1.2.3" fits [0-9.]+: the general path says which field is damaged
        return None
    # tuple.__new__ skips NamedTuple's Python-level __new__ (0.5 µs -> 0.2 µs, once per line of a
    # busy log); the values in field order, as the general path's keywords check
    return _NEW(V1SpecLine, ("v1-0.10.2", accepted, drafted, mal_value, positions(pp) if pp else None, rate_value,
                             timestamp, seconds))


def _fast_v1(message: str, timestamp: str | None, seconds: int | None) -> V1SpecLine | None:
    """The exact 0.10.2+ shape in one regex match (most lines of current logs); None otherwise."""
    match = _FAST_V1_0_10_2.fullmatch(message.rstrip())
    return None if match is None else fast_v1_line(*match.group(*FAST_V1_GROUPS), timestamp, seconds)


def parse_v1(message: str, timestamp: str | None = None, seconds: int | None = None) -> V1SpecLine:
    """Read the text after `SpecDecoding metrics:`; requires the integer Accepted and Drafted fields."""
    fast = _fast_v1(message, timestamp, seconds)
    if fast is not None:
        return fast
    fields = split_fields(message)
    accepted = _count(fields, "accepted")
    drafted = _count(fields, "drafted")
    if accepted is None or drafted is None:
        raise LineError("expected 'Accepted: N tokens' and 'Drafted: N tokens' fields")
    if accepted > drafted:
        raise LineError(f"Accepted ({accepted}) exceeds Drafted ({drafted})")
    if "avg draft acceptance rate" in fields:
        fmt, rate = "v1-0.10.2", _number(fields, "avg draft acceptance rate")
    else:
        fmt = "v1-0.8.5" if "mean acceptance length" in fields else "v1-0.8.3"
        rate = _number(fields, "draft acceptance rate")
    pos_text = fields.get("per-position acceptance rate", fields.get("per-position acceptance probabilities"))
    return V1SpecLine(
        fmt=fmt,
        accepted=accepted,
        drafted=drafted,
        mean_acceptance_length=_number(fields, "mean acceptance length"),
        per_position=positions(pos_text) if pos_text else None,
        acceptance_rate_pct=rate,
        timestamp=timestamp,
        seconds=seconds,
    )


def parse_v0(message: str, timestamp: str | None = None, seconds: int | None = None) -> V0SpecLine:
    """Read the text after `Speculative metrics:` (V0, cumulative counts, rate as a fraction)."""
    fields = split_fields(message)
    k = _count(fields, "number of speculative tokens")
    accepted = _count(fields, "number of accepted tokens")
    draft = _count(fields, "number of draft tokens", "number of draft tokens tokens")
    emitted = _count(fields, "number of emitted tokens", "number of emitted tokens tokens")
    if accepted is None or draft is None:
        raise LineError("expected 'Number of accepted tokens: N' and 'Number of draft tokens: N'")
    if k is None:
        raise LineError(
            "expected 'Number of speculative tokens: N' (the pre-release V1 form without it never shipped)"
        )
    if accepted > draft:
        raise LineError(f"accepted tokens ({accepted}) exceed draft tokens ({draft})")
    old = "number of draft tokens tokens" in fields or "number of emitted tokens tokens" in fields
    return V0SpecLine(
        fmt="v0-old" if old else "v0",
        num_spec_tokens=k,
        accepted=accepted,
        draft_tokens=draft,
        emitted=emitted,
        acceptance_rate=_number(fields, "draft acceptance rate"),
        system_efficiency=_number(fields, "system efficiency"),
        timestamp=timestamp,
        seconds=seconds,
    )
