"""Traps 5 and 9: what the server's own counters say about the run.

5. Data parallel: since vLLM 0.10 each engine's SpecDecoding line follows its `Engine 00N:` stats
   line, with no engine prefix of its own (vllm/v1/metrics/loggers.py, 0.32.0); the log fold
   attributes each line to the engine of the stats line before it (parsers.vllm_log), keeps the
   counts per engine and sums them. A log that holds the lines of fewer engines than the run's
   /metrics delta counted drafts on (an engine's lines filtered out, one engine's log only) gives
   totals of only part of the server: flagged (a warning), and the /metrics delta is the truth.
9. Prefix-cache hit share: vllm:prefix_cache_hits / vllm:prefix_cache_queries (both in tokens)
   over the run (the before/after scrapes). At or above HIGH_HIT_SHARE the prompts were largely
   served from the cache (repeated prompts or a long shared prefix): prefill cost, and so throughput
   and TTFT, are not those of fresh prompts, and a baseline and a spec run need not hit alike.
"""

from __future__ import annotations

from speclens.analyzers.acceptance.notice import Notice
from speclens.analyzers.traps.evidence import Evidence
from speclens.base.formulas import ratio

HIGH_HIT_SHARE = 0.5  # half or more of the prompt tokens came from the prefix cache


def partial_engines(ev: Evidence) -> list[Notice]:
    counted = ev.counter_engines
    if ev.log_engines is None or len(counted) < 2 or ev.log_engines >= len(counted):
        return []
    return [Notice(level="warning", code="trap-partial-engines", location=ev.where, message=(
        f"the log's SpecDecoding lines come from {ev.log_engines} engine(s), but the /metrics delta counted drafts on "
        f"{len(counted)} engines ({', '.join(counted)}): the log holds only part of a data-parallel server, so its "
        "totals are not the run's; use the /metrics delta (or the whole log, every Engine 00N: line kept)"))]


def prefix_cache_hits(ev: Evidence) -> list[Notice]:
    if ev.prefix_cache is None:
        return []
    hits, queries = ev.prefix_cache
    share = ratio(hits, queries)
    if share is None or share < HIGH_HIT_SHARE:
        return []
    return [Notice(level="warning", code="trap-prefix-cache-hits", location=ev.where, message=(
        f"{share:.0%} of the prompt tokens came from the prefix cache during the run ({hits} of {queries}, "
        "vllm:prefix_cache_hits / queries): repeated prompts or a shared prefix make prefill cheap, which inflates "
        "throughput and TTFT, and not alike for a baseline and a spec run; measure with distinct prompts "
        "(or --no-enable-prefix-caching on both servers)"))]
