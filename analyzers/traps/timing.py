"""Traps 10 and 12: what the clocks can and cannot tell.

10. A run shorter than one vLLM stats interval (VLLM_LOG_STATS_INTERVAL, 10 s by default in
    vllm/envs.py): its SpecDecoding log lines straddle the run's start and end, so the log cannot be
    scoped to the run (run.json's window); the /metrics delta is the only truth. Info when the run
    directory has the before/after scrapes (speclens then reports the delta as primary), a warning
    when it has not.
12. Streaming that did not stream: when half or more of a benchmark's requests (with more than one
    output token) got their first token within the last 10% of their latency, the tokens arrived in
    one burst: TTFT is nearly the whole request and ITL/TPOT are near 0 by construction, so the
    TTFT/ITL/TPOT comparison is an artefact (`speedup` then gives no verdict for them).
"""

from __future__ import annotations

from speclens.analyzers.acceptance.notice import Notice
from speclens.analyzers.traps.evidence import Evidence
from speclens.parsers.guidellm import Benchmark

LOG_INTERVAL_S = 10.0  # vLLM's VLLM_LOG_STATS_INTERVAL default (0.32: vllm/envs.py)
NOT_STREAMED = "streaming did not stream"  # why speedup gives TTFT/ITL/TPOT no verdict
BURST_SHARE = 0.9  # TTFT at least this share of the request's latency: its tokens came in one burst


def burst_requests(b: Benchmark) -> tuple[int, int]:
    """(requests whose TTFT is >= 90% of their latency, requests with TTFT, latency and > 1 output token)."""
    rows = [r for r in b.requests if r.status == "successful" and r.ttft_ms is not None and r.latency_s
            and (r.output_tokens or 0) > 1]
    burst = sum(r.ttft_ms >= BURST_SHARE * r.latency_s * 1000 for r in rows)  # type: ignore[operator]
    return burst, len(rows)


def did_not_stream(b: Benchmark) -> bool:
    burst, rows = burst_requests(b)
    return rows > 0 and 2 * burst >= rows


def stats_interval(ev: Evidence) -> tuple[float, str]:
    """The server's stats interval and where it comes from: run.json's `log_stats_interval_s` (recorded by
    run_eval.sh since issue 25), else vLLM's default."""
    recorded = ev.config.log_stats_interval_s if ev.config is not None else None
    if recorded:
        return recorded, "VLLM_LOG_STATS_INTERVAL, from run.json"
    return LOG_INTERVAL_S, "vLLM's default VLLM_LOG_STATS_INTERVAL; run.json does not record the one used"


def short_run(ev: Evidence) -> list[Notice]:
    interval, said = stats_interval(ev)
    if not (ev.has_log and ev.run_window) or ev.run_seconds is None or ev.run_seconds >= interval:
        return []
    use = ("the /metrics delta is the only truth, and speclens reports it as primary" if ev.counter_delta else
           "the /metrics delta is the only truth, and this run has no before/after scrape pair: rerun with them")
    return [Notice(level="info" if ev.counter_delta else "warning", code="trap-short-run", location=ev.where, message=(
        f"the load ran {ev.run_seconds:.1f} s, less than one vLLM stats interval ({interval:g} s, "
        f"{said}): the log's SpecDecoding lines cannot be scoped to the run; {use}"))]


def not_streamed(ev: Evidence) -> list[Notice]:
    out = []
    for b in ev.load.benchmarks if ev.load else []:
        if did_not_stream(b):
            burst, rows = burst_requests(b)
            out.append(Notice(level="warning", code="trap-not-streamed", location=ev.load.path, message=(
                f"benchmark {b.index}: streaming did not stream: {burst} of {rows} requests got their first token within "
                "the last 10% of their latency (tokens arrived in one burst), so TTFT, ITL and TPOT are artefacts; "
                "speedup gives them no verdict")))
    return out
