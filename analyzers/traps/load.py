"""Trap 8: the load achieved was below the load requested, so a level's speedup is not at the load
its label claims. Open-loop levels only (guidellm constant / poisson, vllm bench --request-rate;
`Benchmark.rate` is the requested requests/s); closed loops (synchronous, concurrent) send as fast
as answers come and claim no rate. Three ways it shows:

- sending drifted: the requests' start times span (n − 1) gaps, so they were sent at
  (n − 1) / (last start − first start) requests/s, below the requested rate by more than the
  tolerance (guidellm rate drift: its scheduler could not keep up);
- requests were still queued or in flight at the end (guidellm's `incomplete` count > 0);
- the server fell behind (open-loop saturation): requests finished at (n − 1) / (last end − first
  end) requests/s (end = start + latency), below the sending rate by more than the tolerance, so
  a queue grew through the run and latency measures the queue.
Tolerance: 10%, or 3/sqrt(n − 1) when larger (poisson gaps and latency vary: with 12 requests a
rate is known only to about ±90%, so short runs say nothing rather than guess).
"""

from __future__ import annotations

import math

from speclens.analyzers.acceptance.notice import Notice
from speclens.analyzers.traps.evidence import Evidence
from speclens.base.formulas import ratio
from speclens.parsers.guidellm import Benchmark

OPEN_LOOP = ("constant", "poisson")
TOLERANCE = 0.10


def tolerance(n: int, strategy: str | None = None) -> float:
    """How far below a rate over n requests is still noise (constant sending: 10% flat)."""
    return TOLERANCE if strategy == "constant" else max(TOLERANCE, 3 / math.sqrt(n - 1))


def rates(b: Benchmark) -> tuple[float | None, float | None, int]:
    """(sent requests/s, finished requests/s, n) over the successful requests with a start time."""
    rows = [r for r in b.requests if r.status == "successful" and r.start is not None and r.latency_s is not None]
    if len(rows) < 2:
        return None, None, len(rows)
    starts = sorted(r.start for r in rows)  # type: ignore[type-var]
    ends = sorted(r.start + r.latency_s for r in rows)  # type: ignore[operator]
    return ratio(len(rows) - 1, starts[-1] - starts[0]), ratio(len(rows) - 1, ends[-1] - ends[0]), len(rows)


def _why(b: Benchmark) -> str | None:
    sent, done, n = rates(b)
    if sent is not None and b.rate and sent < b.rate * (1 - tolerance(n, b.strategy)):
        return f"requests were sent at {sent:.2f}/s of the {b.rate:g}/s requested ({n} start times)"
    queued = b.totals.get("incomplete") or 0
    if queued > 0:
        return f"{queued} request(s) were still queued or in flight when the run ended"
    if sent is not None and done is not None and done < sent * (1 - tolerance(n)):
        return (f"requests finished at {done:.2f}/s while they were sent at {sent:.2f}/s ({n} requests): the server fell "
                "behind and a queue grew (open-loop saturation)")
    return None


def load_below_requested(ev: Evidence) -> list[Notice]:
    out = []
    for b in ev.load.benchmarks if ev.load else []:
        why = _why(b) if b.strategy in OPEN_LOOP and b.rate else None
        if why:
            out.append(Notice(level="warning", code="trap-load-below-requested", location=ev.load.path, message=(
                f"benchmark {b.index} ({b.strategy} {b.rate:g} req/s): the achieved load is below the requested: {why}; "
                "its speedup is not at the load it claims: lower the rate, or report the achieved rate")))
    return out
