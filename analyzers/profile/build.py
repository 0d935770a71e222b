"""The speculation profile of one acceptance target, in the field names and conventions of NVIDIA
Model-Optimizer specdec_bench's `speculation_profile.json`, schema_version "1.0" (the producer
`specdec_bench/speculation_profile.py` `build_profile` of Model-Optimizer PRs #2247/#2313/#2315/#2316;
not on Model-Optimizer's main branch when this was written), so tools that read theirs read ours.

Their conventions, and how our numbers map onto them (every number is taken from the acceptance
report, `analyzers.acceptance.*` through `base.formulas`; nothing is recomputed another way):

| specdec_bench | meaning there | ours |
|---|---|---|
| acceptance length | tokens per verify step, the target's bonus token included (1..k+1) | j accepted drafts = length j + 1 |
| `acceptance_length_histogram` | {length: steps}, lengths 1..k+1 | {str(j + 1): H_j}, H_j the pooled per-request histogram (bin j = steps that accepted exactly j drafts) |
| `marginal_accept_rates[i]`, i = 0..k-1 | P(length >= i + 2) = P(first i + 1 drafts all accepted) | per-position rate i (0-based): Σ_{j>i} H_j / Σ H, or accepted_per_position[i] / drafts from the counters |
| `conditional_accept_rates[i]` | P(length >= i + 2) / P(length >= i + 1), marginal[-1] = 1 | our conditional; null where the previous marginal is 0 (specdec_bench writes 0.0 there) |
| `mean_accept_length` | per-step mean length | step-weighted 1 + Σ accepted / Σ steps |
| `mean_accept_length_per_request` | mean over requests of each request's mean length | request-weighted mean (requests with steps > 0); null from counters or a log |
| `accept_length_by_k` | expected length for K = 1..k draft tokens | `chain_analytic`: 1 + Σ_{i<K} marginal[i] (a chain's accepted prefix truncated at K, E[min(A, K)] = Σ_{i<K} P(A > i)); `measured_per_k` (block-parallel drafters, where truncation does not hold): only the measured k |
| `validation.mean_consistency` | 1 + Σ marginal within 0.02 of mean_accept_length | same, with both values and the tolerance |
| `validation.marginal_monotonicity` | marginals non-increasing (1e-9 slack) | same, violations listed |

Undefined numbers are null, never 0. The exact shape of `accept_length_by_k` and of the
validation entries was read from review excerpts of those PRs, not from merged code: a mapping
{str(K): length} and {passed, ...} objects.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = "1.0"
MEAN_TOLERANCE = 0.02  # specdec_bench's mean-consistency tolerance (tokens per step)
MONOTONE_SLACK = 1e-9
BLOCK_PARALLEL = ("dflash",)  # drafters whose accepted length at a smaller K is not a truncation of the chain
SOURCE_HISTOGRAM = "per-request acceptance histograms (vLLM --per-request-spec-decode-metrics), pooled over requests"


def accept_length_by_k(marginal: list[float | None], k: int | None, mean: float | None,
                       method: str | None) -> tuple[str, dict[str, float | None]]:
    """(`accept_length_model`, {str(K): expected acceptance length with K draft tokens})."""
    if method and method.lower() in BLOCK_PARALLEL:
        return "measured_per_k", ({str(k): mean} if k else {})
    by_k: dict[str, float | None] = {}
    total: float | None = 1.0
    for i, rate in enumerate(marginal):
        total = None if total is None or rate is None else total + rate
        by_k[str(i + 1)] = total
    return "chain_analytic", by_k


def validation(marginal: list[float | None], mean: float | None) -> dict[str, Any]:
    """specdec_bench's two checks: 1 + Σ marginal == mean_accept_length within MEAN_TOLERANCE, and
    marginals non-increasing. A check whose inputs are undefined has `passed` null."""
    implied = None if not marginal or any(m is None for m in marginal) else 1.0 + sum(marginal)  # type: ignore[arg-type]
    passed = None if implied is None or mean is None else abs(implied - mean) <= MEAN_TOLERANCE
    violations = [{"position": i, "value": marginal[i], "previous": marginal[i - 1]}
                  for i in range(1, len(marginal)) if marginal[i] is not None and marginal[i - 1] is not None
                  and marginal[i] > marginal[i - 1] + MONOTONE_SLACK]  # type: ignore[operator]
    known = all(m is not None for m in marginal)
    return {"mean_consistency": {"passed": passed, "implied_mean_accept_length": implied,
                                 "reported_mean_accept_length": mean, "tolerance": MEAN_TOLERANCE},
            "marginal_monotonicity": {"passed": (not violations) if known and marginal else
                                      (False if violations else None), "violations": violations}}


def core(target: Any) -> dict[str, Any] | None:
    """The acceptance fields of one `TargetReport`: from its per-request histograms when it has
    any with steps, else from its primary source (/metrics counters or log counts: per-position
    only, no histogram, no per-request mean). None when it has no spec-decode data."""
    section = target.per_request
    if section is not None and section.summary is not None and section.summary.steps > 0 and section.histogram:
        hist, summary = section.histogram, section.summary
        return {"k": hist.k, "source": SOURCE_HISTOGRAM, "steps": summary.steps, "requests": summary.requests,
                "sampled": section.sampled, "marginal": list(hist.per_position),
                "conditional": list(hist.conditional), "mean": summary.mean_acceptance_length_step_weighted,
                "mean_per_request": summary.mean_acceptance_length_request_weighted,
                "histogram": {str(j + 1): h for j, h in enumerate(hist.counts)}, "notes": []}
    source = next((s for s in target.sources if s.id == target.primary), None)
    if source is None:
        return None
    m, c = source.metrics, source.counts
    marginal = list(m.per_position or [])
    return {"k": c.k, "source": f"{source.id}: {source.scope}", "steps": c.drafts, "requests": None, "sampled": None,
            "marginal": marginal, "conditional": list(m.conditional or []), "mean": m.mean_acceptance_length,
            "mean_per_request": None, "histogram": None,
            "notes": [f"acceptance_length_histogram is null: {source.id} counts accepted tokens per position, not steps "
                      "per acceptance length (serve with --per-request-spec-decode-metrics summary|detailed for the "
                      "histogram); mean_accept_length_per_request is null for the same reason"]}


def per_cell_only() -> dict[str, Any]:
    """`core(...)` fields of a multi-phase run with no spec-decode data of its own: every number null,
    the numbers are per category (`per_category`)."""
    return {"k": None, "source": None, "steps": None, "requests": None, "sampled": None, "marginal": [],
            "conditional": [], "mean": None, "mean_per_request": None, "histogram": None,
            "notes": ["the run directory has no spec-decode data of its own: its numbers are per category "
                      "(per_category, one entry per cell RUN/cells/<id>/), never pooled across cells"]}


def rates(fields: dict[str, Any], method: str | None) -> dict[str, Any]:
    """The schema's acceptance fields of `core(...)`, in specdec_bench's names."""
    model, by_k = accept_length_by_k(fields["marginal"], fields["k"], fields["mean"], method)
    return {"conditional_accept_rates": fields["conditional"], "marginal_accept_rates": fields["marginal"],
            "mean_accept_length": fields["mean"], "mean_accept_length_per_request": fields["mean_per_request"],
            "accept_length_model": model, "accept_length_by_k": by_k,
            "acceptance_length_histogram": fields["histogram"]}


def profile(fields: dict[str, Any], config: Any, per_category: dict[str, Any], logged: dict[str, Any]) -> dict:
    """The whole profile of `core(...)` fields, run.json's `config` (None: no run.json), the
    per-category acceptance fields and what the server log printed (`logged`: vllm_version, model,
    method; used where run.json does not say)."""
    method = getattr(config, "method", None) or logged.get("method")
    k = fields["k"] if fields["k"] is not None else getattr(config, "num_speculative_tokens", None)
    notes = list(fields["notes"])
    if fields["sampled"]:
        notes.append("the requests are a sample (guidellm sample_size): the histogram is over the sample")
    conditions = {
        "model": getattr(config, "model", None) or getattr(config, "target", None) or logged.get("model"),
        "target": getattr(config, "target", None) or None, "method": method, "num_speculative_tokens": k,
        "temperature": getattr(config, "temperature", None),
        "vllm_version": getattr(config, "vllm_version", None) or logged.get("vllm_version"),
        "dataset": getattr(config, "dataset", None) or None, "data": getattr(config, "data_spec", None) or None,
        "load_profile": getattr(config, "profile", None) or None,
        "source": fields["source"], "num_requests": fields["requests"], "num_steps": fields["steps"], "notes": notes}
    body = rates(fields, method)
    return {"schema_version": SCHEMA_VERSION, "producer": "speclens profile",
            "measured": bool(fields["steps"]), "method": method, "num_speculative_tokens": k,
            "verification_method": "longest_prefix", **body, "per_category": per_category,
            "measurement_conditions": conditions,
            "validation": validation(fields["marginal"], fields["mean"])}


def category_entry(fields: dict[str, Any], method: str | None) -> dict[str, Any]:
    """One `per_category` value: the acceptance fields of that category's cell(s) and its counts."""
    body = rates(fields, method)
    return {"mean_accept_length": body["mean_accept_length"],
            "mean_accept_length_per_request": body["mean_accept_length_per_request"],
            "conditional_accept_rates": body["conditional_accept_rates"],
            "marginal_accept_rates": body["marginal_accept_rates"],
            "acceptance_length_histogram": body["acceptance_length_histogram"],
            "num_requests": fields["requests"], "num_steps": fields["steps"], "source": fields["source"]}
