"""Exact integer drafts and per-position counts for one V1 log interval.

A `SpecDecoding metrics:` line prints Accepted (A) and Drafted (D) as integers, but drafts (d)
only inside `Mean acceptance length` (1 + A/d, 2 dp) and per-position counts (a_i) only inside
`Per-position acceptance rate` (a_i/d, 3 dp each). We search the integers consistent with all of
them: d ≤ D ≤ k·d, |1 + A/d − MAL| ≤ 0.005, |a_i/d − PP_i| ≤ 0.0005, Σ a_i = A, 0 ≤ a_i ≤ d.
For fixed-length drafters (draft model, EAGLE, MTP…) d = D/k exactly. When exactly one solution
exists the counts are exact (`unique`); otherwise the one nearest the printed values is
returned, the interval is flagged as estimated and the range of fitting d is kept. With neither
k nor a printed mean acceptance length nothing points at a d (any 1 ≤ d ≤ D fits): drafts are
unavailable, never D (which would silently assume k = 1). The search costs at most MAX_WORK
evaluations of the k rates per interval, whatever the counts (`_search`): a line whose rounded
values fit billions of drafts values is an estimated range, found by bisection, not a loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from speclens.analyzers.acceptance.metrics import drafts_from_k, v1_mean_acceptance_length

MAL_HALF_STEP = 0.005  # printed with %.2f
PP_HALF_STEP = 0.0005  # printed with %.3f
_EPS = 1e-9
SMALL_D = 2000  # ≥ 1/(2·PP_HALF_STEP) = 1000 (with a margin): each rate's window holds an integer
DIRECT_SPAN = 32  # spans this short are tested value by value (cheaper than the bisections)
MAX_WORK = SMALL_D + 2 * 64 + 1  # per interval: SMALL_D tests, two bisections over < 2^64 values, one test

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
    work: int = 0  # candidate drafts values evaluated (each costs O(k)); at most MAX_WORK


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


def _span_len(span: range) -> int:
    """len(span), which overflows past sys.maxsize (a log's Drafted may)."""
    return max(0, span.stop - span.start)


def _rate_sums(rates: tuple[float, ...], d: int) -> tuple[int, int]:
    """(Σ lo_i, Σ hi_i) of `_fit`'s per-position windows at d: both never shrink as d grows (the
    same float products, ceil and floor, clamped to [0, d]), so Σ lo ≤ A ≤ Σ hi is one run of d."""
    ceil, floor = math.ceil, math.floor
    low = high = 0
    for p in rates:
        lo = ceil((p - PP_HALF_STEP) * d - _EPS)
        hi = floor((p + PP_HALF_STEP) * d + _EPS)
        low += lo if lo > 0 else 0
        high += hi if hi < d else d
    return low, high


def _sum_range(accepted: int, span: range, rates: tuple[float, ...], work: list[int]) -> range:
    """The d in `span` with Σ lo_i(d) ≤ accepted ≤ Σ hi_i(d), by two bisections (`work` counts
    the evaluations)."""
    lo, hi = span.start, span.stop
    while lo < hi:  # first d with Σ hi ≥ accepted
        mid = (lo + hi) // 2
        work[0] += 1
        if _rate_sums(rates, mid)[1] >= accepted:
            hi = mid
        else:
            lo = mid + 1
    first, hi = lo, span.stop
    while lo < hi:  # first d with Σ lo > accepted: the run ends before it
        mid = (lo + hi) // 2
        work[0] += 1
        if _rate_sums(rates, mid)[0] > accepted:
            hi = mid
        else:
            lo = mid + 1
    return range(first, lo)


def _search(accepted: int, drafted: int, k: int | None, span: range, mal: float | None,
            rates: tuple[float, ...]) -> tuple[Solution | None, int]:
    """The drafts and per-position counts consistent with the printed values among the d in
    `span`, in bounded work: (the solution, None when no d fits; the work spent). The mean
    acceptance length and Σ a_i = A each admit one run of d (bisection); what remains is whether
    each rate's window [(p − ½step)·d, (p + ½step)·d] holds an integer. From d = SMALL_D on that
    window is at least one wide, so the answer no longer depends on d: one test covers the whole
    run. Below SMALL_D each d is tested, so an interval costs at most MAX_WORK evaluations of
    its k rates, however large its counts."""
    work = [0]
    large = range(0)
    if span.stop - span.start <= DIRECT_SPAN:  # the usual line: a handful of candidates, each tested
        work[0] = max(0, span.stop - span.start)
        small = []
        for d in span:
            if _mal_ok(accepted, d, mal) and (fit := _fit(rates, d, accepted)) is not None:
                small.append((d, fit))
        if len(small) == 1:  # the usual answer, straight away
            d, (values, unique) = small[0]
            return Solution(d, values, True, unique, "reconstructed", None, None, work[0]), work[0]
    elif any(p != p for p in rates):
        return None, 0
    else:
        span = _sum_range(accepted, _mal_range(accepted, span, mal), rates, work)
        stop = min(span.stop, SMALL_D)
        work[0] += max(0, stop - span.start)
        small = [(d, fit) for d in range(span.start, stop) if (fit := _fit(rates, d, accepted)) is not None]
        large = range(max(span.start, SMALL_D), span.stop)
        if _span_len(large):
            work[0] += 1
            if _fit(rates, large.start, accepted) is None:
                large = range(0)
    count = len(small) + _span_len(large)
    if not count:
        return None, work[0]
    if count == 1:
        d, (values, unique) = small[0] if small else (large.start, _fit(rates, large.start, accepted))
        return Solution(d, values, True, unique, "reconstructed", work=work[0]), work[0]
    low = small[0][0] if small else large.start
    high = large.stop - 1 if _span_len(large) else small[-1][0]
    target = _target(accepted, drafted, k, mal)
    if target is None:  # rates without k cannot happen (k = len(rates)); kept for safety
        return Solution(None, None, False, False, "unavailable", low, high, work[0]), work[0]
    options = small + ([(_nearest(large, target), None)] if _span_len(large) else [])
    d, fit = min(options, key=lambda option: abs(option[0] - target))  # the smaller d on a tie
    values = (fit or _fit(rates, d, accepted))[0]  # type: ignore[index]  # d fits: never None
    return Solution(d, values, False, False, "estimated", low, high, work[0]), work[0]


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
    span = _candidates(accepted, drafted, k, mal, rates)
    if not rates:  # only the mean acceptance length constrains d: no need to try each one
        valid = _mal_range(accepted, span, mal)
        count = _span_len(valid)
        if count == 1:
            return Solution(valid.start, None, True, False, "reconstructed")
        if count:
            low, high = valid.start, valid.stop - 1
            target = _target(accepted, drafted, k, mal)
            if target is None:
                return Solution(None, None, False, False, "unavailable", low, high)
            return Solution(_nearest(valid, target), None, False, False, "estimated", low, high)
        work = 0
    else:
        found, work = _search(accepted, drafted, k, span, mal, rates)
        if found is not None:
            return found
    if k and drafted % k == 0:  # nothing fits every printed value: only k bounds d
        d = drafts_from_k(drafted, k)
        fit = _fit(rates, d, accepted) if rates else None
        return Solution(d, fit[0] if fit else None, False, False, "estimated", d, drafted, work)
    return Solution(None, None, False, False, "unavailable", work=work)
