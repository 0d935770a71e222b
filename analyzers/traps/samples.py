"""Traps 6 and 7: how much of the run the numbers rest on.

6. guidellm reservoir sampling (`sample_size`): a benchmark keeps per-request rows for a sample of
   its requests (fewer rows than its `successful` count, parsers.guidellm.Benchmark.rows_complete):
   sums over the rows (tokens, per-request spec-decode counts) are not the run's totals.
7. Too few requests or draft tokens for what is asked of them:
   - a percentile over n requests: p90 needs n >= 10 and p99 n >= 100 to be more than the largest
     value (info: a fact of short runs);
   - the draft acceptance rate p over N draft tokens: its 95% interval is at least
     ±1.96·sqrt(p(1-p)/N) (binomial; drafts within a request are correlated, so wider in truth);
     when that exceeds ±0.10 (a warning: fewer than about 100 draft tokens) it says how many draft
     tokens ±0.10 and ±0.05 need: ceil(1.96²·p(1-p)/h²).
"""

from __future__ import annotations

import math

from speclens.analyzers.acceptance.notice import Notice
from speclens.analyzers.traps.evidence import Evidence
from speclens.base.formulas import acceptance_rate

P90_NEEDS, P99_NEEDS = 10, 100
Z95, HALF_WIDTH, GOAL = 1.96, 0.10, 0.05  # warn above ±0.10; say what ±0.10 and ±0.05 need


def sampled_requests(ev: Evidence) -> list[Notice]:
    out = []
    for b in ev.load.benchmarks if ev.load else []:
        rows, counted = sum(r.status == "successful" for r in b.requests), b.totals.get("successful")
        if rows and counted is not None and rows < counted:
            out.append(Notice(level="warning", code="trap-sampled-requests", location=ev.load.path, message=(
                f"benchmark {b.index}: per-request rows are a sample ({rows} of {counted} successful requests: guidellm "
                "sample_size): sums over them are not totals (speclens takes totals from the driver's aggregates); "
                "run without --sample-size for per-request sums")))
    return out


def few_requests(ev: Evidence) -> list[Notice]:
    out = []
    for b in ev.load.benchmarks if ev.load else []:
        n = b.totals.get("successful")
        if n is None or n >= P99_NEEDS:
            continue
        short = "p90 and p99" if n < P90_NEEDS else "p99"
        out.append(Notice(level="info", code="trap-few-requests", location=ev.load.path, message=(
            f"benchmark {b.index}: {n} successful request(s): {short} over them is little more than the largest value "
            f"(p90 needs >= {P90_NEEDS} requests, p99 >= {P99_NEEDS}); run more requests for tail latencies")))
    return out


def few_drafts(ev: Evidence) -> list[Notice]:
    drafted, accepted = ev.draft_tokens, ev.accepted_tokens
    if not drafted or accepted is None:
        return []
    p = acceptance_rate(accepted, drafted)
    assert p is not None  # drafted > 0
    half = Z95 * math.sqrt(p * (1 - p) / drafted)
    if half <= HALF_WIDTH:
        return []
    needs = [math.ceil(Z95 ** 2 * p * (1 - p) / h ** 2) for h in (HALF_WIDTH, GOAL)]
    return [Notice(level="warning", code="trap-few-drafts", location=ev.where, message=(
        f"the draft acceptance rate {p:.3f} rests on {drafted} draft tokens: its 95% interval is at least ±{half:.3f}; "
        f"±{HALF_WIDTH:.2f} needs >= {needs[0]} draft tokens and ±{GOAL:.2f} >= {needs[1]} (1.96²·p(1−p)/h²): "
        "run more requests"))]


def few_counts(ev: Evidence) -> list[Notice]:
    return few_requests(ev) + few_drafts(ev)
