"""speclens sweep: measured acceptance per k beside the chain model from the other k, hand-computed
(analyzers.sweep.acceptance)."""

from __future__ import annotations

import pytest
from speclens.analyzers.acceptance.models import Counts
from speclens.analyzers.sweep.acceptance import k_acceptance, mal_interval, pool, pooled_conditional


def counts(k: int, drafts: int, per_pos: list[int]) -> Counts:
    return Counts(k=k, drafts=drafts, draft_tokens=k * drafts, accepted_tokens=sum(per_pos), accepted_per_position=per_pos)


def test_model_holds_when_the_chain_predicts_the_other_k():
    rows = k_acceptance({1: (["a"], counts(1, 100, [80])), 2: (["b"], counts(2, 100, [80, 60]))})
    k1, k2 = rows
    # k=2 measured: 1 + 140/100 = 2.40; per position [0.8, 0.6]: E[a] = 1.4, E[a^2] = 1*0.8 + 3*0.6 = 2.6,
    # Var = 2.6 - 1.96 = 0.64, half = 1.959964 * sqrt(0.64/100) = 0.1568 -> [2.2432, 2.5568]
    assert k2.mean_acceptance_length == pytest.approx(2.40)
    assert (k2.mal_ci_low, k2.mal_ci_high) == (pytest.approx(2.24320, abs=1e-4), pytest.approx(2.55680, abs=1e-4))
    # model from k=1 (c = [0.8], reused beyond): 1 + 0.8 + 0.8^2 = 2.44, inside the interval
    assert k2.model_from_k == [1] and k2.model_mean_acceptance_length == pytest.approx(2.44)
    assert k2.model_verdict == "model holds" and k2.model_off_by is None
    # k=1 from k=2's first conditional rate 80/100: 1.8 = measured 1 + 80/100
    assert k1.model_mean_acceptance_length == pytest.approx(1.8) and k1.model_verdict == "model holds"
    assert [(p.accepted, p.conditional_of) for p in k2.positions] == [(80, 100), (60, 80)]
    assert k2.positions[1].conditional == pytest.approx(0.75)


def test_model_off_by_measured_minus_model():
    rows = k_acceptance({1: (["a"], counts(1, 1000, [800])), 3: (["b"], counts(3, 1000, [900, 200, 100]))})
    k1, k3 = rows
    # k=3 measured 1 + 1200/1000 = 2.2, interval half 1.959964*sqrt((0.9+0.6+0.5-1.44)/1000) = 0.0464;
    # model from k=1: 1 + 0.8 + 0.64 + 0.512 = 2.952 -> off by 2.2 - 2.952 = -0.752
    assert k3.model_verdict == "model off" and k3.model_off_by == pytest.approx(-0.752)
    # k=1 measured 1.8 (half 1.959964*sqrt(0.16/1000) = 0.0248); model from k=3: 1 + 0.9 = 1.9 -> off by -0.1
    assert k1.model_verdict == "model off" and k1.model_off_by == pytest.approx(-0.1)


def test_band_is_the_range_of_each_other_k_alone():
    rows = k_acceptance({1: (["a"], counts(1, 100, [50])), 2: (["b"], counts(2, 100, [90, 81])),
                         3: (["c"], counts(3, 100, [70, 49, 34]))})
    k1 = rows[0]
    # pooled over k=2,3: c0 = (90+70)/200 = 0.8 -> 1.8; alone: 1.9 (k=2), 1.7 (k=3): band [1.7, 1.9]
    assert k1.model_mean_acceptance_length == pytest.approx(1.8)
    assert (k1.model_band_low, k1.model_band_high) == (pytest.approx(1.7), pytest.approx(1.9))
    assert k1.model_verdict == "model off"  # measured 1.5, half 1.96*sqrt(0.25/100) = 0.098: below 1.7
    assert k1.model_off_by == pytest.approx(1.5 - 1.8)


def test_one_k_alone_has_no_model_and_pooling_sums_counts():
    (row,) = k_acceptance({3: (["a", "b"], pool([counts(3, 100, [80, 60, 40]), counts(3, 50, [40, 20, 10])]))})
    assert (row.drafts, row.accepted_tokens, row.draft_tokens) == (150, 250, 450)
    assert row.mean_acceptance_length == pytest.approx(1 + 250 / 150)
    assert row.model_verdict == "n/a" and row.model_mean_acceptance_length is None and "no other k" in row.model_note


def test_undefined_is_none():
    assert mal_interval(None, 10) == (None, None) and mal_interval([0.5], 0) == (None, None)
    assert pooled_conditional([counts(2, 0, [0, 0])]) == []
