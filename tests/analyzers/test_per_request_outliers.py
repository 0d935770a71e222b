"""Outlier requests of the per-request section: lowest and highest disjoint, min(3, n // 2) each."""

from __future__ import annotations

import pytest

from speclens.analyzers.acceptance.per_request import outliers
from tests.analyzers.test_per_request_math import spec


def test_two_requests_one_each_not_both_lowest() -> None:
    a = spec("a", (1, 0, 0, 1))  # 2 steps, accepted 0 + 3 = 3 of 6 drafted: rate 0.5
    b = spec("b", (0, 0, 0, 1))  # 1 step, accepted 3 of 3: rate 1.0
    low, high = outliers([b, a])
    # before: m = 3 for the lowest list, so both went under "lowest" and "highest" was empty
    assert [o.request_id for o in low] == ["a"] and [o.request_id for o in high] == ["b"]
    assert low[0].acceptance_rate == pytest.approx(0.5) and high[0].acceptance_rate == 1.0  # 3/6, 3/3


def test_one_request_is_no_outlier() -> None:
    assert outliers([spec("only", (0, 0, 0, 2))]) == ([], [])  # n // 2 = 0


@pytest.mark.parametrize(("n", "m"), [(4, 2), (5, 2), (6, 3), (9, 3)])
def test_lists_are_disjoint_and_odd_n_leaves_the_median_out(n: int, m: int) -> None:
    # request rj: (n − j) steps accepting 0 and 1 step accepting 3 → rate 3 / (3 (n − j + 1)) = 1 / (n − j + 1),
    # rising with j: r0 lowest, r(n−1) highest
    records = [spec(f"r{j}", (n - j, 0, 0, 1)) for j in range(n)]
    low, high = outliers(records)
    assert [o.request_id for o in low] == [f"r{j}" for j in range(m)]  # min(3, n // 2) lowest, lowest first
    assert [o.request_id for o in high] == [f"r{n - 1 - j}" for j in range(m)]  # highest first
    assert not {o.request_id for o in low} & {o.request_id for o in high}
    if n % 2:
        assert f"r{n // 2}" not in {o.request_id for o in low + high}  # the median request: in neither
