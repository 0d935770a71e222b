"""speclens sweep: best k per load and the break-even load on constructed cell speedups, with the
answers computed by hand (analyzers.sweep.select)."""

from __future__ import annotations

from speclens.analyzers.sweep.models import CellSpeedup, MetricSpeedup
from speclens.analyzers.sweep.select import best_ks, break_even

LOW, MID, HIGH = ("concurrent streams=1", [1, 1]), ("concurrent streams=4", [1, 4]), ("concurrent streams=16", [1, 16])


def _v(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "n/a"
    return "faster" if low > 1 else "slower" if high < 1 else "not distinguishable"


def cell(k: int, load: tuple[str, list[int]], speedup: float, low: float | None, high: float | None,
         category: str | None = None) -> CellSpeedup:
    m = MetricSpeedup(baseline=100.0, spec=100.0 * speedup, speedup=speedup, ci_low=low, ci_high=high, verdict=_v(low, high))
    return CellSpeedup(spec_cell=f"k{k}-{load[0]}", baseline_cell="b", k=k, load=load[0], load_rank=load[1],
                       category=category, comparable=True, output_throughput=m, per_request_speed=m)


def grid() -> list[CellSpeedup]:
    return [
        # streams=1: k=3 best (1.30); k=2's [1.12, 1.28] overlaps k=3's [1.22, 1.38] (1.28 >= 1.22): a tie;
        # k=1's high 1.15 < 1.22: distinguishable
        cell(1, LOW, 1.10, 1.05, 1.15), cell(2, LOW, 1.20, 1.12, 1.28), cell(3, LOW, 1.30, 1.22, 1.38),
        # streams=4: k=1 best (1.02, interval spans 1: not distinguishable from the baseline); k=2's [0.90, 1.04]
        # overlaps [0.95, 1.09]: tie; k=3's high 0.93 < 0.95: not a tie
        cell(1, MID, 1.02, 0.95, 1.09), cell(2, MID, 0.97, 0.90, 1.04), cell(3, MID, 0.90, 0.80, 0.93),
        # streams=16: every k slower; best k=1 (0.95), alone
        cell(1, HIGH, 0.95, 0.91, 0.99), cell(2, HIGH, 0.85, 0.80, 0.90), cell(3, HIGH, 0.75, 0.70, 0.80),
    ]


def test_best_k_reports_overlapping_intervals_as_ties():
    best = best_ks(grid()[::-1], "output_throughput")  # input order does not matter: load order does
    assert [(b.load, b.best_k, b.ties, b.verdict) for b in best] == [
        ("concurrent streams=1", 3, [2], "faster"),
        ("concurrent streams=4", 1, [2], "not distinguishable"),
        ("concurrent streams=16", 1, [], "slower"),
    ]
    assert "a tie" in best[0].note and "not distinguishable from k=2" in best[0].note


def test_break_even_between_the_last_paying_and_the_next_load():
    (even,) = break_even(best_ks(grid(), "output_throughput"))
    assert (even.kind, even.low_load, even.high_load) == ("between", "concurrent streams=1", "concurrent streams=4")
    assert (even.low_verdict, even.high_verdict) == ("faster", "not distinguishable")
    assert even.text == ("break-even: between concurrent streams=1 (k=3 (tie with k=2) faster) and "
                         "concurrent streams=4 (k=1 (tie with k=2) not distinguishable)")


def test_no_break_even_when_every_load_pays():
    cells = [cell(2, LOW, 1.5, 1.3, 1.7), cell(2, MID, 1.2, 1.1, 1.3)]
    (even,) = break_even(best_ks(cells, "output_throughput"))
    assert even.kind == "never within the measured range" and even.high_load == "concurrent streams=4"


def test_already_not_paying_at_the_lowest_load():
    # the only k: 1.05 in [0.97, 1.13] spans 1 at the lowest load: it does not pay there
    cells = [cell(2, LOW, 1.05, 0.97, 1.13), cell(2, MID, 1.2, 1.1, 1.3)]
    best = best_ks(cells, "output_throughput")
    assert best[0].note == "the only k measured here"
    (even,) = break_even(best)
    assert (even.kind, even.high_load, even.high_verdict) == (
        "already not paying at the lowest load", "concurrent streams=1", "not distinguishable")


def test_all_not_distinguishable_is_a_tie_never_a_winner_made_up():
    # CPU-like: every k within noise of the baseline and of each other
    cells = [cell(1, LOW, 0.98, 0.90, 1.07), cell(2, LOW, 1.01, 0.93, 1.10), cell(3, LOW, 0.99, 0.91, 1.08)]
    (best,) = best_ks(cells, "output_throughput")
    assert (best.best_k, best.ties, best.verdict) == (2, [1, 3], "not distinguishable")
    (even,) = break_even([best])
    assert even.kind == "already not paying at the lowest load"


def test_no_interval_means_no_choice():
    cells = [cell(1, LOW, 1.2, None, None), cell(2, LOW, 1.3, 1.2, 1.4)]
    (best,) = best_ks(cells, "output_throughput")
    assert best.best_k is None and "k=1 has no 95% interval" in best.note
    assert break_even([best])[0].kind == "n/a"


def test_categories_are_separate_and_uncomparable_cells_are_skipped():
    bad = cell(3, LOW, 2.0, 1.9, 2.1, "code").model_copy(update={"comparable": False, "summary": "not comparable: model differs"})
    cells = [cell(1, LOW, 1.1, 1.05, 1.15, "code"), bad, cell(1, LOW, 0.9, 0.8, 0.95, "chat")]
    best = best_ks(cells, "output_throughput")
    assert [(b.category, b.best_k, b.verdict) for b in best] == [("chat", 1, "slower"), ("code", 1, "faster")]
    assert [e.kind for e in break_even(best)] == ["already not paying at the lowest load", "never within the measured range"]


def test_primary_per_request_speed_decides():
    a = cell(1, LOW, 1.1, 1.05, 1.15)
    a.per_request_speed = MetricSpeedup(baseline=1, spec=1, speedup=0.9, ci_low=0.85, ci_high=0.95, verdict="slower")
    b = cell(2, LOW, 1.0, 0.9, 1.1)
    (best,) = best_ks([a, b], "per_request_speed")
    assert (best.best_k, best.verdict) == (2, "not distinguishable")  # 1.0 > 0.9; [0.9, 1.1] vs [0.85, 0.95] overlap
    assert best.ties == [1]
