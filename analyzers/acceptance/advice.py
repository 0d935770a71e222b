"""What k to run: expected acceptance length and a speedup model per k, from measured conditional
acceptance. The assumptions are part of the output (`ADVICE_ASSUMPTIONS`).

- E[accepted | k] = Σ_{i=1..k} Π_{j≤i} c_j (the expected accepted draft tokens per step), so the
  expected acceptance length is 1 + E[accepted | k]. Positions beyond the measured ones reuse the
  last measured conditional rate.
- Speedup(k) = (1 + E[accepted | k]) / (1 + k·c), with c the cost of one draft token relative to
  one target step: a step drafts k tokens and verifies them in one target forward pass.
- c is measured from a paired baseline: per-step time with speculation = TPOT_spec · MAL, without
  = TPOT_base, so c = (TPOT_spec · MAL / TPOT_base − 1) / k (clamped at 0), or given by the user
  (a finite number > 0).
- The recommended k is the one with the highest modeled speedup, only when that speedup is above 1:
  when no k is modeled faster than the target alone, speculation does not pay under these
  assumptions and no k is recommended (`speculation_pays` False).
"""

from __future__ import annotations

import math

from pydantic import BaseModel

ADVICE_ASSUMPTIONS = (
    "conditional rates beyond the measured positions equal the last measured one; verifying k drafts costs one "
    "target step; each draft token costs c target steps; batching and memory effects are ignored"
)


class KAdvice(BaseModel):
    k: int
    expected_acceptance_length: float
    modeled_speedup: float | None


class Advice(BaseModel):
    measured_k: int
    conditional: list[float]
    cost_ratio: float | None
    cost_ratio_source: str
    rows: list[KAdvice]
    recommended_k: int | None  # None: no cost ratio, or no k is modeled faster than the target alone
    speculation_pays: bool | None = None  # some k modeled above 1 (None: no cost ratio)
    assumptions: str = ADVICE_ASSUMPTIONS


def check_cost_ratio(cost_ratio: float | None) -> None:
    """A given cost ratio must be a finite number > 0 (ValueError: one line, exit 2)."""
    if cost_ratio is not None and not (math.isfinite(cost_ratio) and cost_ratio > 0):
        raise ValueError(f"--cost-ratio {cost_ratio:g}: expected a finite number > 0 (the cost of one draft token "
                         "relative to one target step, e.g. 0.05), or leave it out to measure it from RUN/baseline")


def expected_acceptance_length(conditional: list[float], k: int) -> float:
    """1 + Σ_{i=1..k} Π_{j≤i} c_j (see the module docstring)."""
    total, running = 0.0, 1.0
    for i in range(k):
        running *= conditional[min(i, len(conditional) - 1)]
        total += running
    return 1.0 + total


def cost_ratio_from_pair(tpot_spec_ms: float, tpot_base_ms: float, mal: float, k: int) -> float:
    """c = (TPOT_spec · MAL / TPOT_base − 1) / k, clamped at 0."""
    return max(0.0, (tpot_spec_ms * mal / tpot_base_ms - 1.0) / k)


def advise(conditional: list[float | None], measured_k: int, cost_ratio: float | None, source: str,
           max_k: int | None = None) -> Advice | None:
    """Per-k table and the k with the highest modeled speedup (None without a cost ratio)."""
    rates = [c for c in conditional if c is not None]
    if not rates or len(rates) != len(conditional):
        return None
    rows = []
    for k in range(1, (max_k or max(8, 2 * measured_k)) + 1):
        mal = expected_acceptance_length(rates, k)
        speedup = mal / (1.0 + k * cost_ratio) if cost_ratio is not None else None
        rows.append(KAdvice(k=k, expected_acceptance_length=mal, modeled_speedup=speedup))
    best = max(rows, key=lambda r: r.modeled_speedup or 0.0) if cost_ratio is not None else None
    pays = None if best is None else (best.modeled_speedup or 0.0) > 1.0
    return Advice(measured_k=measured_k, conditional=rates, cost_ratio=cost_ratio, cost_ratio_source=source,
                  rows=rows, recommended_k=best.k if best and pays else None, speculation_pays=pays)
