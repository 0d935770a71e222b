"""Typed records the vLLM log reader yields, in file order.

Every record carries `lineno` (1-based line in its file), `timestamp` exactly as printed
(`MM-DD HH:MM:SS`, no year; None when the line has no vLLM prefix), `time_key` (seconds on a
year-unrolled clock, for ordering and windows only) and `segment` (index of the server lifetime
the line belongs to, 0-based: a new one starts at an engine-initialization line after serving
activity, or at a V0 line whose cumulative counters went down).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class SpecInterval:
    """One V1 `SpecDecoding metrics:` line: counts for one stats interval (never cumulative).

    `accepted`/`drafted` are the exact integer fields. `mean_acceptance_length` (2 dp),
    `per_position` (3 dp each) and `acceptance_rate_pct` (1 dp) are the rounded values as
    printed; nan stays nan. `fmt` names the format family (see `parsers.spec_line`).
    """

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int
    fmt: str
    accepted: int
    drafted: int
    mean_acceptance_length: float | None = None
    per_position: tuple[float, ...] | None = None
    acceptance_rate_pct: float | None = None
    engine: int | None = None


@dataclass(slots=True)
class SpecCumulative:
    """One V0 `Speculative metrics:` line: counts cumulative since the server started.

    Never sum these; differences of two lines give the counts in between. `reset_after_line` is
    set on a line that starts a new segment because, since the previous V0 line (that line
    number, same file), a cumulative counter went down or k changed: a restart without an
    engine-initialization line in between, or several runs' logs pasted into one file.
    """

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int
    fmt: str
    num_spec_tokens: int
    accepted: int
    draft_tokens: int
    emitted: int | None
    acceptance_rate: float | None = None
    system_efficiency: float | None = None
    reset_after_line: int | None = None


@dataclass(slots=True)
class ThroughputLine:
    """One `Engine 000: Avg prompt throughput: …` (or aggregated / V0) stats line.

    `engine` is the engine index for `Engine NNN:` lines, `aggregated_engines` the N of
    `N Engines Aggregated:`; both None for the V0 form. `message` is the raw text from `Avg
    prompt throughput:` on; only the engine identity is read (it attributes the spec lines
    that follow).
    """

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int
    engine: int | None
    aggregated_engines: int | None
    message: str = ""


@dataclass(slots=True)
class ServerStart:
    """A startup line that reveals configuration; a new `segment` begins at the first such
    line that follows serving activity (spec or throughput lines) of the previous lifetime."""

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int
    vllm_version: str | None = None
    model: str | None = None
    spec_method: str | None = None
    num_spec_tokens: int | None = None


@dataclass(slots=True)
class StatsLoggingDisabled:
    """vLLM's warning that stats logging is off (e.g. api_server_count > 1 under data parallel):
    this lifetime's log has no SpecDecoding lines even though drafting happens; use /metrics."""

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int


@dataclass(slots=True)
class UnparsedSpecLine:
    """A line carrying a spec-metrics marker that could not be read: `reason` says what was
    expected, `excerpt` holds the start of the line (at most 200 characters)."""

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int
    reason: str
    excerpt: str


@dataclass(slots=True)
class TruncatedInput:
    """The stream ended early (a truncated or corrupt .gz): records before it are complete,
    nothing after `lineno` was read. Always the last record."""

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int
    reason: str


@dataclass(slots=True)
class StrayBytes:
    """A line holding bytes that are not text: `nul_bytes` NULs (a crash leaves blocks of them where
    lost data was) and `undecodable_bytes` that are not UTF-8 (counted only on lines that are read:
    elsewhere, e.g. in an echoed Latin-1 prompt, they change no number). `has_record`: the line is
    one the reader reads (spec, stats, startup...) and has a record of its own right after this
    one (same `lineno`), read with those bytes replaced. Carries no time and places nothing."""

    lineno: int
    timestamp: None
    time_key: None
    segment: int
    nul_bytes: int
    undecodable_bytes: int
    has_record: bool


LogRecord = (
    SpecInterval | SpecCumulative | ThroughputLine | ServerStart | StatsLoggingDisabled | UnparsedSpecLine
    | TruncatedInput | StrayBytes
)
