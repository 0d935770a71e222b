"""The typed per-request speculative-decoding record and its validation (parsers.request_metrics
is the public face; readers: parsers.request_metrics_readers).

vLLM (0.29-0.34, `--per-request-spec-decode-metrics summary|detailed`) attaches to each response
`metrics.speculative_decoding` = {mean_acceptance_length, draft_acceptance_rate,
acceptance_histogram (k + 1 bins, bin j = verify steps that accepted exactly j drafts, bonus token
excluded), num_spec_steps, num_accepted_draft_tokens, num_draft_tokens, num_spec_tokens (k),
per_step_accepted / per_step_drafted (`detailed` only)}. Only the integer counts are read: the two
rates are never used (vLLM writes 1.0 / 0.0 for them when a request had no verify step; a record
with steps == 0 is kept and its rates are undefined for the analyzers).

A record must satisfy: Σ histogram == num_spec_steps; Σ j·histogram[j] == num_accepted_draft_tokens;
accepted <= drafted; len(histogram) == k + 1; per-step arrays, when given, both present, of length
num_spec_steps, summing to accepted and drafted. A record that does not is not used: it becomes a
`Violation` naming where it is and what failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul
from typing import Any


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One request's spec-decode counts (integers as vLLM counted them, never re-derived from its
    rounded rates) and, None where the input does not say, its tokens and timings."""

    request_id: str | None
    source: str  # file + JSON path (or line) of the request, e.g. "g.json:benchmarks[0].requests.successful[12]"
    k: int  # num_spec_tokens
    histogram: tuple[int, ...]  # bin j = verify steps that accepted exactly j drafts (bonus excluded)
    steps: int  # num_spec_steps (verify steps = drafts)
    accepted: int  # num_accepted_draft_tokens
    drafted: int  # num_draft_tokens (after vLLM's grammar-invalid adjustment)
    per_step_accepted: tuple[int, ...] | None  # `detailed` only
    per_step_drafted: tuple[int, ...] | None  # `detailed` only
    prompt_tokens: int | None
    output_tokens: int | None
    latency_s: float | None  # end-to-end, as the load driver measured it
    ttft_s: float | None  # time to first token (the driver's; for raw responses the server's)
    category: str | None


@dataclass(frozen=True, slots=True)
class RequestSeen:
    """One request of a file, with or without per-request spec-decode metrics (the request table's
    row: analyzers.requests_table). None where the input does not say."""

    request_id: str | None
    source: str  # as RequestSpec.source
    prompt_tokens: int | None
    output_tokens: int | None
    latency_s: float | None  # end-to-end, as the load driver measured it (raw responses: None)
    ttft_ms: float | None  # time to first token, as the input gives it (ms)
    itl_ms: float | None  # the request's mean inter-token latency (ms): guidellm's inter_token_latency_ms,
    #                       a raw response's vLLM mean_itl_ms
    category: str | None
    spec: RequestSpec | None  # None: no speculative_decoding object, or one that failed validation (a Violation)


@dataclass(frozen=True, slots=True)
class Violation:
    location: str  # file + JSON path (or line) of the offending speculative_decoding object
    what: str  # what failed, e.g. "Σ histogram 7 != num_spec_steps 8"


@dataclass(frozen=True, slots=True)
class RequestSpecSet:
    """Every per-request record of one file. `requests_seen`: requests in the file (with or
    without the metrics; for guidellm its successful requests); `without_metrics`: those with no
    speculative_decoding object; `sampled`: True when the file's requests are a sample of those
    run (guidellm's sample_size reservoir), False when they are all, None when unknown."""

    records: tuple[RequestSpec, ...]
    source_kind: str  # "guidellm" | "vllm_bench" | "client" | "responses"
    requests_seen: int
    without_metrics: int
    sampled: bool | None
    violations: tuple[Violation, ...]
    requests: tuple[RequestSeen, ...] = ()  # every request seen, in file order (the request table's rows)


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0  # not a bool, not a float (vLLM writes ints)


def _counts(value: Any) -> list[int] | None:
    """`value` when it is a list of non-negative ints (not bools), else None (C-level checks: per-step
    arrays of 100k requests are millions of values)."""
    if type(value) is not list:
        return None
    return value if not value or set(map(type, value)) == {int} and min(value) >= 0 else None


_COUNTS = ("num_spec_tokens", "num_spec_steps", "num_accepted_draft_tokens", "num_draft_tokens")


def _per_step(raw: dict, steps: int, accepted: int, drafted: int) -> list[str]:
    problems = []
    for name, total, label in (("per_step_accepted", accepted, "num_accepted_draft_tokens"),
                               ("per_step_drafted", drafted, "num_draft_tokens")):
        values = _counts(raw.get(name))
        if values is None:
            problems.append(f"{name} is not a list of non-negative integers")
            continue
        if len(values) != steps:
            problems.append(f"len({name}) {len(values)} != num_spec_steps {steps}")
        if sum(values) != total:
            problems.append(f"Σ {name} {sum(values)} != {label} {total}")
    return problems


def check_spec(raw: Any) -> list[str]:
    """What is wrong with one `speculative_decoding` object (empty when it is a valid record)."""
    if not isinstance(raw, dict):
        return [f"expected an object, got {type(raw).__name__}"]
    counts = list(map(raw.get, _COUNTS))  # C-level checks first: 100k records (benchmarks/bench_requests.py)
    hist = _counts(raw.get("acceptance_histogram"))
    if hist is None or set(map(type, counts)) != {int} or min(counts) < 0:
        bad = [name for name, value in zip(_COUNTS, counts) if not _is_count(value)]
        if hist is None:
            bad.append("acceptance_histogram")
        return [f"missing or not made of non-negative integers: {', '.join(bad)}"]
    k, steps, accepted, drafted = counts
    problems = []
    if k < 1:
        problems.append(f"num_spec_tokens {k}: expected >= 1")
    if len(hist) != k + 1:
        problems.append(f"len(histogram) {len(hist)} != num_spec_tokens + 1 = {k + 1}")
    if sum(hist) != steps:
        problems.append(f"Σ histogram {sum(hist)} != num_spec_steps {steps}")
    weighted = sum(map(mul, range(len(hist)), hist))
    if weighted != accepted:
        problems.append(f"Σ j·histogram[j] {weighted} != num_accepted_draft_tokens {accepted}")
    if accepted > drafted:
        problems.append(f"num_accepted_draft_tokens {accepted} > num_draft_tokens {drafted}")
    given = [name for name in ("per_step_accepted", "per_step_drafted") if raw.get(name) is not None]
    if len(given) == 1:
        problems.append(f"{given[0]} given without {({'per_step_accepted', 'per_step_drafted'} - set(given)).pop()}")
    elif given:
        problems += _per_step(raw, steps, accepted, drafted)
    return problems


def spec_record(raw: Any, source: str, location: str, **about: Any) -> RequestSpec | Violation:
    """One `speculative_decoding` object as a `RequestSpec`, or the `Violation` that keeps it out.
    `about`: request_id, prompt_tokens, output_tokens, latency_s, ttft_s, category (None if absent)."""
    problems = check_spec(raw)
    if problems:
        return Violation(location, "; ".join(problems))
    per_acc, per_draft = raw.get("per_step_accepted"), raw.get("per_step_drafted")
    return RequestSpec(
        request_id=about.get("request_id"), source=source, k=raw["num_spec_tokens"],
        histogram=tuple(raw["acceptance_histogram"]), steps=raw["num_spec_steps"],
        accepted=raw["num_accepted_draft_tokens"], drafted=raw["num_draft_tokens"],
        per_step_accepted=tuple(per_acc) if per_acc is not None else None,
        per_step_drafted=tuple(per_draft) if per_draft is not None else None,
        prompt_tokens=about.get("prompt_tokens"), output_tokens=about.get("output_tokens"),
        latency_s=about.get("latency_s"), ttft_s=about.get("ttft_s"), category=about.get("category"))
