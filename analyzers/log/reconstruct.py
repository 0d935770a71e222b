"""Exact integer drafts and per-position counts for one V1 log interval.

A `SpecDecoding metrics:` line prints Accepted (A) and Drafted (D) as integers, but drafts (d)
only inside `Mean acceptance length` (1 + A/d, 2 dp) and per-position counts (a_i) only inside
`Per-position acceptance rate` (a_i/d, 3 dp each). We search the integers consistent with all of
them: d ≤ D ≤ k·d, |1 + A/d − MAL| ≤ 0.005, |a_i/d − PP_i| ≤ 0.0005, Σ a_i = A, 0 ≤ a_i ≤ d.
For fixed-length drafters (draft model, EAGLE, MTP…) d = D/k exactly. When exactly one solution
exists the counts are exact (`unique`); otherwise the one nearest the printed values is
returned, the interval is flagged as estimated and the range of fitting d is kept. With neither
k nor a printed mean acceptance length nothing points at a d (any 1 ≤ d ≤ D fits): drafts are
unavailable, never D (which would silently assume k = 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from speclens.analyzers.acceptance.metrics import drafts_from_k, v1_mean_acceptance_length

MAL_HALF_STEP = 0.005  # printed with %.2f
PP_HALF_STEP = 0.0005  # printed with %.3f
_EPS = 1e-9
MAX_CANDIDATES = 200_000

FIXED_LENGTH_METHODS = frozenset({"draft_model", "eagle", "eagle3", "medusa", "mlp_speculator", "mtp", "dflash"})


def is_fixed_length(method: str | None) -> bool | None:
    """Whether every draft of `method` has exactly k tokens; None when the method is unknown."""
    if method is None:
        return None
    return method in FIXED_LENGTH_METHODS or method.endswith("_mtp")


@dataclass(frozen=True, slots=True)
class Solution:
    """`drafts_exact`: the drafts value is the only one consistent with the line (or D/k for a
    fixed-length drafter); `per_position_exact`: likewise for the per-position counts (False when
    the line has no per-position list). `via` names how drafts were found."""

    drafts: int | None
    per_position: list[int] | None
    drafts_exact: bool
    per_position_exact: bool
    via: str  # "drafted/k" | "reconstructed" | "estimated" | "unavailable"
    drafts_low: int | None = None  # when estimated: the smallest and largest d that fit
    drafts_high: int | None = None


def _fit(rates: tuple[float, ...], d: int, accepted: int) -> tuple[list[int], bool] | None:
    """Integers a_i with |a_i/d − rate_i| ≤ half a print step, 0 ≤ a_i ≤ d and Σ a_i = accepted:
    (one such vector, filled from position 0 up; whether it is the only one), or None. Hot path:
    one pass over the rates, no intermediate lists of pairs."""
    ceil, floor = math.ceil, math.floor
    los: list[int] = []
    widths: list[int] = []
    low = free = 0  # free: positions whose range holds more than one integer
    for p in rates:
        if p != p:  # nan
            return None
        lo = ceil((p - PP_HALF_STEP) * d - _EPS)
        hi = floor((p + PP_HALF_STEP) * d + _EPS)
        if lo < 0:
            lo = 0
        if hi > d:
            hi = d
        if lo > hi:
            return None
        los.append(lo)
        widths.append(hi - lo)
        low += lo
        if hi > lo:
            free += 1
    spare = accepted - low
    slack = sum(widths)
    if not 0 <= spare <= slack:
        return None
    # Unique iff every a_i is pinned: the sum is at either end of its range, or at most one
    # position has any freedom (then Σ a_i = A fixes it).
    unique = spare == 0 or spare == slack or free <= 1
    values = []
    for lo, width in zip(los, widths):
        take = width if width < spare else spare
        values.append(lo + take)
        spare -= take
    return values, unique


def _printed_length_gap(accepted: int, d: int, mal: float) -> float:
    """The mean acceptance length of `accepted` tokens in d ≥ 1 drafts minus the printed one."""
    return v1_mean_acceptance_length(accepted, d) - mal  # type: ignore[operator]  # d ≥ 1: never None


def _mal_ok(accepted: int, d: int, mal: float | None) -> bool:
    if mal is None or math.isnan(mal):
        return True
    return abs(_printed_length_gap(accepted, d, mal)) <= MAL_HALF_STEP + _EPS


def _candidates(accepted: int, drafted: int, k: int | None, mal: float | None,
                rates: tuple[float, ...] | None) -> range:
    """The drafts values worth testing: bounded by k, by the printed mean acceptance length and
    by the printed per-position rates (Σ a_i = A with a_i/d within ±half a step of each rate
    means A/(Σp + n·step) ≤ d ≤ A/(Σp − n·step)). These are necessary conditions, widened by one
    on each side against float rounding, so no consistent d is ever left out."""
    lo = max(1, math.ceil(drafted / k)) if k else 1
    hi = drafted
    if mal is not None and not math.isnan(mal) and accepted > 0:
        top = mal - 1.0 + MAL_HALF_STEP
        bottom = mal - 1.0 - MAL_HALF_STEP
        if top <= 0:
            return range(0)
        lo = max(lo, math.ceil(accepted / top - _EPS))
        if bottom > 0:
            hi = min(hi, math.floor(accepted / bottom + _EPS))
    if rates and accepted > 0:
        total = math.fsum(rates)  # nan when any rate is nan: the comparisons below are then False
        slack = len(rates) * PP_HALF_STEP
        if total + slack > 0:
            lo = max(lo, math.floor(accepted / (total + slack)) - 1)
        if total - slack > 0:
            hi = min(hi, math.ceil(accepted / (total - slack)) + 1)
    return range(lo, hi + 1)


def _mal_range(accepted: int, span: range, mal: float | None) -> range:
    """The d in `span` that pass `_mal_ok`: one run, because 1 + A/d (as floats, too) never grows
    with d; found by bisection, so a line with a huge Drafted costs microseconds, not a loop."""
    if mal is None or math.isnan(mal) or not span:
        return span
    bound = MAL_HALF_STEP + _EPS
    lo, hi = span.start, span.stop
    while lo < hi:  # first d with 1 + A/d − MAL ≤ bound
        mid = (lo + hi) // 2
        if _printed_length_gap(accepted, mid, mal) <= bound:
            hi = mid
        else:
            lo = mid + 1
    first, hi = lo, span.stop
    while lo < hi:  # first d with 1 + A/d − MAL < −bound: the run ends before it
        mid = (lo + hi) // 2
        if _printed_length_gap(accepted, mid, mal) < -bound:
            hi = mid
        else:
            lo = mid + 1
    return range(first, lo)


def _target(accepted: int, drafted: int, k: int | None, mal: float | None) -> float | None:
    """The drafts value the printed numbers point at, for choosing among several that fit: from
    the mean acceptance length, else Drafted / k; None when neither is known."""
    if mal and not math.isnan(mal) and mal > 1.0:
        return accepted / (mal - 1.0)
    return drafted / k if k else None


def _nearest(values: range, target: float) -> int:
    """The value in `values` closest to `target`, the smaller one on a tie."""
    near = min(max(math.floor(target), values.start), values.stop - 1)
    if near + 1 < values.stop and abs(near + 1 - target) < abs(near - target):
        return near + 1
    return near


def solve(
    accepted: int, drafted: int, k: int | None, mal: float | None,
    rates: tuple[float, ...] | None, fixed_length: bool | None,
) -> Solution:
    """The drafts and per-position counts of one interval (see the module docstring)."""
    if drafted == 0:
        zeros = [0] * len(rates) if rates else None
        return Solution(0, zeros, True, zeros is not None, "reconstructed")
    if fixed_length and k and drafted % k == 0:
        d = drafts_from_k(drafted, k)
        fit = _fit(rates, d, accepted) if rates else None
        return Solution(d, fit[0] if fit else None, True, bool(fit and fit[1]), "drafted/k")
    found: list[tuple[int, list[int] | None, bool]] = []
    span = _candidates(accepted, drafted, k, mal, rates)
    if len(span) > MAX_CANDIDATES:
        span = range(0)
    if not rates:  # only the mean acceptance length constrains d: no need to try each one
        valid = _mal_range(accepted, span, mal)
        if len(valid) == 1:
            return Solution(valid[0], None, True, False, "reconstructed")
        if valid:
            target = _target(accepted, drafted, k, mal)
            if target is None:
                return Solution(None, None, False, False, "unavailable", valid[0], valid[-1])
            return Solution(_nearest(valid, target), None, False, False, "estimated", valid[0], valid[-1])
    else:
        for d in span:
            if _mal_ok(accepted, d, mal) and (fit := _fit(rates, d, accepted)) is not None:
                found.append((d, fit[0], fit[1]))
    if len(found) == 1:
        d, values, unique = found[0]
        return Solution(d, values, True, values is not None and unique, "reconstructed")
    if found:
        target = _target(accepted, drafted, k, mal)
        if target is None:  # rates without k cannot happen (k = len(rates)); kept for safety
            return Solution(None, None, False, False, "unavailable", found[0][0], found[-1][0])
        d, values, _ = min(found, key=lambda item: abs(item[0] - target))
        return Solution(d, values, False, False, "estimated", found[0][0], found[-1][0])
    if k and drafted % k == 0:  # nothing fits every printed value: only k bounds d
        d = drafts_from_k(drafted, k)
        fit = _fit(rates, d, accepted) if rates else None
        return Solution(d, fit[0] if fit else None, False, False, "estimated", d, drafted)
    return Solution(None, None, False, False, "unavailable")
