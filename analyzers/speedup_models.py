"""The typed, versioned speedup report (see `analyzers.speedup` for the math)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from analyzers.report import InputFile, Notice

Verdict = Literal["faster", "slower", "not distinguishable", "n/a"]


class Comparison(BaseModel):
    metric: str
    unit: str
    higher_is_better: bool
    baseline_mean: float | None
    spec_mean: float | None
    speedup: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: Verdict
    n_baseline: int
    n_spec: int


class LoadLevel(BaseModel):
    label: str
    strategy: str
    rate: float | None
    baseline_benchmark: int
    spec_benchmark: int
    comparisons: list[Comparison]
    verdict: Verdict  # of output tokens/s


class SpeedupReport(BaseModel):
    schema_version: Literal[1] = 1
    tool: Literal["speclens speedup"] = "speclens speedup"
    speclens_version: str
    baseline: str
    spec: str
    inputs: list[InputFile]
    seed: int
    resamples: int
    confidence: float = 0.95
    levels: list[LoadLevel]
    crossover: str | None
    notices: list[Notice] = Field(default_factory=list)
