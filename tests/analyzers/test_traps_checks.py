"""Issue 25: the trap checks as pure functions of `Evidence`, with hand-computed values."""

from __future__ import annotations

import json

from speclens.analyzers.traps.evidence import Evidence
from speclens.analyzers.traps.samples import few_drafts, few_requests
from speclens.analyzers.traps.sampling import drafting_method
from speclens.analyzers.traps.timing import burst_requests, did_not_stream, short_run
from speclens.parsers.guidellm import Benchmark, LoadRun, RequestRow
from speclens.parsers.run_dir import RunConfig


def row(ttft_ms: float, latency_s: float, tokens: int = 128) -> RequestRow:
    return RequestRow(status="successful", start=0.0, latency_s=latency_s, ttft_ms=ttft_ms, itl_ms=None, tpot_ms=None,
                      prompt_tokens=64, output_tokens=tokens, output_tps=None, tokens_per_iteration=None)


def run(rows: list[RequestRow], successful: int | None = None, duration: float = 20.0) -> LoadRun:
    b = Benchmark(index=0, strategy="concurrent", rate=2.0, duration_s=duration,
                  totals={"successful": len(rows) if successful is None else successful}, requests=rows)
    return LoadRun(path="g.json", schema="0.8", tool_version="0.8.1", model="m", benchmarks=[b])


def config(**values: object) -> RunConfig:
    return RunConfig(method="draft_model", **values)


def test_burst_rule_half_or_more() -> None:
    # 272.7 of 273.8 ms: 99.6% >= 90% (a burst); 32.5 of 311.9 ms: 10% (streamed); 1-token rows do not count
    b = run([row(272.7, 0.2738), row(32.5, 0.3119), row(50.0, 0.050, tokens=1)]).benchmarks[0]
    assert burst_requests(b) == (1, 2)
    assert did_not_stream(b)  # 2·1 >= 2
    assert not did_not_stream(run([row(272.7, 0.2738), row(32.5, 0.3119), row(30.0, 0.3)]).benchmarks[0])  # 2 < 3


def test_few_drafts_says_how_many_are_needed() -> None:
    # p = 30/50 = 0.6: half-width 1.96·sqrt(0.24/50) = 0.1358 > 0.10; ±0.10 needs ceil(3.8416·0.24/0.01) = ceil(92.20)
    # = 93, ±0.05 needs ceil(3.8416·0.24/0.0025) = ceil(368.79) = 369
    notice = few_drafts(Evidence(where="d", draft_tokens=50, accepted_tokens=30))[0]
    assert notice.level == "warning" and "±0.136" in notice.message
    assert "±0.10 needs >= 93 draft tokens and ±0.05 >= 369" in notice.message
    # 100 drafts, 60 accepted: 1.96·sqrt(0.24/100) = 0.0960 <= 0.10: quiet
    assert few_drafts(Evidence(where="d", draft_tokens=100, accepted_tokens=60)) == []
    # 1620 drafts, 995 accepted (summary-sync): p = 0.6142, half-width 1.96·sqrt(0.6142·0.3858/1620) = 0.0237: quiet
    assert few_drafts(Evidence(where="d", draft_tokens=1620, accepted_tokens=995)) == []


def test_few_requests_names_the_percentiles() -> None:
    assert "p90 and p99" in few_requests(Evidence(where="d", load=run([row(10, 0.3)] * 9)))[0].message  # 9 < 10
    assert "p90 and p99" not in few_requests(Evidence(where="d", load=run([row(10, 0.3)] * 12)))[0].message
    assert few_requests(Evidence(where="d", load=run([row(10, 0.3)] * 100))) == []  # 100: p99 is defined


def test_drafting_at_temperature_worded_per_version() -> None:
    spec = json.dumps({"method": "draft_model", "num_speculative_tokens": 3})
    default = drafting_method(Evidence(where="d", config=config(temperature=0.7, speculative_config=spec,
                                                                    vllm_version="0.32.0")))
    assert [n.code for n in default] == ["trap-greedy-drafting"]
    assert "draft_sample_method not set: vLLM's default greedy" in default[0].message
    old = drafting_method(Evidence(where="d", config=config(temperature=0.7, vllm_version="0.31.1")))
    assert "vLLM 0.31.1 drafts with argmax (PR #16899)" in old[0].message
    sampled = json.dumps({"method": "draft_model", "draft_sample_method": "probabilistic"})
    assert drafting_method(Evidence(where="d", config=config(temperature=0.7, speculative_config=sampled))) == []
    assert drafting_method(Evidence(where="d", config=config(temperature=0.0))) == []
    assert drafting_method(Evidence(where="d", config=RunConfig(method="ngram", temperature=1.0))) == []
    fly = json.dumps({"method": "eagle3", "rejection_sample_method": "fly"})
    assert [n.code for n in drafting_method(Evidence(where="d", config=config(speculative_config=fly)))] == [
        "trap-lossy-verification"]
    rates = json.dumps({"method": "eagle3", "synthetic_acceptance_rates": [0.8, 0.6]})
    assert [n.level for n in drafting_method(Evidence(where="d", config=config(speculative_config=rates)))] == ["error"]


def test_short_run_only_with_a_run_window_and_a_log() -> None:
    from speclens.parsers.server_hints import ServerHints

    hints = ServerHints(path="vllm_server.log")
    ev = dict(where="d", config=config(), hints=hints, manifest_started=True, run_seconds=3.5)
    assert short_run(Evidence(**ev, counter_delta=True))[0].level == "info"  # the delta is primary
    assert short_run(Evidence(**ev))[0].level == "warning"  # no before/after pair
    assert short_run(Evidence(**{**ev, "run_seconds": 10.0})) == []  # 10 s: one whole interval
    assert short_run(Evidence(**{**ev, "manifest_started": False})) == []  # no run window to scope to


def test_short_run_uses_the_stats_interval_run_json_records() -> None:
    from speclens.parsers.server_hints import ServerHints

    hints = ServerHints(path="vllm_server.log")
    ev = dict(where="d", hints=hints, manifest_started=True, counter_delta=True)
    # run_eval.sh's servers log every 5 s (VLLM_LOG_STATS_INTERVAL=5): a 7 s load holds a whole interval
    assert short_run(Evidence(**ev, config=config(log_stats_interval_s=5), run_seconds=7.0)) == []
    # 3 s < 5 s: the notice names the recorded interval, not vLLM's default 10
    notice = short_run(Evidence(**ev, config=config(log_stats_interval_s=5), run_seconds=3.0))[0]
    assert "(5 s, VLLM_LOG_STATS_INTERVAL, from run.json)" in notice.message
    # nothing recorded: vLLM's default 10 s, said to be the default
    notice = short_run(Evidence(**ev, config=config(), run_seconds=7.0))[0]
    assert "(10 s, vLLM's default" in notice.message
