"""Load-driver results as one tidy per-request table (polars) plus per-benchmark summaries.

Columns: run, benchmark, strategy, rate, status, start, latency_s, ttft_ms, itl_ms, tpot_ms,
prompt_tokens, output_tokens, output_tps, tokens_per_iteration. Summaries are over successful
requests; each statistic's weighting is in its name (`mean_` = request-weighted mean).
"""

from __future__ import annotations

from dataclasses import asdict

from speclens.parsers.guidellm import LoadRun

METRICS = ("latency_s", "ttft_ms", "itl_ms", "tpot_ms", "output_tps", "tokens_per_iteration")


def requests_frame(runs: list[LoadRun]):  # noqa: ANN201 - polars.DataFrame, imported lazily
    """One row per request of every benchmark of every run."""
    import polars as pl

    rows = [
        {"run": run.path, "benchmark": b.index, "strategy": b.strategy, "rate": b.rate, **asdict(r)}
        for run in runs for b in run.benchmarks for r in b.requests
    ]
    schema = {"run": pl.Utf8, "benchmark": pl.Int64, "strategy": pl.Utf8, "rate": pl.Float64, "status": pl.Utf8,
              "start": pl.Float64, "latency_s": pl.Float64, "ttft_ms": pl.Float64, "itl_ms": pl.Float64,
              "tpot_ms": pl.Float64, "prompt_tokens": pl.Int64, "output_tokens": pl.Int64, "output_tps": pl.Float64,
              "tokens_per_iteration": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def benchmark_summaries(frame):  # noqa: ANN001, ANN201 - polars in, polars out
    """Per (run, benchmark): request counts by status, and over successful requests the mean and
    median of each metric, total output tokens and the output tokens per second of the whole
    benchmark window (Σ output tokens / (last end − first start))."""
    import polars as pl

    ok = frame.filter(pl.col("status") == "successful")
    stats = [pl.col(m).mean().alias(f"mean_{m}") for m in METRICS] + [
        pl.col(m).median().alias(f"median_{m}") for m in METRICS]
    window = (pl.col("start") + pl.col("latency_s")).max() - pl.col("start").min()
    summary = ok.group_by(["run", "benchmark", "strategy", "rate"], maintain_order=True).agg(
        *stats, pl.len().alias("successful"), pl.col("output_tokens").sum().alias("output_tokens"),
        (pl.col("output_tokens").sum() / window).alias("window_output_tps"))
    counts = frame.group_by(["run", "benchmark"], maintain_order=True).agg(
        (pl.col("status") == "errored").sum().alias("errored"),
        (pl.col("status") == "incomplete").sum().alias("incomplete"))
    return summary.join(counts, on=["run", "benchmark"], how="left")
