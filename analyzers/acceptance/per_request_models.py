"""The per-request acceptance section: vLLM's per-request spec-decode metrics (a response's
`metrics.speculative_decoding`, server flag `--per-request-spec-decode-metrics`) pooled and
spread over the requests of one run. `analyzers.acceptance.per_request` computes it.

Two weightings, always labelled: step-weighted (pooled: every verification step counts once, the
weighting of the /metrics counters) and request-weighted (every request counts once, whatever its
length). Counts are exact integers; every rate is None (JSON null, text n/a) when undefined.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from speclens.analyzers.acceptance.notice import Notice

PERCENTILE_METHOD = "numpy.percentile, method 'linear' (interpolates between the two nearest ranks)"


def _d(text: str, *default: object):  # noqa: ANN202 - a pydantic Field carrying its unit and formula
    return Field(*default, description=text)


class Percentiles(BaseModel):
    n: int = _d("count of requests the percentiles are over")
    p10: float | None = _d("10th percentile over requests; " + PERCENTILE_METHOD)
    p50: float | None = _d("median over requests; " + PERCENTILE_METHOD)
    p90: float | None = _d("90th percentile over requests; " + PERCENTILE_METHOD)


class Summary(BaseModel):
    requests: int = _d("count of requests with per-request spec-decode metrics")
    steps: int = _d("count of verification steps, Σ num_spec_steps")
    accepted_tokens: int = _d("count of accepted draft tokens, Σ num_accepted_draft_tokens")
    draft_tokens: int = _d("count of draft tokens proposed, Σ num_draft_tokens")
    requests_without_steps: int = _d("count of requests with 0 verification steps: excluded from every "
                                     "request-weighted value and percentile of the acceptance length")
    requests_without_drafts: int = _d("count of requests with 0 draft tokens: excluded from every "
                                      "request-weighted value and percentile of the acceptance rate")
    mean_acceptance_length_step_weighted: float | None = _d(
        "tokens per step: 1 + Σ accepted / Σ steps over requests (pooled; every step counts once)")
    mean_acceptance_length_request_weighted: float | None = _d(
        "tokens per step: mean over requests with steps > 0 of (1 + accepted_i / steps_i) (every request counts once)")
    acceptance_rate_pooled: float | None = _d(
        "fraction 0..1: Σ accepted / Σ draft tokens over requests (pooled; every draft token counts once)")
    acceptance_rate_request_weighted: float | None = _d(
        "fraction 0..1: mean over requests with draft tokens of accepted_i / drafted_i (every request counts once)")
    acceptance_length_percentiles: Percentiles = _d("per-request 1 + accepted_i / steps_i, requests with steps > 0")
    acceptance_rate_percentiles: Percentiles = _d("per-request accepted_i / drafted_i, requests with draft tokens")


class PooledHistogram(BaseModel):
    k: int | None = _d("draft tokens proposed per step (num_spec_tokens); null when the requests disagree")
    counts: list[int] = _d("count per j = 0..k: H_j = Σ over requests of acceptance_histogram[j] (steps that "
                           "accepted exactly j drafts, bonus token excluded)")
    probability: list[float | None] = _d("fraction 0..1 per j: P(j accepted) = H_j / Σ H")
    per_position: list[float | None] = _d(
        "fraction 0..1 per draft position; index 0 is position 1 (0-based as the /metrics per-position counter "
        "indexes it): P(accepted >= i) = Σ_{j>=i} H_j / Σ H, pooled over steps")
    conditional: list[float | None] = _d("fraction 0..1 per draft position: per_position[i] / per_position[i-1], "
                                         "per_position[-1] = 1 (accepted at i given i-1 was)")
    every_step_drafted_k: bool = _d("Σ draft tokens = k · Σ steps: every step proposed k tokens (the per-position "
                                    "rates are per proposed token only then)")


class Bin(BaseModel):
    label: str = _d("the bin's range of the binned value, inclusive (tokens)")
    low: int = _d("smallest value in the bin (tokens)")
    high: int | None = _d("largest value in the bin (tokens); null for an open last band")
    requests: int = _d("count of requests in the bin (for output position bands: requests with a step in it)")
    steps: int = _d("count of verification steps in the bin")
    accepted_tokens: int = _d("count of accepted draft tokens in the bin")
    draft_tokens: int = _d("count of draft tokens proposed in the bin")
    mean_acceptance_length: float | None = _d("tokens per step: 1 + Σ accepted / Σ steps of the bin (step-weighted)")
    acceptance_rate: float | None = _d("fraction 0..1: Σ accepted / Σ draft tokens of the bin (pooled)")


class Binned(BaseModel):
    by: Literal["prompt tokens", "output tokens", "output position"]
    method: str = Field(description="how the bins were made")
    bins: list[Bin]


class Outlier(BaseModel):
    request_id: str | None = _d("the request's id as the load driver saved it; null when it saved none")
    source: str = _d("where the record was read (file and location)")
    acceptance_rate: float | None = _d("fraction 0..1: accepted_i / drafted_i")
    mean_acceptance_length: float | None = _d("tokens per step: 1 + accepted_i / steps_i")
    prompt_tokens: int | None = _d("count of the request's prompt tokens (the load driver's); null when unknown")
    output_tokens: int | None = _d("count of the request's output tokens (the load driver's); null when unknown")


class CounterCheck(BaseModel):
    """Per-request sums against the /metrics counters of the same run; each `*_diff` is the per-request
    sum minus the counter (null when the counter is unknown). A difference is explained, not an error."""

    counters: str = _d("the source the counters come from (its id and scope)")
    accepted_tokens_diff: int = _d("count: Σ accepted (requests) − accepted_tokens (counters)")
    draft_tokens_diff: int = _d("count: Σ draft tokens (requests) − draft_tokens (counters)")
    steps_diff: int | None = _d("count: Σ steps (requests) − drafts (counters)")
    per_position_diff: list[int] | None = _d(
        "count per position (0-based): Σ_{j>i} H_j (requests) − accepted_per_position[i] (counters)")
    agree: bool
    reasons: list[str] = Field(default_factory=list, description="what likely explains a difference")


class PerRequestSection(BaseModel):
    source_kind: str = _d("what the records were read from (guidellm, vllm bench, client JSON, raw responses)")
    requests_seen: int = _d("count of requests in the input, with or without per-request metrics")
    requests_without_metrics: int = _d("count of requests without per-request spec-decode metrics")
    sampled: bool | None = _d("true when the input keeps a sample of the requests (guidellm sample_size): sums "
                              "are then over the sample, not totals; null when unknown")
    summary: Summary | None = None
    histogram: PooledHistogram | None = None
    by_prompt_length: Binned | None = None
    by_output_length: Binned | None = None
    by_output_position: Binned | None = None
    lowest: list[Outlier] = Field(default_factory=list, description=(
        "the min(3, n // 2) lowest per-request acceptance rates, lowest first (n: requests with draft tokens)"))
    highest: list[Outlier] = Field(default_factory=list, description=(
        "the min(3, n // 2) highest per-request acceptance rates, highest first; never a request of lowest"))
    counter_check: CounterCheck | None = None
    notices: list[Notice] = Field(default_factory=list)


# The numeric fields' units and formulas for `Report.units`, keyed by their path inside a target
# (the descriptions above are the one text of each); {a,b} is the shell's brace list: either path.
UNIT_OBJECTS = (("per_request", PerRequestSection), ("per_request.summary", Summary),
                ("per_request.summary.{acceptance_length,acceptance_rate}_percentiles", Percentiles),
                ("per_request.histogram", PooledHistogram),
                ("per_request.{by_prompt_length,by_output_length,by_output_position}.bins[]", Bin),
                ("per_request.{lowest,highest}[]", Outlier), ("per_request.counter_check", CounterCheck))
