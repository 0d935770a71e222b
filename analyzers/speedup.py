"""Is speculation faster than the target alone, at each load level? Paired runs → `SpeedupReport`.

Benchmarks are paired by load (strategy and rate/streams; constant-rate benchmarks of sweeps,
whose rates differ between runs, pair by order with a notice). Per level and metric over
successful requests: baseline mean, spec mean and speedup = spec/baseline for throughput,
baseline/spec for latencies (so > 1 always means speculation is better), with a percentile
bootstrap 95% interval from resampling each run's requests independently (seeded, reproducible).
Verdict: faster if the interval is above 1, slower if below, else not distinguishable.
"""

from __future__ import annotations

import numpy as np

from analyzers.speedup_models import Comparison, LoadLevel, SpeedupReport
from analyzers.report import Notice
from parsers.guidellm import Benchmark, LoadRun

# (metric, unit, higher is better)
METRICS = (("output_tps", "tok/s", True), ("tpot_ms", "ms", False), ("itl_ms", "ms", False),
           ("ttft_ms", "ms", False), ("latency_s", "s", False))
RESAMPLES = 2000
_ORDER = {"synchronous": 0, "concurrent": 1, "constant": 2, "poisson": 2, "async": 2, "throughput": 3}


def bootstrap_ratio(base: np.ndarray, spec: np.ndarray, higher_better: bool, seed: int,
                    resamples: int = RESAMPLES) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of the speedup over `resamples` independent resamplings of
    both request sets (with replacement, same size)."""
    rng = np.random.default_rng(seed)
    ratios = np.empty(resamples)
    for start in range(0, resamples, 250):
        stop = min(start + 250, resamples)
        b = base[rng.integers(0, base.size, size=(stop - start, base.size))].mean(axis=1)
        s = spec[rng.integers(0, spec.size, size=(stop - start, spec.size))].mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[start:stop] = s / b if higher_better else b / s
    low, high = np.nanpercentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def _values(b: Benchmark, metric: str) -> np.ndarray:
    values = [getattr(r, metric) for r in b.requests if r.status == "successful" and getattr(r, metric) is not None]
    return np.asarray(values, dtype=float)


def compare_metric(base: Benchmark, spec: Benchmark, metric: str, unit: str, higher: bool, seed: int) -> Comparison:
    """One metric of one load level (see the module docstring for the formula)."""
    x, y = _values(base, metric), _values(spec, metric)
    if x.size == 0 or y.size == 0 or x.mean() == 0 or y.mean() == 0:
        return Comparison(metric=metric, unit=unit, higher_is_better=higher, baseline_mean=x.mean() if x.size else None,
                          spec_mean=y.mean() if y.size else None, speedup=None, ci_low=None, ci_high=None,
                          verdict="n/a", n_baseline=int(x.size), n_spec=int(y.size))
    speedup = float(y.mean() / x.mean() if higher else x.mean() / y.mean())
    low, high = bootstrap_ratio(x, y, higher, seed)
    verdict = "faster" if low > 1 else "slower" if high < 1 else "not distinguishable"
    return Comparison(metric=metric, unit=unit, higher_is_better=higher, baseline_mean=float(x.mean()),
                      spec_mean=float(y.mean()), speedup=speedup, ci_low=low, ci_high=high, verdict=verdict,
                      n_baseline=int(x.size), n_spec=int(y.size))


def _label(b: Benchmark) -> str:
    if b.rate is None:
        return b.strategy
    return f"{b.strategy} {'streams' if b.strategy == 'concurrent' else 'rate'}={b.rate:g}"


def pair_benchmarks(base: LoadRun, spec: LoadRun, notices: list[Notice]) -> list[tuple[Benchmark, Benchmark]]:
    """Pairs by (strategy, rate); leftover benchmarks of the same strategy pair by order."""
    pairs, left = [], list(spec.benchmarks)
    unmatched = []
    for b in base.benchmarks:
        match = next((s for s in left if s.strategy == b.strategy and s.rate == b.rate), None)
        if match is None:
            unmatched.append(b)
        else:
            left.remove(match)
            pairs.append((b, match))
    for b in unmatched:
        match = next((s for s in left if s.strategy == b.strategy), None)
        if match is None:
            notices.append(Notice(level="warning", code="unpaired-load", message=f"baseline {_label(b)} has no spec counterpart"))
            continue
        left.remove(match)
        pairs.append((b, match))
        notices.append(Notice(level="warning", code="rate-mismatch", message=(
            f"paired baseline {_label(b)} with spec {_label(match)} by order: the loads are not identical")))
    notices += [Notice(level="warning", code="unpaired-load", message=f"spec {_label(s)} has no baseline counterpart")
                for s in left]
    return sorted(pairs, key=lambda p: (_ORDER.get(p[0].strategy, 2), p[0].rate or 0.0))


def _mean(run: LoadRun, attr: str) -> float | None:
    values = [getattr(r, attr) for b in run.benchmarks for r in b.requests
              if r.status == "successful" and getattr(r, attr) is not None]
    return sum(values) / len(values) if values else None


def comparability(base: LoadRun, spec: LoadRun) -> list[Notice]:
    """Warnings when the two runs did not see the same load."""
    notices = []
    if base.model and spec.model and base.model != spec.model:
        notices.append(Notice(level="warning", code="different-model", message=(
            f"served model names differ: baseline {base.model!r}, spec {spec.model!r}")))
    for attr, what in (("prompt_tokens", "prompt"), ("output_tokens", "output")):
        b, s = _mean(base, attr), _mean(spec, attr)
        if b and s and abs(b - s) / b > 0.05:
            notices.append(Notice(level="warning", code=f"different-{what}-length", message=(
                f"mean {what} tokens differ by more than 5%: baseline {b:.1f}, spec {s:.1f}")))
    for run, name in ((base, "baseline"), (spec, "spec")):
        errored = sum(b.totals.get("errored", 0) or 0 for b in run.benchmarks)
        if errored:
            notices.append(Notice(level="warning", code="errored-requests", message=f"{name} has {errored} errored request(s)"))
    return notices


def crossover(levels: list[LoadLevel]) -> str | None:
    """Where output throughput stops being distinguishably faster, in load order."""
    verdicts = [lvl.verdict for lvl in levels]
    if "faster" not in verdicts:
        return None
    last_fast = max(i for i, v in enumerate(verdicts) if v == "faster")
    if last_fast == len(levels) - 1:
        return None
    return f"faster up to {levels[last_fast].label}; from {levels[last_fast + 1].label} on: {verdicts[last_fast + 1]}"


def build_speedup(base: LoadRun, spec: LoadRun, seed: int, version: str, inputs: list) -> SpeedupReport:
    notices = comparability(base, spec)
    levels = []
    for b, s in pair_benchmarks(base, spec, notices):
        comparisons = [compare_metric(b, s, m, unit, higher, seed) for m, unit, higher in METRICS]
        levels.append(LoadLevel(label=_label(b), strategy=b.strategy, rate=b.rate, baseline_benchmark=b.index,
                                spec_benchmark=s.index, comparisons=comparisons, verdict=comparisons[0].verdict))
    return SpeedupReport(speclens_version=version, baseline=base.path, spec=spec.path, inputs=inputs, seed=seed,
                         resamples=RESAMPLES, levels=levels, crossover=crossover(levels), notices=notices)
