"""Load-driver numbers of one benchmark, each named for what it is.

- `output_throughput`: system output tokens per second over the benchmark window =
  Σ output tokens of successful requests / the driver's measured benchmark duration (guidellm
  `benchmarks[i].duration`, `vllm bench serve` `duration`); what guidellm reports as
  `output_tokens_per_second` and `vllm bench serve` as `output_throughput`.
  When the file has no per-request rows (vllm bench without `--save-detailed`) or only a sample
  of them (guidellm `--sample-requests`), the driver's total output tokens of the benchmark are
  used (same formula).
- `request_output_tps`: the mean over successful requests of each request's own output tokens per
  second (what one user sees); request-weighted, not system throughput. None without rows.
- `load_label`: the one spelling of a benchmark's load level, in every command: `synchronous`,
  `throughput`, `concurrent streams=4`, `constant rate=2`, `poisson rate=4`.
"""

from __future__ import annotations

from speclens.parsers.guidellm import Benchmark


def output_throughput(b: Benchmark) -> float | None:
    """Σ output tokens (successful requests) / benchmark duration; None when either is unknown."""
    if not b.duration_s:
        return None
    ok = [r for r in b.requests if r.status == "successful"]
    if not b.rows_complete:
        total = b.aggregates.output_tokens if b.aggregates else None
        return total / b.duration_s if total and b.totals.get("successful") else None
    if any(r.output_tokens is None for r in ok):
        return None
    return sum(r.output_tokens or 0 for r in ok) / b.duration_s


def request_output_tps(b: Benchmark) -> float | None:
    """Mean of per-request output tokens/s over successful requests; None without any."""
    values = [r.output_tps for r in b.requests if r.status == "successful" and r.output_tps is not None]
    return sum(values) / len(values) if values else None


def load_label(b: Benchmark) -> str:
    """The load level as every command spells it (compare's load column, speedup's and report's levels)."""
    if b.rate is None:
        return b.strategy
    return f"{b.strategy} {'streams' if b.strategy == 'concurrent' else 'rate'}={b.rate:g}"
