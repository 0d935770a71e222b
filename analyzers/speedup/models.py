"""The typed, versioned speedup report (see `analyzers.speedup.report` for the math).

Schema 2 (was 1): metrics are named for what they are (`output_throughput` = system tokens/s over
the benchmark window; `request_output_tps` = mean per-request speed; `mean_*` = request-weighted
means), each comparison says how its interval was computed (or why there is none), every level
says which metric decided its verdict, and the runs' comparability is a typed field. A level that
is not comparable (unless --force) carries no ratio, interval or verdict in any metric, and its
`summary` says why in a few words (the same words `compare` shows).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from speclens.analyzers.acceptance.models import InputFile, Notice

SCHEMA_VERSION = 3  # 3: inputs[].digest (see acceptance.models); 2 is still read
Verdict = Literal["faster", "slower", "not distinguishable", "not comparable", "n/a"]
KeyStatus = Literal["same", "differs", "unknown"]


class Comparison(BaseModel):
    metric: str
    description: str  # formula and weighting
    unit: str
    weighting: Literal["system", "request mean", "token-pooled"]
    higher_is_better: bool
    baseline: float | None
    spec: float | None
    speedup: float | None  # spec/baseline for throughput, baseline/spec for latencies: > 1 = spec better
    ci_low: float | None
    ci_high: float | None
    interval_method: str | None  # None when there is no interval
    interval_note: str | None  # how it was batched, or why there is no interval
    verdict: Verdict  # of this metric alone: its interval above 1 / below 1 / around 1
    data: Literal["per-request rows", "driver aggregates", "none"]
    n_baseline: int
    n_spec: int


class LoadLevel(BaseModel):
    label: str
    strategy: str
    rate: float | None
    baseline_benchmark: int
    spec_benchmark: int
    comparable: bool  # the runs and this level's loads (analyzers.speedup.comparability.judge_level)
    reasons: list[str]  # why this level's loads differ (empty when they do not; the runs' reasons: Comparability)
    summary: str | None = None  # why there is no verdict, short ("not comparable: temperature differs"); None: comparable
    decided_by: Literal["output_throughput"] = "output_throughput"
    verdict: Verdict  # the decided_by metric's verdict, or "not comparable" (unless forced)
    comparisons: list[Comparison]  # not comparable and not forced: no speedup, interval or verdict per metric


class KeyCheck(BaseModel):
    """One setting both runs must share. Values are as read; `source_*` names where."""

    key: str
    baseline: str | None
    spec: str | None
    source_baseline: str | None
    source_spec: str | None
    status: KeyStatus
    note: str | None = None


class RunInfo(BaseModel):
    path: str  # the load-driver result file
    driver: str  # guidellm schema generation or vllm-bench-serve
    levels: list[str]
    speculation: bool | None
    speculation_evidence: str


class Comparability(BaseModel):
    comparable: bool  # no key differs (unknown keys do not refuse) and the spec run speculated
    forced: bool  # --force: verdicts are given anyway
    reasons: list[str]
    keys: list[KeyCheck]
    short_reasons: list[str] = Field(default_factory=list)  # "temperature differs", "spec run never speculated: 0 drafts"


class SpeedupReport(BaseModel):
    schema_version: Literal[3, 2] = SCHEMA_VERSION
    tool: Literal["speclens speedup"] = "speclens speedup"
    speclens_version: str
    baseline: RunInfo
    spec: RunInfo
    inputs: list[InputFile]
    confidence: float = 0.95
    decision_metric: Literal["output_throughput"] = "output_throughput"
    methods: dict[str, str]  # interval method name -> how it is computed and its assumptions
    comparability: Comparability
    levels: list[LoadLevel]
    unpaired: list[str] = Field(default_factory=list)
    crossover: str | None
    notices: list[Notice] = Field(default_factory=list)
