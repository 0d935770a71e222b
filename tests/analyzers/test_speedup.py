from __future__ import annotations

import pytest

from analyzers.speedup import bootstrap_ratio, build_speedup, compare_metric, crossover
from analyzers.speedup_models import LoadLevel
from parsers.guidellm import Benchmark, LoadRun, RequestRow

import numpy as np


def req(tps: float, latency: float = 1.0, prompt: int = 64, output: int = 128) -> RequestRow:
    return RequestRow(status="successful", start=0.0, latency_s=latency, ttft_ms=50.0, itl_ms=8.0, tpot_ms=8.0,
                      prompt_tokens=prompt, output_tokens=output, output_tps=tps, tokens_per_iteration=1.0)


def bench(strategy: str, rate: float | None, rows: list[RequestRow], index: int = 0) -> Benchmark:
    return Benchmark(index, strategy, rate, 10.0, {"successful": len(rows), "errored": 0, "incomplete": 0}, rows)


def test_constant_requests_give_an_exact_ratio_and_a_point_interval() -> None:
    # spec 150 tok/s vs baseline 100 tok/s: 150/100 = 1.5; latencies 2 s vs 1 s: 2/1 = 2.0 (baseline/spec)
    base = bench("synchronous", None, [req(100.0, 2.0)] * 4)
    spec = bench("synchronous", None, [req(150.0, 1.0)] * 4)
    tps = compare_metric(base, spec, "output_tps", "tok/s", True, seed=0)
    assert (tps.speedup, tps.ci_low, tps.ci_high, tps.verdict) == (1.5, 1.5, 1.5, "faster")
    lat = compare_metric(base, spec, "latency_s", "s", False, seed=0)
    assert (lat.speedup, lat.verdict) == (2.0, "faster")


def test_overlapping_samples_are_not_distinguishable() -> None:
    # means 100 and 100: speedup 1.0 exactly; resampling moves it both ways around 1
    base = bench("synchronous", None, [req(90.0), req(110.0)] * 5)
    spec = bench("synchronous", None, [req(95.0), req(105.0)] * 5)
    c = compare_metric(base, spec, "output_tps", "tok/s", True, seed=0)
    assert c.speedup == pytest.approx(1.0)
    assert c.ci_low is not None and c.ci_high is not None and c.ci_low < 1.0 < c.ci_high
    assert c.verdict == "not distinguishable"


def test_bootstrap_is_reproducible_and_seed_dependent() -> None:
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 3.0, 5.0, 7.0])
    assert bootstrap_ratio(x, y, True, seed=7) == bootstrap_ratio(x, y, True, seed=7)
    assert bootstrap_ratio(x, y, True, seed=7) != bootstrap_ratio(x, y, True, seed=8)


def test_levels_pair_by_load_and_show_the_crossover() -> None:
    # sync: 150 vs 100 (faster); concurrent 4: 100 vs 100 (not distinguishable: equal constants -> 1.0);
    # concurrent 16: 80 vs 100 (slower)
    base = LoadRun("b.json", "0.8", "0.8.1", "m", [bench("synchronous", None, [req(100.0)] * 3, 0),
                                                   bench("concurrent", 16.0, [req(100.0)] * 3, 1),
                                                   bench("concurrent", 4.0, [req(100.0)] * 3, 2)])
    spec = LoadRun("s.json", "0.8", "0.8.1", "m", [bench("concurrent", 4.0, [req(100.0)] * 3, 0),
                                                   bench("synchronous", None, [req(150.0)] * 3, 1),
                                                   bench("concurrent", 16.0, [req(80.0)] * 3, 2)])
    report = build_speedup(base, spec, seed=0, version="t", inputs=[])
    assert [(lvl.label, lvl.verdict) for lvl in report.levels] == [
        ("synchronous", "faster"), ("concurrent streams=4", "not distinguishable"), ("concurrent streams=16", "slower")]
    assert report.crossover == "faster up to synchronous; from concurrent streams=4 on: not distinguishable"
    assert report.notices == []


def test_runs_with_different_loads_are_flagged() -> None:
    base = LoadRun("b.json", "0.8", None, "a", [bench("synchronous", None, [req(100.0, prompt=64)])])
    spec = LoadRun("s.json", "0.8", None, "b", [bench("synchronous", None, [req(100.0, prompt=80)])])
    codes = [n.code for n in build_speedup(base, spec, 0, "t", []).notices]
    assert codes == ["different-model", "different-prompt-length"]  # 80 vs 64 differs by 25% > 5%


def test_no_crossover_when_always_faster() -> None:
    level = LoadLevel(label="x", strategy="synchronous", rate=None, baseline_benchmark=0, spec_benchmark=0,
                      comparisons=[], verdict="faster")
    assert crossover([level, level]) is None
