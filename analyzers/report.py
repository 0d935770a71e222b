"""The typed, versioned acceptance report. Renderers take only a finished `Report`.

Counts are exact integers; every rate is None (JSON null, text `n/a`) when its denominator is
zero or unknown. Every number belongs to a `SourceResult` that names where it came from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SCHEMA_VERSION = 1

DraftsFrom = Literal["counter", "drafted/k", "reconstructed", "estimated", "unavailable"]
PerPositionFrom = Literal["counter", "reconstructed", "estimated", "unavailable"]


class InputFile(BaseModel):
    path: str
    role: Literal["vllm_log", "metrics_before", "metrics_after", "metrics", "load_results"]
    sha256: str
    size_bytes: int


class Counts(BaseModel):
    """Integer totals of one source. `drafts_from`/`per_position_from` say how drafts and
    per-position counts were obtained: read from a counter, `drafted/k` (fixed-length drafter),
    `reconstructed` (the unique integers consistent with every rounded value of every log line),
    `estimated` (some interval had several consistent solutions; see `ambiguous_intervals`)."""

    k: int | None
    drafts: int | None
    draft_tokens: int
    accepted_tokens: int
    accepted_per_position: list[int] | None = None
    emitted_tokens: int | None = None
    drafts_from: DraftsFrom = "counter"
    per_position_from: PerPositionFrom = "counter"
    ambiguous_intervals: int = 0


class Metrics(BaseModel):
    mean_acceptance_length: float | None
    draft_acceptance_rate: float | None
    per_position: list[float | None] | None
    conditional: list[float | None] | None


class Legacy(BaseModel):
    """The old speculator eval `acceptance_analysis.txt` numbers (rounded-rate weighting)."""

    samples: int
    drafted_tokens: int
    average_drafted_tokens: float | None
    weighted_per_position: list[float | None] | None
    conditional: list[float | None] | None


class IntervalPoint(BaseModel):
    lineno: int
    timestamp: str | None
    accepted: int
    drafted: int
    drafts: int | None
    mean_acceptance_length: float | None


class LogDetail(BaseModel):
    segment: int
    formats: list[str]
    intervals_used: int
    intervals_skipped_warmup: int
    intervals_outside_window: int
    first_line: int | None
    last_line: int | None
    first_time: str | None
    last_time: str | None
    legacy: Legacy | None = None
    series: list[IntervalPoint] | None = None


class SourceResult(BaseModel):
    id: str
    kind: Literal["metrics_delta", "metrics_scrape", "log_intervals", "log_cumulative_v0"]
    scope: str
    files: list[str]
    counts: Counts
    metrics: Metrics
    per_engine: dict[str, Counts] = Field(default_factory=dict)
    log: LogDetail | None = None


class Agreement(BaseModel):
    """`b - a` for each count; `agree` when accepted and draft tokens match exactly."""

    a: str
    b: str
    accepted_tokens_diff: int
    draft_tokens_diff: int
    drafts_diff: int | None
    per_position_diff: list[int] | None
    agree: bool
    note: str = ""


class SegmentInfo(BaseModel):
    index: int
    first_line: int | None
    last_line: int | None
    first_time: str | None
    last_time: str | None
    vllm_version: str | None
    model: str | None
    spec_method: str | None
    num_spec_tokens: int | None
    spec_lines: int
    stats_logging_disabled: bool = False


class Notice(BaseModel):
    level: Literal["warning", "info"]
    code: str
    message: str
    location: str | None = None


class TargetReport(BaseModel):
    path: str
    kind: Literal["run_dir", "log", "metrics_pair", "metrics"]
    segments: list[SegmentInfo] = Field(default_factory=list)
    sources: list[SourceResult] = Field(default_factory=list)
    primary: str | None = None
    agreements: list[Agreement] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    unparsed_spec_lines: int = 0
    first_unparsed: str | None = None

    def source(self, source_id: str | None) -> SourceResult | None:
        return next((s for s in self.sources if s.id == source_id), None)


class Window(BaseModel):
    since: str | None = None
    until: str | None = None
    skip_first: int = 0


class Report(BaseModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    tool: Literal["speclens"] = "speclens"
    speclens_version: str
    window: Window
    inputs: list[InputFile]
    targets: list[TargetReport]
