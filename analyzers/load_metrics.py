"""Load-driver numbers of one benchmark, each named for what it is.

- `output_throughput`: system output tokens per second over the benchmark window =
  Σ output tokens of successful requests / the driver's measured benchmark duration (guidellm
  `benchmarks[i].duration`, `vllm bench serve` `duration`); what guidellm reports as
  `output_tokens_per_second` and `vllm bench serve` as `output_throughput`.
- `request_output_tps`: the mean over successful requests of each request's own output tokens per
  second (what one user sees); request-weighted, not system throughput.
"""

from __future__ import annotations

from parsers.guidellm import Benchmark


def output_throughput(b: Benchmark) -> float | None:
    """Σ output tokens (successful requests) / benchmark duration; None when either is unknown."""
    ok = [r for r in b.requests if r.status == "successful"]
    if not ok or any(r.output_tokens is None for r in ok) or not b.duration_s:
        return None
    return sum(r.output_tokens or 0 for r in ok) / b.duration_s


def request_output_tps(b: Benchmark) -> float | None:
    """Mean of per-request output tokens/s over successful requests; None without any."""
    values = [r.output_tps for r in b.requests if r.status == "successful" and r.output_tps is not None]
    return sum(values) / len(values) if values else None
