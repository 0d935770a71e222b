"""What the load driver measured in one run (`LoadSummary`, one `LoadLevel` per benchmark), for
`speclens report DIR` beside the acceptance numbers, with or without a baseline: did the server
get faster, not only did drafts get accepted.

Per benchmark (successful requests only unless said otherwise):
- requests: the driver's integer counts `successful` / `errored` / `incomplete` (guidellm
  `request_totals`, vllm bench `completed` / `failed`); never derived from rates.
- `output_throughput` (tok/s, system): Σ output tokens / the driver's benchmark duration
  (analyzers.speedup.load_metrics.output_throughput).
- `request_output_tps` (tok/s, request mean): mean over requests of each one's output tokens /
  latency (analyzers.speedup.load_metrics.request_output_tps): what one user sees, not system throughput.
- TTFT, ITL, TPOT (ms) and end-to-end latency (s): the request mean and the p50 / p90 / p99 over
  requests (linear interpolation between closest ranks, numpy's default), from per-request rows;
  without complete rows the driver's own means and no percentiles (null).
The run's request cap and duration come from run.json (`max_requests` "0" = none).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from speclens.analyzers.speedup.load_metrics import load_label, output_throughput, request_output_tps
from speclens.parsers.guidellm import Benchmark, LoadRun

PERCENTILES = (50, 90, 99)


class Distribution(BaseModel):
    mean: float | None
    p50: float | None
    p90: float | None
    p99: float | None
    n: int  # requests that had the field


class LoadLevel(BaseModel):
    label: str
    data: Literal["per-request rows", "driver aggregates"]
    duration_s: float | None
    successful: int | None
    errored: int | None
    incomplete: int | None
    output_tokens: int | None  # Σ over successful requests
    output_throughput: float | None  # system tok/s
    request_output_tps: float | None  # request-mean tok/s
    ttft_ms: Distribution
    itl_ms: Distribution
    tpot_ms: Distribution
    latency_s: Distribution


class LoadSummary(BaseModel):
    path: str
    driver: str  # the driver and the file's schema as parsed
    driver_version: str | None
    model: str | None
    limits_recorded: bool  # whether a run.json recorded the load limits below
    max_requests: int | None  # run.json's request cap (None: none, or not recorded)
    max_seconds: float | None
    levels: list[LoadLevel]
    unused: list[str] = []  # other load-driver results in the folder, not used (parsers.load_results)


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy.percentile's default)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _distribution(b: Benchmark, attr: str, aggregate: str | None) -> Distribution:
    if b.rows_complete:
        values = [v for r in b.requests if r.status == "successful" and (v := getattr(r, attr)) is not None]
        if values:
            p50, p90, p99 = (percentile(values, p) for p in PERCENTILES)
            return Distribution(mean=sum(values) / len(values), p50=p50, p90=p90, p99=p99, n=len(values))
        return Distribution(mean=None, p50=None, p90=None, p99=None, n=0)
    mean = getattr(b.aggregates, aggregate) if b.aggregates is not None and aggregate else None
    return Distribution(mean=mean, p50=None, p90=None, p99=None, n=0)


def load_level(b: Benchmark) -> LoadLevel:
    ok = [r for r in b.requests if r.status == "successful"]
    tokens = [r.output_tokens for r in ok]
    if b.rows_complete:
        total = sum(t for t in tokens if t is not None) if ok and None not in tokens else None
    else:
        total = b.aggregates.output_tokens if b.aggregates else None
    return LoadLevel(
        label=load_label(b), data="per-request rows" if b.rows_complete else "driver aggregates", duration_s=b.duration_s,
        successful=b.totals.get("successful"), errored=b.totals.get("errored"), incomplete=b.totals.get("incomplete"),
        output_tokens=total, output_throughput=output_throughput(b), request_output_tps=request_output_tps(b),
        ttft_ms=_distribution(b, "ttft_ms", "mean_ttft_ms"), itl_ms=_distribution(b, "itl_ms", "mean_itl_ms"),
        tpot_ms=_distribution(b, "tpot_ms", "mean_tpot_ms"), latency_s=_distribution(b, "latency_s", "mean_latency_s"))


def _number(text: str | None, kind: type) -> float | int | None:
    try:
        return kind(text) if text not in (None, "") else None
    except ValueError:
        return None


def load_summary(run: LoadRun, max_requests: str | None = None, max_seconds: str | None = None,
                 recorded: bool = False) -> LoadSummary:
    """`max_requests` / `max_seconds`: run.json's text (`recorded`: there was a run.json config)."""
    cap = _number(max_requests, int)
    driver = run.schema if run.schema.startswith("vllm") else f"guidellm (JSON schema {run.schema})"
    return LoadSummary(path=run.path, driver=driver, driver_version=run.tool_version, model=run.model,
                       limits_recorded=recorded, max_requests=cap or None, max_seconds=_number(max_seconds, float),
                       levels=[load_level(b) for b in run.benchmarks])
