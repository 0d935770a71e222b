"""95% intervals of the speculative-thinking comparison (analyzers/speedup/item_interval.rate_ratio):

- speedup = mean latency (large) / mean latency (spec) = rate_ratio with one "token" per run over
  each run's latency (Σ 1 / Σ latency is 1 / mean latency);
- throughput_improvement = mean throughput (spec) / mean throughput (large) = rate_ratio with each
  run's throughput over 1 s.

Over the runs each mode completed (timed-out runs excluded, as the point values exclude them). When
both modes completed the same (problem, run) pairs, the interval is paired (what one problem costs
on both sides cancels); otherwise the two modes' runs are taken as independent samples.
"""

from __future__ import annotations

from speclens.analyzers.speedup.item_interval import rate_ratio


def _completed(section: dict) -> dict[tuple[str, int], dict]:
    return {(p, r["run"]): r for p, block in section["results"].items() for r in block["runs"] if not r["timed_out"]}


def _interval(spec_tokens, spec_seconds, base_tokens, base_seconds, paired: bool) -> dict:
    return rate_ratio(spec_tokens, spec_seconds, base_tokens, base_seconds, paired, items="runs").interval()


def comparison_intervals(large: dict | None, spec: dict | None) -> dict:
    """{"speedup_interval", "throughput_improvement_interval"}: None each without both modes."""
    if not large or not spec:
        return {"speedup_interval": None, "throughput_improvement_interval": None}
    a, b = _completed(large), _completed(spec)
    paired = a.keys() == b.keys()  # then sorted() lines both up run for run
    lat_l, lat_s = [a[k]["latency"] for k in sorted(a)], [b[k]["latency"] for k in sorted(b)]
    tps_l, tps_s = [a[k]["throughput"] for k in sorted(a)], [b[k]["throughput"] for k in sorted(b)]
    return {"speedup_interval": _interval([1.0] * len(lat_s), lat_s, [1.0] * len(lat_l), lat_l, paired),
            "throughput_improvement_interval": _interval(tps_s, [1.0] * len(tps_s), tps_l, [1.0] * len(tps_l), paired)}
