"""95% intervals for the speedups our sequential clients print (one request at a time: the
draft/verify benchmark's questions, the LoRA suite's prompts): a ratio of two pooled rates,

    speedup = (Σ tokens_spec / Σ seconds_spec) / (Σ tokens_base / Σ seconds_base)

(each request weighs by its tokens and seconds, as the pooled tok/s the clients print). On the log
scale, log speedup = log ā_s − log b̄_s − log ā_b + log b̄_b (a: tokens, b: seconds, means over
requests), so by the delta method each request's influence on its side is u_i = a_i/ā − b_i/b̄:

- paired (the same prompts on both sides, in the same order): d_i = u_i(spec) − u_i(base),
  Var(log speedup) = s²(d) / n, df = n − 1 (what one prompt costs on both sides cancels);
- independent: Var = s²(u_spec)/n_spec + s²(u_base)/n_base, df by Welch-Satterthwaite.

Interval: exp(log speedup ± t(0.975, df) · √Var), sample variances (n − 1). It needs at least
MIN_REQUESTS requests a side; otherwise it is null with the reason. It covers request-to-request
variation on one warm server pair, not run-to-run drift (state that beside it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from speclens.analyzers.speedup.throughput_interval import MIN_REQUESTS, t975

FORMULA = ("speedup = (Σ tokens_spec / Σ seconds_spec) / (Σ tokens_base / Σ seconds_base); 95% interval: delta "
           "method on the log ratio over requests (paired when both sides ran the same prompts), Student t")


@dataclass(frozen=True, slots=True)
class RateRatio:
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    interval_note: str | None = None  # why there is no interval, or how it was paired
    formula: str = FORMULA

    def interval(self, shift: float = 0.0) -> dict:
        """The client-result JSON form {ci_low, ci_high, note} (parsers.client_results.base.Interval), bounds
        rounded to 4 digits and moved by `shift` (-1: a gain, ratio - 1); null bounds keep the note's reason."""
        low, high = ((None, None) if self.ci_low is None or self.ci_high is None
                     else (round(self.ci_low + shift, 4), round(self.ci_high + shift, 4)))
        return {"ci_low": low, "ci_high": high, "note": self.interval_note}


def _influence(tokens: list[float], seconds: list[float]) -> np.ndarray | None:
    a, b = np.asarray(tokens, float), np.asarray(seconds, float)
    if a.mean() <= 0 or b.mean() <= 0:
        return None
    return a / a.mean() - b / b.mean()


def rate_ratio(spec_tokens: list[float], spec_seconds: list[float], base_tokens: list[float],
               base_seconds: list[float], paired: bool, items: str = "prompts") -> RateRatio:
    """The speedup of pooled tokens/s and its 95% interval (see the module docstring); `items` names
    what was paired in the note ("paired over 10 prompts")."""
    n_s, n_b = len(spec_tokens), len(base_tokens)
    if min(n_s, n_b) == 0 or sum(spec_seconds) <= 0 or sum(base_seconds) <= 0 or sum(base_tokens) <= 0:
        return RateRatio(None, interval_note="no tokens or no time on one side")
    value = (sum(spec_tokens) / sum(spec_seconds)) / (sum(base_tokens) / sum(base_seconds))
    if min(n_s, n_b) < MIN_REQUESTS:
        return RateRatio(value, interval_note=f"{min(n_s, n_b)} request(s) on a side; an interval needs {MIN_REQUESTS}")
    u_s, u_b = _influence(spec_tokens, spec_seconds), _influence(base_tokens, base_seconds)
    if u_s is None or u_b is None or value <= 0:
        return RateRatio(value, interval_note="no tokens on the spec side")
    if paired and n_s == n_b:
        d = u_s - u_b
        var, df, how = float(d.var(ddof=1)) / n_s, n_s - 1, f"paired over {n_s} {items}"
    else:
        vs, vb = float(u_s.var(ddof=1)) / n_s, float(u_b.var(ddof=1)) / n_b
        var, how = vs + vb, f"independent: {n_s} spec, {n_b} baseline requests"
        df = var**2 / (vs**2 / (n_s - 1) + vb**2 / (n_b - 1)) if var > 0 else n_s + n_b - 2
    half = t975(df) * math.sqrt(var)
    return RateRatio(value, value * math.exp(-half), value * math.exp(half), how)
