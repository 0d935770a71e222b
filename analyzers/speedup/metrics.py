"""One metric of one paired load level: both runs' values, the speedup and its interval.

Speedup = spec/baseline for throughputs, baseline/spec for latencies, so > 1 always means the
speculative run is better. Values come from per-request rows when both runs have complete rows,
else from both drivers' own aggregates (vllm bench saved without --save-detailed; guidellm files
keeping only a sample of requests), else n/a. Intervals: analyzers.speedup.throughput_interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from speclens.analyzers.speedup.load_metrics import output_throughput
from speclens.analyzers.speedup.models import Comparison, Verdict
from speclens.analyzers.speedup.throughput_interval import (
    REQUEST_METHOD,
    TIME_METHOD,
    Spread,
    mean_spread,
    ratio_interval,
    throughput_spread,
)
from speclens.parsers.guidellm import Benchmark, RequestRow


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    higher_is_better: bool
    row_attr: str | None  # RequestRow field; None: a system metric
    description: str


METRICS = (
    Metric("output_throughput", "tok/s", True, None,
           "system output throughput: Σ output tokens of successful requests / the driver's benchmark duration"),
    Metric("request_output_tps", "tok/s", True, "output_tps",
           "per-request speed: mean over successful requests of output tokens / request latency (what one user sees)"),
    Metric("mean_ttft_ms", "ms", False, "ttft_ms", "request mean of time to first token"),
    Metric("mean_tpot_ms", "ms", False, "tpot_ms", "request mean of the driver's time per output token "
           "(guidellm: (last token - start) / output tokens; vllm bench: (latency - TTFT) / (output tokens - 1))"),
    Metric("mean_itl_ms", "ms", False, "itl_ms", "request mean of inter-token latency (vllm bench aggregates: "
           "every gap pooled)"),
    Metric("mean_latency_s", "s", False, "latency_s", "request mean of end-to-end latency"),
)
_AGGREGATE = {"output_throughput": "output_throughput", "mean_ttft_ms": "mean_ttft_ms", "mean_tpot_ms": "mean_tpot_ms",
              "mean_itl_ms": "mean_itl_ms", "mean_latency_s": "mean_latency_s"}


def _ok(b: Benchmark) -> list[RequestRow]:
    rows = [r for r in b.requests if r.status == "successful"]
    if rows and all(r.start is not None for r in rows):
        rows.sort(key=lambda r: r.start)  # type: ignore[arg-type, return-value]
    return rows


def _window(b: Benchmark, rows: list[RequestRow]) -> float | None:
    if b.duration_s:
        return b.duration_s
    ends = [r.start + r.latency_s for r in rows if r.start is not None and r.latency_s is not None]
    starts = [r.start for r in rows if r.start is not None]
    return max(ends) - min(starts) if ends else None


def _in_flight(b: Benchmark, latencies: list[float]) -> float | None:
    """Mean number of requests in flight (Little's law): Σ latency / window."""
    window = _window(b, _ok(b))
    return sum(latencies) / window if window and latencies else None


def _row_estimate(metric: Metric, b: Benchmark) -> tuple[float | None, Spread, int]:
    rows = _ok(b)
    if metric.row_attr is None:
        value = output_throughput(b)
        timed = [r for r in rows if None not in (r.start, r.ttft_ms, r.latency_s, r.output_tokens)]
        if len(timed) < len(rows):
            return value, Spread(None, None, "per-request start times or TTFT missing"), len(rows)
        return value, throughput_spread([r.start for r in timed], [r.ttft_ms / 1000.0 for r in timed],  # type: ignore[misc]
                                        [r.latency_s for r in timed], [r.output_tokens for r in timed]), len(rows)  # type: ignore[misc]
    values = [getattr(r, metric.row_attr) for r in rows if getattr(r, metric.row_attr) is not None]
    if not values:
        return None, Spread(None, None, "no request has this field"), 0
    latencies = [r.latency_s for r in rows if r.latency_s is not None]
    return sum(values) / len(values), mean_spread(values, _in_flight(b, latencies)), len(values)


def _aggregate_estimate(metric: Metric, b: Benchmark) -> tuple[float | None, Spread, int]:
    agg = b.aggregates
    n = (agg.successful if agg and agg.successful is not None else b.totals.get("successful")) or 0
    name = _AGGREGATE.get(metric.name)
    if agg is None or name is None:
        return None, Spread(None, None, "needs per-request rows (vllm bench: --save-detailed)"), n
    if metric.name == "output_throughput" and agg.output_tokens is not None and b.duration_s:
        value: float | None = agg.output_tokens / b.duration_s
    else:
        value = getattr(agg, name)
    why = "driver aggregate: no per-request timestamps or token counts (vllm bench: --save-detailed)"
    if metric.name == "mean_latency_s" and agg.latencies_s:
        lat = list(agg.latencies_s)
        return sum(lat) / len(lat), mean_spread(lat, sum(lat) / b.duration_s if b.duration_s else None), len(lat)
    return value, Spread(None, None, why), n


def _verdict(low: float | None, high: float | None) -> Verdict:
    if low is None or high is None:
        return "n/a"
    return "faster" if low > 1 else "slower" if high < 1 else "not distinguishable"


def compare_metric(metric: Metric, base: Benchmark, spec: Benchmark) -> Comparison:
    rows = base.rows_complete and spec.rows_complete
    estimate = _row_estimate if rows else _aggregate_estimate
    (bv, bs, bn), (sv, ss, sn) = estimate(metric, base), estimate(metric, spec)
    weighting = "system" if metric.row_attr is None else "request mean"
    note = None
    if not rows and metric.name == "mean_itl_ms":
        wb = base.aggregates.mean_itl_weighting if base.aggregates else None
        ws = spec.aggregates.mean_itl_weighting if spec.aggregates else None
        if wb != ws:
            bv = sv = None
            note = f"definitions differ: baseline ITL is {wb}-weighted, spec {ws}-weighted"
        elif wb == "token":
            weighting = "token-pooled"
    speedup = None
    if bv and sv:
        speedup = sv / bv if metric.higher_is_better else bv / sv
    low = high = None
    if speedup is None and note is None:
        note = (f"baseline: {bs.reason}" if bv is None else f"spec: {ss.reason}" if sv is None
                else "a value is 0: the ratio is undefined")
    if speedup is not None:
        low, high, why = ratio_interval(speedup, bs, ss)
        if why is None:
            note = f"baseline {bs.batch}; spec {ss.batch}"
        else:
            note = why
    method = (TIME_METHOD if metric.row_attr is None else REQUEST_METHOD) if low is not None else None
    return Comparison(metric=metric.name, description=metric.description, unit=metric.unit, weighting=weighting,
                      higher_is_better=metric.higher_is_better, baseline=bv, spec=sv, speedup=speedup, ci_low=low,
                      ci_high=high, interval_method=method, interval_note=note, verdict=_verdict(low, high),
                      data=("per-request rows" if rows else "driver aggregates") if bv is not None or sv is not None else "none",
                      n_baseline=bn, n_spec=sn)
