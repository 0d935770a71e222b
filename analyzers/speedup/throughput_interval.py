"""95% intervals for the speedup of one load level: a ratio of two independent runs' estimates.

**System output throughput** (output tokens / benchmark window) is one number per run, not a
mean over independent requests: requests overlap in time, and a slow stretch of the server slows
every request in flight. Its uncertainty is estimated the way steady-state simulation output is
(overlapping batch means in time, Meketon & Schmeiser 1984; the variance a moving-block bootstrap
over time slices converges to, here computed exactly instead of by resampling, so no seed):

1. Token-production curve F(t): each successful request's output tokens are spread uniformly
   over its decode interval [start + TTFT, start + latency]; the window is [first start, last end].
2. Batch length L = 2 × the mean request latency (a request influences production only while it
   is in flight, so production more than ~L apart is taken as uncorrelated); k = window / L.
3. Var(throughput) = Var over batch start u (1024 points from the window start to end - L) of
   (F(u + L) - F(u)) / L, divided by (k - 1) (k/(k-1): the small-sample correction of batch means).
4. The ratio: log R ± t(0.975, df) · sqrt(v_base + v_spec), v = Var / throughput² (delta method),
   df from Welch-Satterthwaite with k - 1 per run. Deterministic production (every batch equal)
   gives v = 0: the interval collapses to R.

Assumptions, stated in every output: production within a run is stationary apart from its edges,
correlations die out within L, and the two runs are independent. Closed loops (synchronous,
concurrent N) keep N requests in flight and fit this well; open loops (constant, poisson) too,
but below saturation their throughput is the offered load, so it cannot show a speedup there.
Measured coverage of the 95% interval on simulated closed loops (tests/analyzers/
test_throughput_interval.py, 400 replicates each): concurrency 4 x 40 requests 93.8%, 8 x 100
95.5%, 16 x 160 99.5% (conservative: few requests per stream, the ramp-down dominates);
synchronous 8, 20, 60 requests 93.0%, 91.5%, 91.3% (somewhat narrow). Request-mean latency
intervals: 93-96% in the same runs.

**Request means** (TTFT, TPOT, ITL, latency, per-request output tok/s): the same batch-means
estimator over requests in start order (file order without start times), batches of m requests,
m = the mean number in flight = Σ latency / window (Little's law), at least 1 (m = 1 is the usual
standard error of a mean); df = n/m - 1. Intervals need at least `MIN_REQUESTS` requests and two
batches per run; otherwise the interval is null with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_REQUESTS = 3
BATCH_LATENCIES = 2.0
GRID = 1024
TIME_METHOD = "batch means in time"
REQUEST_METHOD = "batch means over requests"


@dataclass(frozen=True, slots=True)
class Spread:
    """One run's estimate: `rel_var` = Var(log estimate) and its degrees of freedom, or the reason
    they are unknown."""

    rel_var: float | None
    df: float | None
    reason: str | None = None
    batch: str = ""  # how it was batched, for the note ("L = 1.12 s, k = 4.6")


def t975(df: float) -> float:
    """Student t 0.975 quantile (two-sided 95%) at a possibly fractional df (Welch's df is one).
    scipy.special.stdtrit is what scipy.stats.t.ppf computes with (same values), imported here: it
    adds ~0.1 s to `speclens speedup`, scipy.stats ~0.55 s, and neither is paid by other commands."""
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.975))


def production_curve(a: np.ndarray, b: np.ndarray, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints t and cumulative tokens F(t) of the piecewise-linear production curve."""
    b = np.maximum(b, a + 1e-9)
    slope = tokens / (b - a)
    t = np.concatenate([a, b])
    ds = np.concatenate([slope, -slope])
    order = np.argsort(t, kind="stable")
    t, ds = t[order], ds[order]
    return t, np.concatenate([[0.0], np.cumsum(np.cumsum(ds)[:-1] * np.diff(t))])


def throughput_spread(start: list[float], ttft_s: list[float], latency_s: list[float], tokens: list[int]) -> Spread:
    """Batch-means spread of Σ tokens / window from per-request timestamps (see the docstring)."""
    n = len(start)
    if n < MIN_REQUESTS:
        return Spread(None, None, f"{n} request(s) with timestamps; an interval needs {MIN_REQUESTS}")
    s, lat = np.asarray(start, float), np.asarray(latency_s, float)
    a, b = s + np.asarray(ttft_s, float), s + lat
    w0, w1 = float(s.min()), float(b.max())
    length = BATCH_LATENCIES * float(lat.mean())
    k = (w1 - w0) / length if length > 0 else 0.0
    if k < 2:
        return Spread(None, None, f"the window ({w1 - w0:.3g} s) holds fewer than 2 batches of {length:.3g} s")
    t, f = production_curve(a, b, np.asarray(tokens, float))
    total = float(np.interp(w1, t, f) - np.interp(w0, t, f))
    if total <= 0:
        return Spread(None, None, "no output tokens in the window")
    u = np.linspace(w0, w1 - length, GRID)
    rates = (np.interp(u + length, t, f) - np.interp(u, t, f)) / length
    mean_rate = total / (w1 - w0)
    return Spread(float(rates.var()) / (k - 1) / mean_rate**2, k - 1, batch=f"L = {length:.3g} s, k = {k:.1f}")


def mean_spread(values: list[float], in_flight: float | None) -> Spread:
    """Batch-means spread of the mean of `values` (in start order), batches of round(in_flight)."""
    n = len(values)
    if n < MIN_REQUESTS:
        return Spread(None, None, f"{n} request(s); an interval needs {MIN_REQUESTS}")
    m = max(1, round(in_flight)) if in_flight and math.isfinite(in_flight) else 1
    k = n / m
    if k < 2:
        return Spread(None, None, f"{n} requests make fewer than 2 batches of {m} (the mean number in flight)")
    x = np.asarray(values, float)
    mean = float(x.mean())
    if mean == 0:
        return Spread(None, None, "the mean is 0")
    batches = np.convolve(x, np.ones(m) / m, mode="valid") if m > 1 else x
    return Spread(float(batches.var()) / (k - 1) / mean**2, k - 1, batch=f"m = {m}")


def ratio_interval(ratio: float, base: Spread, spec: Spread) -> tuple[float | None, float | None, str | None]:
    """(low, high, None), or (None, None, why) when either run has no spread."""
    for name, s in (("baseline", base), ("spec", spec)):
        if s.rel_var is None or s.df is None:
            return None, None, f"{name}: {s.reason}"
    vb, vs = base.rel_var or 0.0, spec.rel_var or 0.0
    if vb + vs == 0:
        return ratio, ratio, None
    df = (vb + vs) ** 2 / ((vb**2 / base.df if vb else 0.0) + (vs**2 / spec.df if vs else 0.0))
    half = t975(df) * math.sqrt(vb + vs)
    return ratio * math.exp(-half), ratio * math.exp(half), None
