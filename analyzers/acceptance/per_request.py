"""The per-request acceptance section of a run (`per_request_section`): pure functions over the
records `parsers.request_metrics.read_request_specs` returns (duck-typed: any object with the
`RequestSpec` fields), into `analyzers.acceptance.per_request_models.PerRequestSection`.

Formulas (each quotient through `base.formulas`; models carry them as field descriptions):
- step-weighted mean acceptance length 1 + Σ accepted / Σ steps; request-weighted: the mean over
  requests with steps > 0 of 1 + accepted_i / steps_i (steps == 0 excluded and counted);
- pooled acceptance rate Σ accepted / Σ drafted; request-weighted: mean of accepted_i / drafted_i;
- p10/p50/p90 of the per-request values, numpy.percentile method 'linear';
- pooled histogram H_j = Σ hist_j, P(j) = H_j / Σ H, per-position P(accepted >= i) = Σ_{j>=i} H_j / Σ H
  (i = 1..k), conditional P(>= i) / P(>= i-1) (`metrics.conditional`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from speclens.analyzers.acceptance.metrics import conditional
from speclens.analyzers.acceptance.models import Notice
from speclens.analyzers.acceptance.per_request_bins import by_length, by_position, sharp_falls
from speclens.analyzers.acceptance.per_request_check import counter_check
from speclens.analyzers.acceptance.per_request_models import (
    Outlier,
    PerRequestSection,
    Percentiles,
    PooledHistogram,
    Summary,
)
from speclens.base import formulas

OUTLIERS = 3
HOW_TO_ENABLE = ("run_eval.sh and the launchers turn them on by default for vLLM >= 0.29: --per-request-metrics "
                 "summary|detailed; by hand, serve with vLLM's --per-request-spec-decode-metrics summary|detailed; "
                 "vLLM leaves them null when n > 1")
MAX_VIOLATIONS = 10  # listed one by one; the rest counted in one notice


def percentiles(values: Sequence[float]) -> Percentiles:
    if not values:
        return Percentiles(n=0, p10=None, p50=None, p90=None)
    import numpy as np  # here, not at import: the CLI starts without numpy (tests/test_lazy_imports.py)

    p10, p50, p90 = (float(v) for v in np.percentile(np.asarray(values, dtype=float), [10, 50, 90], method="linear"))
    return Percentiles(n=len(values), p10=p10, p50=p50, p90=p90)


def _mean(values: Sequence[float]) -> float | None:
    return formulas.ratio(sum(values), len(values))


def summary(records: Sequence[Any]) -> Summary:
    lengths = [formulas.mean_acceptance_length(r.accepted, r.steps) for r in records if r.steps > 0]
    rates = [formulas.acceptance_rate(r.accepted, r.drafted) for r in records if r.drafted > 0]
    steps, accepted, drafted = (sum(getattr(r, name) for r in records) for name in ("steps", "accepted", "drafted"))
    return Summary(
        requests=len(records), steps=steps, accepted_tokens=accepted, draft_tokens=drafted,
        requests_without_steps=len(records) - len(lengths), requests_without_drafts=len(records) - len(rates),
        mean_acceptance_length_step_weighted=formulas.mean_acceptance_length(accepted, steps),
        mean_acceptance_length_request_weighted=_mean(lengths),  # type: ignore[arg-type]
        acceptance_rate_pooled=formulas.acceptance_rate(accepted, drafted),
        acceptance_rate_request_weighted=_mean(rates),  # type: ignore[arg-type]
        acceptance_length_percentiles=percentiles(lengths),  # type: ignore[arg-type]
        acceptance_rate_percentiles=percentiles(rates),  # type: ignore[arg-type]
    )


def pooled_histogram(records: Sequence[Any]) -> PooledHistogram | None:
    """H_j summed over requests (shorter histograms padded with zeros when k differs)."""
    if not records:
        return None
    ks = {r.k for r in records}
    width = max(len(r.histogram) for r in records)
    counts = [sum(r.histogram[j] for r in records if j < len(r.histogram)) for j in range(width)]
    total = sum(counts)
    at_least = [formulas.ratio(sum(counts[i:]), total) for i in range(1, width)]  # P(accepted >= i), i = 1..k
    k = next(iter(ks)) if len(ks) == 1 else None
    full = k is not None and sum(r.drafted for r in records) == k * sum(r.steps for r in records)
    return PooledHistogram(k=k, counts=counts, probability=[formulas.ratio(h, total) for h in counts],
                           per_position=at_least, conditional=conditional(at_least) or [], every_step_drafted_k=full)


def _outlier(r: Any) -> Outlier:
    return Outlier(request_id=r.request_id, source=r.source,
                   acceptance_rate=formulas.acceptance_rate(r.accepted, r.drafted),
                   mean_acceptance_length=formulas.mean_acceptance_length(r.accepted, r.steps),
                   prompt_tokens=r.prompt_tokens, output_tokens=r.output_tokens)


def outliers(records: Sequence[Any]) -> tuple[list[Outlier], list[Outlier]]:
    """The lowest and highest per-request acceptance rates over the n requests with draft tokens
    (ranked by rate, ties by request id then source): each list holds m = min(OUTLIERS, n // 2)
    requests, lowest first in `lowest`, highest first in `highest`. The two are disjoint, and with
    odd n the median request is in neither: n = 1 lists none (one request is no outlier), n = 2 one
    each, n = 5 two each, n >= 6 three each."""
    ranked = sorted((r for r in records if r.drafted > 0),
                    key=lambda r: (formulas.acceptance_rate(r.accepted, r.drafted), r.request_id or "", r.source))
    m = min(OUTLIERS, len(ranked) // 2)
    low = ranked[:m]
    high = ranked[len(ranked) - m:][::-1] if m else []
    return [_outlier(r) for r in low], [_outlier(r) for r in high]


def _input_notices(spec_set: Any, hist: PooledHistogram | None) -> list[Notice]:
    out = []
    if not spec_set.records:
        out.append(Notice(level="info", code="no-per-request-metrics", message=(
            f"none of the {spec_set.requests_seen} request(s) carries per-request spec-decode metrics "
            f"({HOW_TO_ENABLE})")))
    elif spec_set.without_metrics:
        out.append(Notice(level="info", code="requests-without-metrics", message=(
            f"{spec_set.without_metrics} of {spec_set.requests_seen} request(s) carry no per-request spec-decode "
            "metrics and are not in this section")))
    if spec_set.sampled:
        out.append(Notice(level="info", code="requests-sampled", message=(
            "the input keeps a sample of the requests (guidellm sample_size): per-request sums are over the "
            "sample, not totals of the run")))
    if hist is not None and hist.k is None:
        out.append(Notice(level="warning", code="mixed-k", message=(
            "the requests report different num_spec_tokens: the pooled histogram pads shorter ones with zeros")))
    elif hist is not None and not hist.every_step_drafted_k:
        out.append(Notice(level="info", code="short-drafts", message=(
            "some steps proposed fewer than k draft tokens: the histogram's per-position rates are per step "
            "(as vLLM's per-position counters), not per proposed token")))
    for v in spec_set.violations[:MAX_VIOLATIONS]:
        out.append(Notice(level="warning", code="per-request-record-invalid", message=v.what, location=v.location))
    if len(spec_set.violations) > MAX_VIOLATIONS:
        out.append(Notice(level="warning", code="per-request-record-invalid", message=(
            f"{len(spec_set.violations) - MAX_VIOLATIONS} more invalid per-request record(s) not listed")))
    return out


def per_request_section(spec_set: Any, counters: Any = None, drafter: Any = None) -> PerRequestSection:
    """The section of one `RequestSpecSet`; `counters`: the run's /metrics `SourceResult` to check
    the per-request sums against (None: no check); `drafter`: the drafter's max_model_len from the
    server log (`parsers.startup.DraftMaxModelLen`; None: unknown), named by a prompt-length fall."""
    records = list(spec_set.records)
    hist = pooled_histogram(records)
    section = PerRequestSection(source_kind=spec_set.source_kind, requests_seen=spec_set.requests_seen,
                                requests_without_metrics=spec_set.without_metrics, sampled=spec_set.sampled,
                                notices=_input_notices(spec_set, hist))
    if not records:
        return section
    section.summary = summary(records)
    section.histogram = hist
    section.by_prompt_length = by_length(records, "prompt_tokens", "prompt tokens")
    section.by_output_length = by_length(records, "output_tokens", "output tokens")
    section.by_output_position = by_position(records)
    section.lowest, section.highest = outliers(records)
    for binned in (section.by_prompt_length, section.by_output_length, section.by_output_position):
        section.notices += sharp_falls(binned, drafter)
    if counters is not None:
        section.counter_check, notices = counter_check(spec_set, section.summary, hist, counters)
        section.notices += notices
    return section
