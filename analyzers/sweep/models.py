"""The typed, versioned sweep report (`speclens sweep RUN_DIR`; the math: analyzers.sweep.acceptance,
analyzers.sweep.speedups, analyzers.sweep.select).

Schema 1. Every undefined number is null (never 0 or nan); each verdict says what decided it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from speclens.analyzers.speedup.models import Verdict

SCHEMA_VERSION = 1
Primary = Literal["output_throughput", "per_request_speed"]
# the speedup report's metric names (analyzers.speedup.metrics.METRICS) for each primary
METRIC_OF: dict[str, str] = {"output_throughput": "output_throughput", "per_request_speed": "request_output_tps"}
ModelVerdict = Literal["model holds", "model off", "n/a"]
BreakEvenKind = Literal["between", "never within the measured range", "already not paying at the lowest load", "n/a"]


class PositionRate(BaseModel):
    position: int  # 0-based draft position
    accepted: int  # count: drafts whose token at this position was accepted
    per_position: float | None  # accepted / drafts
    conditional: float | None  # accepted / accepted at position - 1 (drafts for position 0)
    conditional_of: int  # count: the conditional rate's denominator


class KAcceptance(BaseModel):
    """One k, pooled over its cells (exact /metrics-delta counts of each cell's acceptance report)."""

    k: int
    cells: list[str]
    drafts: int | None  # count of verification steps that had a draft
    draft_tokens: int
    accepted_tokens: int
    mean_acceptance_length: float | None  # 1 + accepted_tokens / drafts (bonus token included)
    mal_ci_low: float | None  # 95% interval of the measured length (see analyzers.sweep.acceptance)
    mal_ci_high: float | None
    draft_acceptance_rate: float | None  # accepted_tokens / draft_tokens
    positions: list[PositionRate]
    model_from_k: list[int] = Field(default_factory=list)  # the other k whose conditional rates fed the model
    model_mean_acceptance_length: float | None = None  # chain model from the pooled other cells
    model_band_low: float | None = None  # the range of the model's predictions from each other k alone
    model_band_high: float | None = None
    model_verdict: ModelVerdict = "n/a"
    model_off_by: float | None = None  # measured - model (tokens per step); set when the model is off
    model_note: str = ""


class MetricSpeedup(BaseModel):
    """One metric of one spec cell against the baseline cell of the same load and category
    (analyzers.speedup.report.build_speedup: the speedup, its 95% interval and verdict)."""

    baseline: float | None
    spec: float | None
    speedup: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: Verdict
    note: str | None = None


class CellSpeedup(BaseModel):
    spec_cell: str
    baseline_cell: str | None
    k: int
    load: str  # analyzers.speedup.load_metrics.load_label
    load_rank: list[float]  # sort key of the load: (strategy order, rate)
    category: str | None
    comparable: bool
    summary: str | None = None  # why there is no verdict
    output_throughput: MetricSpeedup | None = None
    per_request_speed: MetricSpeedup | None = None

    def metric(self, primary: str) -> MetricSpeedup | None:
        return getattr(self, primary)


class BestK(BaseModel):
    load: str
    category: str | None
    best_k: int | None  # highest primary speedup; None when undecidable (no interval, nothing comparable)
    ties: list[int] = Field(default_factory=list)  # other k whose 95% interval overlaps the best's
    verdict: Verdict | None = None  # the best k's verdict against the baseline
    speedup: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""


class BreakEven(BaseModel):
    category: str | None
    kind: BreakEvenKind
    low_load: str | None = None  # the last load at which the best k was faster
    high_load: str | None = None  # the first load after it at which it was not
    low_verdict: str | None = None
    high_verdict: str | None = None
    text: str


class MissingCell(BaseModel):
    id: str
    role: str
    why: str


class SweepReport(BaseModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    tool: Literal["speclens sweep"] = "speclens sweep"
    speclens_version: str
    run_dir: str
    primary: Primary
    confidence: float = 0.95
    methods: dict[str, str]
    acceptance: list[KAcceptance]
    speedups: list[CellSpeedup]
    best_k: list[BestK]
    break_even: list[BreakEven]
    missing: list[MissingCell] = Field(default_factory=list)
    summary: list[str] = Field(default_factory=list)  # the plain-words conclusions
