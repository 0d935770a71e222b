from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from speclens.analyzers.log.reconstruct import _candidates, _fit, _mal_ok, _mal_range, is_fixed_length, solve


def test_ngram_interval_reconstructed_uniquely() -> None:
    # recorded ngram-greedy line 131: Accepted 623, Drafted 625, MAL 3.92, PP 1.000 0.962 0.962.
    # MAL: 623/(d) in [2.915, 2.925] -> d in [213.0, 213.7] -> d = 213;
    # PP: 0.962*213 = 204.9 -> a_1 = a_2 = 205, a_0 = 213; 213+205+205 = 623.
    sol = solve(623, 625, 3, 3.92, (1.0, 0.962, 0.962), fixed_length=False)
    assert (sol.drafts, sol.per_position, sol.drafts_exact, sol.per_position_exact) == (213, [213, 205, 205], True, True)


def test_ngram_interval_where_mal_alone_is_ambiguous() -> None:
    # line 146: Accepted 1208, MAL 3.90 -> d in [415.8, 417.3] = {416, 417}.
    # d=416: PP gives 413+398+394 = 1205 != 1208; d=417: 414+399+395 = 1208. Only 417 fits.
    sol = solve(1208, 1224, 3, 3.90, (0.993, 0.957, 0.947), fixed_length=None)
    assert (sol.drafts, sol.per_position, sol.via) == (417, [414, 399, 395], "reconstructed")


def test_fixed_length_drafter_uses_drafted_over_k() -> None:
    # draft model: 861 drafted / k 3 = 287 drafts; PP*287: 119.1, 117.96, 117.1 -> 119+118+117 = 354
    sol = solve(354, 861, 3, 2.23, (0.415, 0.411, 0.408), fixed_length=True)
    assert (sol.drafts, sol.per_position, sol.via, sol.drafts_exact) == (287, [119, 118, 117], "drafted/k", True)


def test_zero_acceptance_with_unknown_method_is_an_estimate() -> None:
    # Accepted 0: every d in [ceil(7620/3), 7620] fits, so d = 7620/3 = 2540 is only an estimate
    sol = solve(0, 7620, 3, 1.0, (0.0, 0.0, 0.0), fixed_length=None)
    assert (sol.drafts, sol.drafts_exact, sol.via) == (2540, False, "estimated")


def test_empty_interval() -> None:
    sol = solve(0, 0, 3, float("nan"), (float("nan"),) * 3, fixed_length=False)
    assert (sol.drafts, sol.per_position, sol.drafts_exact) == (0, [0, 0, 0], True)


def test_no_consistent_solution_is_unavailable() -> None:
    # MAL 1.50 with 10 accepted needs d in [19.8, 20.2] = 20, but Drafted 10 < 20 drafts: impossible
    sol = solve(10, 10, 3, 1.50, None, fixed_length=False)
    assert (sol.drafts, sol.via) == (None, "unavailable")


def test_fixed_length_methods() -> None:
    assert [is_fixed_length(m) for m in ("eagle3", "draft_model", "deepseek_mtp", "ngram", "suffix", None)] == [
        True, True, True, False, False, None]


def test_rate_bound_narrows_the_search() -> None:
    # line 146 again: Σp = 0.993+0.957+0.947 = 2.897, 3 rates ±0.0005 -> Σp ± 0.0015;
    # 1208/2.8985 = 416.77, 1208/2.8955 = 417.20 -> floor-1 = 415 .. ceil+1 = 419 (MAL alone: 416..417,
    # so the MAL bound stays the tighter one here); without MAL only the rates bound d: 415..419.
    assert _candidates(1208, 1224, 3, 3.90, (0.993, 0.957, 0.947)) == range(416, 418)
    assert _candidates(1208, 1224, 3, None, (0.993, 0.957, 0.947)) == range(415, 420)
    assert _candidates(1208, 1224, 3, None, None) == range(408, 1225)  # ceil(1224/3) = 408


def _consistent(accepted: int, drafted: int, k: int, mal: float, rates: tuple[float, ...], span: range) -> list[int]:
    out = []
    for d in span:
        if _mal_ok(accepted, d, mal) and _fit(rates, d, accepted) is not None:
            out.append(d)
    return out


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4000), st.data())
def test_rate_bound_never_drops_a_consistent_drafts_value(k: int, d: int, data: st.DataObject) -> None:
    # Lines printed from integers as vLLM does (MAL %.2f, rates %.3f): every d the full search
    # range accepts must also be inside the narrowed range.
    counts = [data.draw(st.integers(0, d)) for _ in range(k)]
    accepted = sum(counts)
    drafted = data.draw(st.integers(max(d, accepted), k * d))
    mal = float(f"{1 + accepted / d:.2f}")
    rates = tuple(float(f"{a / d:.3f}") for a in counts)
    full = _consistent(accepted, drafted, k, mal, rates, range(1, drafted + 1))
    assert d in full
    assert _consistent(accepted, drafted, k, mal, rates, _candidates(accepted, drafted, k, mal, rates)) == [
        x for x in full if x * k >= drafted]


def test_interval_without_mal_or_rates_is_the_nearest_estimate() -> None:
    # a 0.8.3-style line (no mean acceptance length, no per-position rates): every d in
    # [ceil(16576/3), 16576] = [5526, 16576] fits; the estimate is the one nearest 16576/3 = 5525.33,
    # i.e. 5526, found without trying the 11,051 candidates one by one
    sol = solve(6645, 16576, 3, None, None, fixed_length=None)
    assert (sol.drafts, sol.per_position, sol.drafts_exact, sol.via) == (5526, None, False, "estimated")


def test_mal_alone_pins_drafts_when_one_value_fits() -> None:
    # MAL 3.92 with Accepted 623: 623/2.925 = 212.99 .. 623/2.915 = 213.72 -> only d = 213
    sol = solve(623, 625, 3, 3.92, None, fixed_length=False)
    assert (sol.drafts, sol.drafts_exact, sol.via) == (213, True, "reconstructed")


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 5000), st.integers(0, 3000),
       st.one_of(st.none(), st.just(float("nan")), st.floats(0.5, 6.0).map(lambda x: round(x, 2))))
def test_mal_range_is_exactly_the_values_that_pass(accepted: int, start: int, width: int, mal: float | None) -> None:
    span = range(start, start + width)
    assert list(_mal_range(accepted, span, mal)) == [d for d in span if _mal_ok(accepted, d, mal)]


def test_estimate_keeps_the_range_of_fitting_drafts() -> None:
    # k=3, no MAL, no rates: any d in [ceil(120/3), 120] = [40, 120] fits; Drafted/k = 40 is the estimate
    sol = solve(60, 120, 3, None, None, fixed_length=False)
    assert (sol.drafts, sol.via, sol.drafts_low, sol.drafts_high) == (40, "estimated", 40, 120)
    # MAL 2.50 bounds d: 60/(1.505) = 39.87 .. 60/(1.495) = 40.13 -> 40 only: exact, no range
    assert solve(60, 120, 3, 2.50, None, fixed_length=False).drafts_exact
    # MAL 1.10 (A=8): 8/0.105 = 76.2 .. 8/0.095 = 84.2 -> 77..84 fit; nearest 8/0.10 = 80
    sol = solve(8, 120, 3, 1.10, None, fixed_length=False)
    assert (sol.drafts, sol.drafts_low, sol.drafts_high) == (80, 77, 84)


def test_without_k_or_mean_length_drafts_are_unavailable_not_drafted() -> None:
    # no k, no MAL, no rates: every d in 1..120 fits and nothing points at one; d = 120 would assume k = 1
    sol = solve(60, 120, None, None, None, fixed_length=None)
    assert (sol.drafts, sol.via) == (None, "unavailable")
