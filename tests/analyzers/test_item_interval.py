"""The speedup interval of sequential clients (analyzers/speedup/item_interval.py), by hand."""

from __future__ import annotations

import pytest
from speclens.analyzers.speedup.item_interval import rate_ratio


def test_paired_prompts_whose_cost_moves_together_give_a_point_interval() -> None:
    # speedup = (30/6) / (30/12) = 2; u_spec = 1 - b/2 = [0.5, 0, -0.5], u_base = 1 - b/4 = same -> d = 0
    r = rate_ratio([10, 10, 10], [1, 2, 3], [10, 10, 10], [2, 4, 6], paired=True)
    assert (r.value, r.ci_low, r.ci_high) == (2.0, 2.0, 2.0) and r.interval_note == "paired over 3 prompts"


def test_paired_interval_by_hand() -> None:
    # speedup = (30/6)/(30/12) = 2; u_spec = [0.5, 0, -0.5], u_base = 1 - [3,4,5]/4 = [0.25, 0, -0.25]
    # d = [0.25, 0, -0.25], s^2 = 0.125/2 = 0.0625, Var = 0.0625/3 = 0.0208333, sd = 0.1443376
    # t(0.975, 2) = 4.302653 -> half = 0.621037 -> 2·e^-0.621037 = 1.07480, 2·e^0.621037 = 3.72166
    r = rate_ratio([10, 10, 10], [1, 2, 3], [10, 10, 10], [3, 4, 5], paired=True)
    assert r.value == 2.0
    assert r.ci_low == pytest.approx(1.07480, abs=1e-4) and r.ci_high == pytest.approx(3.72166, abs=1e-4)


def test_independent_sides_add_their_variances() -> None:
    # the same data unpaired: Var = 0.25/3 + 0.0625/3 = 0.1041667 (s^2(u_spec) = 0.5/2 = 0.25, s^2(u_base) = 0.0625)
    # Welch df = 0.1041667^2 / ((0.0833333^2 + 0.0208333^2) / 2) = 0.0108507 / 0.0036892 = 2.941
    r = rate_ratio([10, 10, 10], [1, 2, 3], [10, 10, 10], [3, 4, 5], paired=False)
    paired = rate_ratio([10, 10, 10], [1, 2, 3], [10, 10, 10], [3, 4, 5], paired=True)
    assert r.ci_low < paired.ci_low and r.ci_high > paired.ci_high  # pairing removes the shared prompt cost
    assert r.interval_note == "independent: 3 spec, 3 baseline requests"


def test_too_few_requests_or_no_time_is_null_with_the_reason() -> None:
    r = rate_ratio([10, 10], [1, 1], [10, 10], [2, 2], paired=True)
    assert (r.value, r.ci_low, r.ci_high) == (2.0, None, None) and "needs 3" in r.interval_note
    assert rate_ratio([10], [0], [10], [1], paired=True).value is None
