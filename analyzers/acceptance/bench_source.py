"""Acceptance sources from `vllm bench serve` (≥ 0.14): its result JSON's `spec_decode_*` keys and
its console "Speculative Decoding" block. Both are /metrics deltas vLLM took around its own run
(`fetch_spec_decode_metrics`, summed over engines), so drafts, draft tokens and accepted tokens
are exact integers.

Per-position counts: the JSON keeps each rate at full float precision (a_i / drafts), so
a_i = round(rate_i · drafts) is exact; the console prints percentages with 2 decimals, so a_i is
the only integer with |100 · a_i / drafts − printed| ≤ 0.005 and Σ a_i = accepted when that is
unique (`reconstructed`), else the one filled from position 0 up (`estimated`).
"""

from __future__ import annotations

import math

from speclens.analyzers.acceptance.models import Counts, SourceResult
from speclens.analyzers.acceptance.metrics import acceptance_metrics, decide_k
from speclens.parsers.vllm_bench import BenchSpecDecode
from speclens.parsers.vllm_bench_console import BenchConsoleSpec

CONSOLE_HALF_STEP = 0.005 / 100  # a percentage printed with %.2f, as a fraction
_EPS = 1e-9


def _exact_positions(rates: list[float], drafts: int) -> list[int] | None:
    counts = [round(r * drafts) for r in rates]
    if any(abs(c / drafts - r) > 1e-9 for c, r in zip(counts, rates, strict=True)):
        return None
    return counts


def fit_rounded(rates: list[float], drafts: int, accepted: int, half_step: float) -> tuple[list[int], bool] | None:
    """Integers a_i with |a_i / drafts − rate_i| ≤ half_step, 0 ≤ a_i ≤ drafts, Σ a_i = accepted:
    (one such vector, filled from position 0 up; whether it is the only one), or None."""
    lows, highs = [], []
    for rate in rates:
        lows.append(max(0, math.ceil((rate - half_step) * drafts - _EPS)))
        highs.append(min(drafts, math.floor((rate + half_step) * drafts + _EPS)))
    if any(lo > hi for lo, hi in zip(lows, highs, strict=True)):
        return None
    spare, slack = accepted - sum(lows), sum(h - lo for lo, h in zip(lows, highs, strict=True))
    if not 0 <= spare <= slack:
        return None
    unique = spare in (0, slack) or sum(h > lo for lo, h in zip(lows, highs, strict=True)) <= 1
    values = []
    for lo, hi in zip(lows, highs, strict=True):
        take = min(hi - lo, spare)
        values.append(lo + take)
        spare -= take
    return values, unique


def _source(source_id: str, scope: str, path: str, counts: Counts) -> SourceResult:
    return SourceResult(id=source_id, kind="bench_serve", scope=scope, files=[path], counts=counts,
                        metrics=acceptance_metrics(counts))


def bench_json_source(path: str, spec: BenchSpecDecode) -> SourceResult:
    """The source of a result JSON's spec_decode_* keys."""
    rates = list(spec.per_position or [])
    positions = _exact_positions(rates, spec.num_drafts) if rates and spec.num_drafts else None
    counts = Counts(k=decide_k(None, len(rates)), drafts=spec.num_drafts, draft_tokens=spec.draft_tokens,
                    accepted_tokens=spec.accepted_tokens, accepted_per_position=positions, drafts_from="counter",
                    per_position_from="counter" if positions is not None else "unavailable")
    return _source("bench", "vllm bench serve result: /metrics delta over its run (spec_decode_* keys)", path, counts)


def bench_console_source(path: str, spec: BenchConsoleSpec, index: int, runs: int) -> SourceResult | None:
    """The source of one console Speculative Decoding block (None when its integers are missing)."""
    if spec.drafts is None or spec.draft_tokens is None or spec.accepted_tokens is None:
        return None
    rates = [p / 100.0 for p in spec.per_position_pct]
    fit = fit_rounded(rates, spec.drafts, spec.accepted_tokens, CONSOLE_HALF_STEP) if rates and spec.drafts else None
    counts = Counts(k=decide_k(None, len(rates)), drafts=spec.drafts, draft_tokens=spec.draft_tokens,
                    accepted_tokens=spec.accepted_tokens, accepted_per_position=fit[0] if fit else None,
                    drafts_from="counter",
                    per_position_from="unavailable" if fit is None else ("reconstructed" if fit[1] else "estimated"))
    which = f" run {index + 1} of {runs}," if runs > 1 else ""
    return _source(f"bench:{index}" if runs > 1 else "bench",
                   f"vllm bench serve console,{which} Speculative Decoding block (line {spec.lineno}): "
                   "/metrics delta over its run", path, counts)
