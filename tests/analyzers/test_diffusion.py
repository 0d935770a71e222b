"""The diffusion section of `speclens acceptance` (and its compare note) on the constructed
DiffusionGemma fixtures (vLLM 0.32 format strings; see fixtures/constructed/make_constructed.py).

The fixture log: 4 intervals, (committed, steps, positions, printed tok/s) = engine 0 (48, 30, 120,
4.80) at 12:00:10, engine 1 (40, 24, 96, 4.00) at 12:00:10, engine 0 (36, 27, 108, 3.60) at 12:00:20,
engine 0 (0, 0, 0, 0.00) at 12:00:30. Sums: committed 124, steps 81, positions 324; engine 0:
84 / 57 / 228, engine 1: 40 / 24 / 96. The scrapes: before all 0, after = those sums per engine.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Report, Window
from speclens.analyzers.compare.row import summarize
from speclens.analyzers.render.machine import render_csv, render_json
from speclens.analyzers.render.tables import report_tables

from tests.conftest import CONSTRUCTED, RECORDED


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run = tmp_path / "diffusion-run"
    run.mkdir()
    shutil.copy(CONSTRUCTED / "vllm-0.32.0-diffusion.log", run / "vllm_server.log")
    shutil.copy(CONSTRUCTED / "vllm-0.32.0-diffusion-metrics_before.prom", run / "metrics_before.prom")
    shutil.copy(CONSTRUCTED / "vllm-0.32.0-diffusion-metrics_after.prom", run / "metrics_after.prom")
    return run


def test_log_and_delta_agree_exactly(run_dir: Path) -> None:
    [t] = build_report([str(run_dir)], Window()).targets
    d = t.diffusion
    assert d is not None and d.primary == "diffusion:metrics_delta" and t.sources == []
    delta, log = d.sources
    for s in (delta, log):
        assert (s.counts.committed_tokens, s.counts.denoising_steps, s.counts.canvas_positions) == (124, 81, 324)
        assert s.metrics.committed_per_step == pytest.approx(124 / 81)  # 1.5309
        assert s.metrics.steps_per_canvas == pytest.approx(324 / 124)  # 2.6129
        assert s.metrics.canvas_positions_per_step == 4.0  # 324 / 81: the canvas is 4 wide
        assert {k: (c.committed_tokens, c.denoising_steps, c.canvas_positions) for k, c in s.per_engine.items()} == {
            "0": (84, 57, 228), "1": (40, 24, 96)}
    # the log's throughput: each interval's seconds = committed / printed rate = 48/4.80 = 40/4.00 = 36/3.60 = 10 s;
    # the 0-token interval has no recoverable length: 124 / 30 s
    assert log.metrics.committed_throughput == pytest.approx(124 / 30) and log.intervals_used == 4
    assert "3 logged interval(s)" in (log.metrics.committed_throughput_basis or "")
    assert delta.metrics.committed_throughput is None and "no time span" in (delta.metrics.committed_throughput_basis or "")
    [agreement] = d.agreements
    assert (agreement.committed_tokens_diff, agreement.canvas_positions_diff, agreement.denoising_steps_diff,
            agreement.agree) == (0, 0, 0, True)
    [notice] = [n for n in t.notices if n.code == "no-spec-data"]
    assert notice.level == "info" and "diffusion section" in notice.message


def test_the_window_and_skip_first_apply_to_diffusion_lines(run_dir: Path) -> None:
    [t] = build_report([str(run_dir)], Window(since="06-01 12:00:15")).targets
    log = t.diffusion.source("diffusion:log:0")  # type: ignore[union-attr]
    # from 12:00:15: the engine-0 interval at 12:00:20 (36, 27, 108) and the empty one at 12:00:30
    assert (log.counts.committed_tokens, log.counts.denoising_steps, log.counts.canvas_positions) == (36, 27, 108)
    [agreement] = t.diffusion.agreements  # type: ignore[union-attr]
    assert (agreement.committed_tokens_diff, agreement.agree) == (36 - 124, False)
    assert "--since/--until/--skip-first" in agreement.note
    [t] = build_report([str(run_dir)], Window(skip_first=2)).targets
    log = t.diffusion.source("diffusion:log:0")  # type: ignore[union-attr]
    assert (log.counts.committed_tokens, log.intervals_used) == (36, 2)  # the first two lines skipped


def test_a_delta_across_a_restart_is_a_warning(run_dir: Path) -> None:
    (run_dir / "metrics_before.prom").write_text('vllm:diffusion_num_committed_tokens_total{engine="0"} 500.0\n',
                                                 encoding="utf-8")
    [t] = build_report([str(run_dir)], Window()).targets
    delta = t.diffusion.source("diffusion:metrics_delta")  # type: ignore[union-attr]
    assert delta.counts.committed_tokens == 124  # engine 0: 84 < 500, so its after value; engine 1: 40
    assert [n.level for n in t.notices if n.code == "diffusion-counter-reset"] == ["warning"]


def test_bench_json_and_console_keep_vllm_bench_definitions() -> None:
    report = build_report([str(CONSTRUCTED / "vllm-0.32.0-diffusion-bench.json"),
                           str(CONSTRUCTED / "vllm-0.32.0-diffusion-bench.txt")], Window())
    js, console = (t.diffusion.sources[0] for t in report.targets)  # type: ignore[union-attr]
    for s in (js, console):
        assert (s.counts.committed_tokens, s.counts.denoising_steps, s.counts.canvas_positions) == (124, 50, 324)
        assert s.counts.steps_from.startswith("vllm bench") and s.metrics.canvas_positions_per_step is None
    assert (js.kind, js.metrics.committed_per_step) == ("bench_serve", 124 / 50)
    assert (console.kind, console.metrics.committed_per_step, console.metrics.steps_per_canvas) == ("bench_console", 2.48, 1.61)


def test_spec_runs_have_no_diffusion_section_and_no_diffusion_notice() -> None:
    [t] = build_report([str(RECORDED / "draft-greedy")], Window()).targets
    assert t.diffusion is None and not any("diffusion" in n.code for n in t.notices)
    text = "\n".join(table.title for table in report_tables(build_report([str(RECORDED / "draft-greedy")], Window())))
    assert "diffusion" not in text


def test_json_round_trip_csv_table_and_compare_note(run_dir: Path) -> None:
    report = build_report([str(run_dir)], Window())
    again = Report.model_validate_json(render_json(report))
    assert again.targets[0].diffusion == report.targets[0].diffusion
    _, diffusion_part = render_csv(report).split("\n\n")
    rows = list(csv.DictReader(io.StringIO(diffusion_part)))
    assert [(r["source"], r["committed_tokens"], r["primary"]) for r in rows] == [
        ("diffusion:metrics_delta", "124", "True"), ("diffusion:log:0", "124", "False")]
    assert rows[0]["committed_throughput"] == ""  # undefined: an empty cell, never 0
    row = summarize(str(run_dir))
    assert row.method == "diffusion" and any("committed/step 1.531" in n for n in row.notes)  # 124 / 81
    assert json.loads(render_json(report))["targets"][0]["diffusion"]["primary"] == "diffusion:metrics_delta"


def test_the_legacy_layout_says_where_the_diffusion_numbers_are() -> None:
    from speclens.analyzers.render.legacy import LegacyUnavailable, render_legacy

    with pytest.raises(LegacyUnavailable, match="its diffusion counters are shown by every other format"):
        render_legacy(build_report([str(CONSTRUCTED / "vllm-0.32.0-diffusion.log")], Window()))
