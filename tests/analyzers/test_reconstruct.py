from __future__ import annotations

from analyzers.reconstruct import is_fixed_length, solve


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
