"""analyzers/speedup/run_load.py and its table in `speclens report`: what the load driver measured, with
hand-computed values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from speclens.analyzers.render.run_dir import load_table, render_run_dir_text
from speclens.analyzers.run_dir_report import build_run_dir_report
from speclens.analyzers.speedup.run_load import load_level, load_summary, percentile
from speclens.parsers.guidellm import Benchmark, LoadRun, RequestRow
from speclens.parsers.load_config import DriverAggregates

from tests.conftest import RECORDED


def row(status: str, latency: float, ttft: float, itl: float, tokens: int) -> RequestRow:
    return RequestRow(status=status, start=0.0, latency_s=latency, ttft_ms=ttft, itl_ms=itl, tpot_ms=itl + 1,
                      prompt_tokens=8, output_tokens=tokens, output_tps=tokens / latency, tokens_per_iteration=None)


ROWS = [row("successful", 1.0, 10, 2, 100), row("successful", 2.0, 20, 4, 100), row("successful", 4.0, 30, 6, 200),
        row("successful", 5.0, 40, 8, 100), row("errored", 0.5, 99, 99, 0)]


def bench(rows: list[RequestRow] = ROWS, aggregates: DriverAggregates | None = None) -> Benchmark:
    return Benchmark(index=0, strategy="concurrent", rate=2.0, duration_s=10.0,
                     totals={"successful": 4, "errored": 1, "incomplete": 0}, requests=rows, aggregates=aggregates)


def test_percentiles_interpolate_linearly_between_closest_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    # sorted 10 20 30 40; rank = 3 * p / 100: p50 -> 1.5 -> 20 + 0.5*10; p90 -> 2.7 -> 30 + 0.7*10; p99 -> 2.97
    assert [percentile(values, p) for p in (50, 90, 99)] == [25.0, 37.0, 39.7]
    assert percentile([7.0], 99) == 7.0


def test_a_level_from_per_request_rows() -> None:
    lv = load_level(bench())
    assert (lv.label, lv.data, lv.successful, lv.errored, lv.incomplete) == \
        ("concurrent streams=2", "per-request rows", 4, 1, 0)
    assert lv.output_tokens == 500  # 100 + 100 + 200 + 100, the errored request left out
    assert lv.output_throughput == 50.0  # 500 tokens / 10 s
    assert lv.request_output_tps == 55.0  # mean(100/1, 100/2, 200/4, 100/5) = (100 + 50 + 50 + 20) / 4
    assert (lv.ttft_ms.mean, lv.ttft_ms.p50, lv.ttft_ms.p90, lv.ttft_ms.n) == (25.0, 25.0, 37.0, 4)
    assert (lv.itl_ms.mean, lv.tpot_ms.mean) == (5.0, 6.0)  # (2+4+6+8)/4; TPOT = ITL + 1 here
    assert (lv.latency_s.mean, lv.latency_s.p50) == (3.0, 3.0)  # (1+2+4+5)/4; (2+4)/2


def test_without_complete_rows_the_drivers_means_and_no_percentiles() -> None:
    aggregates = DriverAggregates(successful=4, output_tokens=480, mean_ttft_ms=21.5, mean_itl_ms=3.25,
                                  mean_latency_s=2.5)
    lv = load_level(bench(rows=ROWS[:2], aggregates=aggregates))  # 2 rows of 4 counted: a sample
    assert lv.data == "driver aggregates" and lv.output_tokens == 480
    assert lv.output_throughput == 48.0  # 480 tokens / 10 s
    assert (lv.ttft_ms.mean, lv.ttft_ms.p50, lv.ttft_ms.p99) == (21.5, None, None)
    assert (lv.tpot_ms.mean, lv.tpot_ms.p90) == (None, None)  # the driver gave no TPOT mean


def test_the_run_json_limits_reach_the_summary() -> None:
    run = LoadRun(path="r.json", schema="0.8", tool_version="0.8.1", model="m", benchmarks=[bench()])
    summary = load_summary(run, "20", "600", recorded=True)
    assert (summary.max_requests, summary.max_seconds, summary.driver) == (20, 600.0, "guidellm (JSON schema 0.8)")
    assert load_summary(run, "0", "600", recorded=True).max_requests is None  # 0 = no cap


def test_the_report_shows_the_load_of_both_phases(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(RECORDED / "draft-greedy", run)
    shutil.copytree(RECORDED / "base-greedy", run / "baseline")
    (run / "run.json").write_text(json.dumps({"schema_version": 1, "config": {"max_requests": "20",
                                                                              "max_seconds": "600"}}))
    report = build_run_dir_report(str(run), None)
    assert report.load is not None and report.baseline_load is not None
    spec = report.load.levels[0]
    doc = json.loads((run / "guidellm_results.json").read_text())["benchmarks"][0]
    tokens = sum(r["output_tokens"] for r in doc["requests"]["successful"])
    assert spec.output_tokens == tokens and spec.output_throughput == tokens / doc["duration"]
    table = load_table(report)
    assert table is not None and table.headers == ["metric", "speculative: synchronous", "baseline: synchronous"]
    assert table.rows[1] == ["requests successful", "20", "20"] and table.rows[2] == ["requests errored", "0", "0"]
    assert "load limits (run.json): duration 600 s, at most 20 requests" in table.notes[0]
    text = render_run_dir_text(report)
    assert "Load driver: what the server delivered" in text and "None" not in repr(table.rows)


def test_an_unreadable_load_file_is_one_line_in_the_report_not_a_failure(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(RECORDED / "draft-greedy", run)
    (run / "guidellm_results.json").write_text('{"benchmarks": [')  # truncated
    report = build_run_dir_report(str(run), None)
    assert report.load is None and report.load_errors == [
        f"{run}/guidellm_results.json:1: invalid JSON (Expecting value); the file is truncated or not JSON"]
    table = load_table(report)
    assert table is not None and table.rows == [[report.load_errors[0]]]
    assert report.acceptance.targets[0].sources  # the acceptance numbers are still there
