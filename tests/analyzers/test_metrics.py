from __future__ import annotations

import pytest
from speclens.analyzers.acceptance.models import Counts, Legacy
from speclens.analyzers.acceptance.metrics import (
    LegacyTally,
    acceptance_metrics,
    conditional,
    decide_k,
    draft_acceptance_rate,
    mean_acceptance_length,
    per_position,
    v1_mean_acceptance_length,
)


def counts(**kw: object) -> Counts:
    base = dict(k=3, drafts=1242, draft_tokens=3726, accepted_tokens=1337, accepted_per_position=[455, 444, 438])
    base.update(kw)
    return Counts(**base)  # type: ignore[arg-type]


def test_mean_acceptance_length_includes_bonus_token() -> None:
    # 1 + 1337 accepted / 1242 drafts = 1 + 1.07649 = 2.07649
    assert mean_acceptance_length(counts()) == pytest.approx(2.0764895, abs=1e-7)


def test_v1_mean_acceptance_length_of_integers() -> None:
    # 1 + 1337 / 1242 = 2.07649; zero or unknown drafts: undefined, never 1 or 0
    assert v1_mean_acceptance_length(1337, 1242) == pytest.approx(2.0764895, abs=1e-7)
    assert v1_mean_acceptance_length(10, 0) is None
    assert v1_mean_acceptance_length(10, None) is None


def test_decide_k_prefers_the_stated_k_over_the_number_of_positions() -> None:
    assert decide_k(5, 3) == 5  # the server said 5; three printed rates do not override it
    assert decide_k(None, 3) == 3
    assert decide_k(0, 0) is None and decide_k(None, None) is None  # unknown stays unknown


def test_mean_acceptance_length_v0_uses_emitted_tokens() -> None:
    # V0: 28 emitted / 8 drafts = 3.5
    assert mean_acceptance_length(counts(drafts=8, emitted_tokens=28, accepted_tokens=20)) == 3.5


def test_metrics_name_their_mean_length_formula_and_range() -> None:
    v1 = acceptance_metrics(counts())
    v0 = acceptance_metrics(counts(drafts=8, emitted_tokens=28, accepted_tokens=20))
    assert (v1.mean_acceptance_length_formula, v0.mean_acceptance_length_formula) == (
        "1 + accepted_tokens / drafts", "emitted_tokens / drafts")
    # drafts estimated 40 within [40, 120], 60 accepted: 1 + 60/120 = 1.5 .. 1 + 60/40 = 2.5
    spread = acceptance_metrics(counts(drafts=40, drafts_range=[40, 120], accepted_tokens=60, accepted_per_position=None))
    assert (spread.mean_acceptance_length, spread.mean_acceptance_length_range) == (2.5, [1.5, 2.5])


@pytest.mark.parametrize("drafts", [0, None])
def test_rates_with_no_drafts_are_undefined_not_zero(drafts: int | None) -> None:
    c = counts(drafts=drafts, draft_tokens=0, accepted_tokens=0, accepted_per_position=[0, 0, 0])
    assert mean_acceptance_length(c) is None
    assert draft_acceptance_rate(c) is None
    assert per_position(c) == [None, None, None]
    assert conditional(per_position(c)) == [None, None, None]


def test_draft_acceptance_rate_is_accepted_over_draft_tokens() -> None:
    # 1337 / 3726 = 0.358829...
    assert draft_acceptance_rate(counts()) == pytest.approx(0.3588298, abs=1e-7)


def test_per_position_divides_by_all_drafts() -> None:
    # 455/1242 = 0.366345, 444/1242 = 0.357488, 438/1242 = 0.352657
    assert per_position(counts()) == pytest.approx([0.3663446, 0.3574879, 0.3526570], abs=1e-7)


def test_conditional_is_ratio_to_previous_position() -> None:
    # [0.8/1, 0.4/0.8, 0.1/0.4] = [0.8, 0.5, 0.25]
    assert conditional([0.8, 0.4, 0.1]) == pytest.approx([0.8, 0.5, 0.25])
    # after a zero the conditional is undefined: 0/0.5 = 0, then 0/0 -> None
    assert conditional([0.5, 0.0, 0.0]) == [0.5, 0.0, None]
    assert conditional(None) is None


def test_acceptance_metrics_bundles_all() -> None:
    m = acceptance_metrics(counts(accepted_per_position=None))
    assert m.per_position is None and m.conditional is None
    assert m.mean_acceptance_length == pytest.approx(2.0764895, abs=1e-7)


def legacy_weighted(drafted: list[int], rates: list) -> Legacy:
    """The legacy numbers of intervals with these Drafted values and per-position rates."""
    tally = LegacyTally()
    for d, r in zip(drafted, rates, strict=True):
        tally.add(d, r)
    return tally.result()


def test_legacy_weighting_by_drafted_tokens() -> None:
    # weighted_0 = (0.9*100 + 0.5*300) / 400 = 240/400 = 0.6
    # weighted_1 = (0.6*100 + 0.2*300) / 400 = 120/400 = 0.3
    legacy = legacy_weighted([100, 300], [(0.9, 0.6), (0.5, 0.2)])
    assert legacy.weighted_per_position == pytest.approx([0.6, 0.3])
    assert legacy.conditional == pytest.approx([0.6, 0.5])  # [0.6/1, 0.3/0.6]
    assert (legacy.samples, legacy.drafted_tokens, legacy.average_drafted_tokens) == (2, 400, 200.0)


def test_legacy_weighting_pads_short_lists_and_ignores_empty_intervals() -> None:
    # a nan line with Drafted 0 counts as a sample but adds nothing; (0.5,) pads to (0.5, 0.0)
    # weighted = [(0.5*100 + 0.9*100)/200, (0*100 + 0.7*100)/200] = [0.7, 0.35]
    nan = float("nan")
    legacy = legacy_weighted([100, 0, 100], [(0.5,), (nan, nan), (0.9, 0.7)])
    assert legacy.weighted_per_position == pytest.approx([0.7, 0.35])
    assert legacy.samples == 3 and legacy.drafted_tokens == 200


def test_legacy_without_any_rates_has_no_weighting() -> None:
    legacy = legacy_weighted([120, 180], [None, None])
    assert legacy.weighted_per_position is None and legacy.conditional is None
    assert legacy.average_drafted_tokens == 150.0  # (120 + 180) / 2
