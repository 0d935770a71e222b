"""The speculative-thinking client measures honestly (issue 22): one time (the run's start) names the
file and fills `timestamp`, so the original's analysis example finds the file by its timestamp; both
servers (small and large) are warmed before the first timed request, and the JSON says how many
warm-up requests each got."""

from __future__ import annotations

import json
import time
from pathlib import Path

from speclens.clients.common.warmup import WARMUP_PROMPT
from speclens.clients.spec_thinking import cli as spec_thinking
from speclens.parsers.client_results import SpecThinkingResult, parse_client_result

from tests.clients.test_spec_thinking import files, pair  # noqa: F401  (fixtures)


def test_timestamp_is_the_start_time_that_names_the_file(files, pair, tmp_path, monkeypatch) -> None:  # noqa: F811
    _, _, urls = pair
    real = time.strftime
    ticks = iter(range(100))

    def ticking(fmt: str, *rest) -> str:  # every file-name stamp is one second later than the one before
        return f"20260101_0000{next(ticks):02d}" if fmt == "%Y%m%d_%H%M%S" and not rest else real(fmt, *rest)

    args = files()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "strftime", ticking)
    code = spec_thinking.main([*args, *urls, "--num-problems", "1", "--num-runs", "1", "--temperature", "0"])
    assert code == 0
    written = list(Path("benchmark_results").glob("speedup_benchmark_*.json"))
    assert len(written) == 1
    doc = json.loads(written[0].read_text())
    # the original's analysis: open(f"benchmark_results/speedup_benchmark_{timestamp}.json")
    assert written[0].name == f"speedup_benchmark_{doc['timestamp']}.json"
    assert doc["timestamp"] == "20260101_000000"  # the first stamp taken: the start


def test_both_servers_are_warmed_before_the_first_timed_request(files, pair, run_client) -> None:  # noqa: F811
    small, large, urls = pair
    code, out = run_client(spec_thinking.main, *files(), *urls, "--num-problems", "1", "--num-runs", "1",
                           "--temperature", "0", "--warmup", "3")
    assert code == 0 and out["config"]["warmup_requests"] == {"large": 3, "small": 3}
    for model in (small, large):
        warm = [bool(r.get("warmup")) for r in model.requests]
        # 3 warm-ups first, then the timed requests (each server answered at least one timed request)
        assert warm[:3] == [True] * 3 and len(warm) > 3 and not any(warm[3:]), (model.name, warm)
        assert all(r["prompt"] == WARMUP_PROMPT for r in model.requests[:3])
    typed = parse_client_result("st.json", out)
    assert isinstance(typed, SpecThinkingResult) and typed.config.warmup_requests == {"large": 3, "small": 3}


def test_large_only_warms_only_the_large_server(files, pair, run_client) -> None:  # noqa: F811
    small, large, urls = pair
    code, out = run_client(spec_thinking.main, *files(), "--large-url", urls[3], "--num-problems", "1",
                           "--num-runs", "1", "--test-mode", "large")
    # default --warmup 2: two discarded requests on the large server, none on the small one
    assert code == 0 and out["config"]["warmup_requests"] == {"large": 2}
    assert small.requests == [] and [bool(r.get("warmup")) for r in large.requests] == [True, True, False]


def test_a_file_without_warmup_requests_still_reads() -> None:
    old = {"client": "spec_thinking", "schema_version": 1, "timestamp": "20260105_143022", "config": {},
           "large_model": None, "speculative_thinking": None, "comparison": {}}
    assert parse_client_result("old.json", old).config.warmup_requests is None


def _section(latencies: list[float], timed_out: tuple[int, ...] = ()) -> dict:
    runs = [{"run": 0, "latency": lat, "throughput": 30 / lat, "timed_out": i in timed_out}
            for i, lat in enumerate(latencies)]
    return {"results": {str(i): {"runs": [r]} for i, r in enumerate(runs)}}


def test_speedup_interval_is_paired_over_runs_by_hand() -> None:
    from speclens.clients.spec_thinking.intervals import comparison_intervals

    # speedup = mean latency large / spec = 4 / 2 = 2; per run u = 1 - latency / mean latency:
    # spec [0.5, 0, -0.5], large 1 - [3, 4, 5] / 4 = [0.25, 0, -0.25]; d = [0.25, 0, -0.25], Var = 0.0625 / 3,
    # t(0.975, 2) = 4.302653 -> 2·e^±0.621037 = [1.0748, 3.7217]
    ci = comparison_intervals(_section([3, 4, 5]), _section([1, 2, 3]))
    assert (ci["speedup_interval"]["ci_low"], ci["speedup_interval"]["ci_high"]) == (1.0748, 3.7217)
    assert ci["speedup_interval"]["note"] == "paired over 3 runs"
    # throughput 30 / latency: spec [30, 15, 10] (mean 18.33), large [10, 7.5, 6] (mean 7.83): the interval holds
    # the point value 18.33 / 7.83 = 2.340
    t = ci["throughput_improvement_interval"]
    assert t["ci_low"] < 2.340 < t["ci_high"] and t["note"] == "paired over 3 runs"


def test_a_run_timed_out_in_one_mode_makes_the_samples_independent() -> None:
    from speclens.clients.spec_thinking.intervals import comparison_intervals

    ci = comparison_intervals(_section([3, 4, 5, 6]), _section([1, 2, 3, 9], timed_out=(3,)))
    assert ci["speedup_interval"]["note"] == "independent: 3 spec, 4 baseline requests"
    assert comparison_intervals(_section([3, 4, 5]), None) == {"speedup_interval": None,
                                                               "throughput_improvement_interval": None}
