"""The typed, versioned acceptance report. Renderers take only a finished `Report`.

Counts are exact integers; every rate is None (JSON null, text `n/a`) when its denominator is
zero or unknown. Every number belongs to a `SourceResult` that names where it came from. Each
numeric field's unit and formula is its pydantic description; `Report.units` carries them all in
the JSON (rates are fractions 0..1, never percentages).

Schema 2 (from 1): `units`; `Counts.drafts_range`; `Metrics.mean_acceptance_length_formula` and
`_range`; `LogDetail.intervals_before_window/_after_window/_untimed`; `SegmentInfo.k`, `k_from`,
`starts_because`; `TargetReport.log_window`; `Window.segment`. V0 segments split where the
cumulative counters go down. Still schema 2, additively: `TargetReport.diffusion` (null unless the
inputs hold diffusion-LM data, `analyzers.diffusion.models`) and its units;
`TargetReport.per_request` (null unless the load results hold vLLM's per-request spec-decode
metrics, `analyzers.acceptance.per_request_models`; its fields' descriptions are in `units` as
`per_request.*`). `TargetReport.categories`
(null unless run.json's cells carry categories, `analyzers.acceptance.categories_models`; likewise).
"""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from speclens.analyzers.diffusion.models import UNIT_OBJECTS as DIFFUSION_UNITS
from speclens.analyzers.diffusion.models import DiffusionSection
from speclens.analyzers.acceptance.mal_formula import MAL_V0, MAL_V1, described  # noqa: F401 - MAL_*: re-exported
from speclens.analyzers.acceptance.notice import Notice
from speclens.analyzers.acceptance.per_request_models import UNIT_OBJECTS as PER_REQUEST_UNITS
from speclens.analyzers.acceptance.per_request_models import PerRequestSection
from speclens.analyzers.acceptance.categories_models import UNIT_OBJECTS as CATEGORY_UNITS
from speclens.analyzers.acceptance.categories_models import CategorySection

SCHEMA_VERSION = 3  # 3: inputs[].digest names its algorithm ("blake3:…"), where 2 had inputs[].sha256

DraftsFrom = Literal["counter", "drafted/k", "reconstructed", "estimated", "unavailable"]
PerPositionFrom = Literal["counter", "reconstructed", "estimated", "unavailable"]


class InputFile(BaseModel):
    path: str
    role: Literal["vllm_log", "metrics_before", "metrics_after", "metrics", "load_results", "bench_console"]
    digest: str = Field(description="content fingerprint named by its algorithm: 'blake3:<hex>' (analyzers.digest); "
                        "reports written before it carried 'sha256: <hex>', read as 'sha256:<hex>'")
    size_bytes: int

    @model_validator(mode="before")
    @classmethod
    def _legacy_sha256(cls, data: object) -> object:
        if isinstance(data, dict) and "digest" not in data and isinstance(data.get("sha256"), str):
            from speclens.analyzers.digest import legacy_digest

            data = {**{k: v for k, v in data.items() if k != "sha256"}, "digest": legacy_digest(data["sha256"])}
        return data


MalFormula = Literal["1 + accepted_tokens / drafts", "emitted_tokens / drafts"]  # MAL_V1, MAL_V0 (mal_formula)


def _d(text: str, *default: object):  # noqa: ANN202 - a pydantic Field carrying its unit and formula
    return Field(*default, description=text)


class Counts(BaseModel):
    """Integer totals of one source. `drafts_from`/`per_position_from` say how drafts and
    per-position counts were obtained: read from a counter, `drafted/k` (fixed-length drafter),
    `reconstructed` (the unique integers consistent with every rounded value of every log line),
    `estimated` (some interval had several consistent solutions; see `ambiguous_intervals` and
    `drafts_range`)."""

    k: int | None = _d("draft tokens proposed per verification step (num_speculative_tokens); null when unknown")
    drafts: int | None = _d("count of verification steps that had a draft (one per request per step); "
                            "null when unknown; an estimate when drafts_from is 'estimated'")
    draft_tokens: int = _d("count of draft tokens proposed")
    accepted_tokens: int = _d("count of draft tokens accepted (V1: accepted prefix; V0: every accepted token)")
    accepted_per_position: list[int] | None = _d("count of drafts whose token at position i (0-based) was accepted", None)
    emitted_tokens: int | None = _d("count of tokens emitted by verification steps (V0 only): per draft its accepted "
                                    "prefix plus the target's own token, the bonus token only when all k draft tokens "
                                    "were accepted", None)
    drafts_from: DraftsFrom = Field("counter", description="how drafts was obtained")
    per_position_from: PerPositionFrom = Field("counter", description="how accepted_per_position was obtained")
    ambiguous_intervals: int = Field(0, description="count of log intervals with several consistent integer solutions")
    drafts_range: list[int] | None = Field(None, description="[min, max] drafts consistent with every printed value "
                                           "when drafts is estimated; null when drafts is exact or unknown")


class Metrics(BaseModel):
    mean_acceptance_length: float | None = _d(
        "tokens per verification step, range 1..k+1: the formula in mean_acceptance_length_formula; pooled over drafts")
    mean_acceptance_length_formula: MalFormula | None = Field(None, description=(
        described()))
    mean_acceptance_length_range: list[float] | None = Field(None, description=(
        "[min, max] of mean_acceptance_length over counts.drafts_range, when drafts is estimated"))
    draft_acceptance_rate: float | None = _d("fraction 0..1 (not percent): accepted_tokens / draft_tokens; "
                                             "pooled over draft tokens; falls with k by construction")
    per_position: list[float | None] | None = _d("fraction 0..1 per position i: accepted_per_position[i] / drafts "
                                                 "(unconditional); pooled over drafts")
    conditional: list[float | None] | None = _d("fraction 0..1 per position i: per_position[i] / per_position[i-1], "
                                                "per_position[-1] = 1 (accepted at i given i-1 was)")


class Legacy(BaseModel):
    """The old speculator eval `acceptance_analysis.txt` numbers (rounded-rate weighting)."""

    samples: int = _d("count of log intervals (SpecDecoding lines) used")
    drafted_tokens: int = _d("count of draft tokens, sum of Drafted over the intervals")
    average_drafted_tokens: float | None = _d("draft tokens per interval: drafted_tokens / samples")
    weighted_per_position: list[float | None] | None = _d(
        "fraction 0..1 per position: sum_j rate_ij * Drafted_j / sum_j Drafted_j over intervals j (3-dp printed rates)")
    conditional: list[float | None] | None = _d("fraction 0..1 per position: weighted_i / weighted_(i-1), weighted_(-1) = 1")


class IntervalPoint(BaseModel):
    lineno: int
    timestamp: str | None
    accepted: int = _d("count of accepted tokens in this log interval")
    drafted: int = _d("count of draft tokens in this log interval")
    drafts: int | None = _d("count of drafts in this log interval (reconstructed or estimated)")
    mean_acceptance_length: float | None = _d("tokens per verification step in this V1 log interval: "
                                              "1 + accepted / drafts")


class FirstInterval(BaseModel):
    """The first interval a source took against the others (for the warm-up check, without
    keeping every interval): mean acceptance lengths per interval, 1 + accepted / drafts."""

    first_mean_acceptance_length: float | None
    rest_mean: float | None = _d("unweighted mean over the other intervals of their mean acceptance length", None)
    intervals: int = _d("count of intervals taken, the first included", 0)


class LogDetail(BaseModel):
    segment: int
    formats: list[str]
    intervals_used: int = _d("count of spec lines summed (V1) or spanned (V0) by this source")
    intervals_skipped_warmup: int = _d("count of spec lines left out by --skip-first")
    intervals_outside_window: int = _d("count of spec lines left out by the time window (before + after + untimed)")
    first_line: int | None
    last_line: int | None
    first_time: str | None
    last_time: str | None
    legacy: Legacy | None = None
    series: list[IntervalPoint] | None = None
    intervals_before_window: int = _d("count of spec lines before the window's start", 0)
    intervals_after_window: int = _d("count of spec lines after the window's end", 0)
    intervals_untimed: int = _d("count of spec lines without a timestamp, left out because a window was given", 0)
    first_interval: FirstInterval | None = None


class SourceResult(BaseModel):
    id: str
    kind: Literal["metrics_delta", "metrics_scrape", "log_intervals", "log_cumulative_v0", "bench_serve",
                  "per_request_sums"]  # per_request_sums: analyzers.acceptance.per_request_input
    scope: str
    files: list[str]
    counts: Counts
    metrics: Metrics
    per_engine: dict[str, Counts] = Field(default_factory=dict)
    log: LogDetail | None = None


class Agreement(BaseModel):
    """How source b differs from source a (both of one target), count by count: each `*_diff` is
    b's count minus a's. Compared: accepted_tokens and draft_tokens always; drafts only when both
    know it (else `drafts_diff` is null and drafts do not count towards `agree`);
    accepted_per_position only when both have it, the shorter list padded with zeros (else
    `per_position_diff` is null). Not compared: emitted_tokens, k and per-engine counts. `agree` is
    true when every compared difference is zero; `note` says what explains a difference, when
    something does."""

    a: str
    b: str
    accepted_tokens_diff: int = _d("count: b's accepted_tokens − a's")
    draft_tokens_diff: int = _d("count: b's draft_tokens − a's")
    drafts_diff: int | None = _d("count: b's drafts − a's; null when either is unknown")
    per_position_diff: list[int] | None = _d("count per position: b's accepted_per_position − a's")
    agree: bool
    note: str = ""


KFrom = Literal["startup line", "V0 spec lines", "per-position rates"]
SegmentStart = Literal["start of the file", "engine start", "V0 counters went down"]


class SegmentInfo(BaseModel):
    """One server lifetime in a log. `num_spec_tokens` is what its startup line printed; `k` is
    the k every source of this segment uses, from `k_from`."""

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
    k: int | None = None
    k_from: KFrom | None = None
    starts_because: SegmentStart = "start of the file"


class AppliedWindow(BaseModel):
    """The time window applied to this target's log: from the options or, in a run directory
    without them, the run's own window from run.json. `*_on_log` is the bound as placed on the
    log's clock (`MM-DD HH:MM:SS`), `*_relation` where that is relative to the log's span."""

    origin: Literal["options", "run.json"]
    since: str | None
    until: str | None
    since_on_log: str | None = None
    until_on_log: str | None = None
    since_relation: Literal["before the log", "inside the log", "after the log"] | None = None
    until_relation: Literal["before the log", "inside the log", "after the log"] | None = None
    log_first_time: str | None = None  # the log's earliest and latest timestamps (lines may be out of order)
    log_latest_time: str | None = None
    notes: list[str] = Field(default_factory=list)


class TargetReport(BaseModel):
    path: str
    kind: Literal["run_dir", "log", "metrics_pair", "metrics", "bench_json", "bench_console", "requests", "unreadable"]
    log_window: AppliedWindow | None = None
    segments: list[SegmentInfo] = Field(default_factory=list)
    sources: list[SourceResult] = Field(default_factory=list)
    primary: str | None = None
    agreements: list[Agreement] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    unparsed_spec_lines: int = 0
    first_unparsed: str | None = None
    diffusion: DiffusionSection | None = None  # diffusion-LM counters, when the inputs hold any
    per_request: PerRequestSection | None = None  # vLLM's per-request spec-decode metrics, when the load results hold any
    categories: CategorySection | None = None  # a multi-phase run's category table (analyzers.acceptance.categories)

    def source(self, source_id: str | None) -> SourceResult | None:
        return next((s for s in self.sources if s.id == source_id), None)


class Window(BaseModel):
    """The options as given (`analyzers.log.window.parse_window` checks them). `segment`: which log
    segment(s) to report: None = every segment (the legacy layout: the primary's), N = only
    segment N, "all" = every segment (the legacy layout: one block each)."""

    since: str | None = None
    until: str | None = None
    skip_first: int = 0
    segment: int | Literal["all"] | None = None


_UNIT_OBJECTS = (("counts", Counts), ("metrics", Metrics), ("log", LogDetail), ("log.legacy", Legacy),
                 ("log.series[]", IntervalPoint), ("agreements[]", Agreement), *DIFFUSION_UNITS, *PER_REQUEST_UNITS,
                 *CATEGORY_UNITS)


def units() -> dict[str, str]:
    """Unit and formula of every numeric field, keyed by its path inside a source (or target)."""
    return dict(_units())  # a copy per report: its models are fixed, the dict is computed once


@functools.cache
def _units() -> tuple[tuple[str, str], ...]:
    return tuple((f"{prefix}.{name}", field.description)
                 for prefix, model in _UNIT_OBJECTS for name, field in model.model_fields.items() if field.description)


class Report(BaseModel):
    schema_version: Literal[3, 2] = SCHEMA_VERSION  # written: 3; read: 3 and 2 (its sha256 read as a digest)
    tool: Literal["speclens"] = "speclens"
    speclens_version: str
    window: Window
    units: dict[str, str] = Field(default_factory=units, description="unit and formula of each numeric field")
    inputs: list[InputFile]
    targets: list[TargetReport]
