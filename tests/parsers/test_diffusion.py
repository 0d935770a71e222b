"""Diffusion (dLLM) inputs: the DiffusionDecoding log line under every prefix, the vllm:diffusion_*
counters (per engine, deltas, resets) and vllm bench serve's diffusion keys and console block.

Every line here is produced by vLLM 0.32's own format strings (quoted in
fixtures/constructed/make_constructed.py from the installed wheel): constructed, not recorded.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from speclens.parsers import log_scan
from speclens.parsers.diffusion_line import DiffusionInterval, DiffusionLine, parse_diffusion
from speclens.parsers.vllm_log import read_vllm_log as read_log_records
from speclens.parsers.diffusion_scrape import diff_diffusion, parse_diffusion_scrape, read_diffusion_scrape
from speclens.parsers.errors import ParseError
from speclens.parsers.log_line import parse_line, parse_line_or_diffusion
from speclens.parsers.records import ServerStart, UnparsedSpecLine
from speclens.parsers.spec_line import LineError
from speclens.parsers.vllm_bench import bench_diffusion
from speclens.parsers.vllm_bench_console import parse_bench_console, read_bench_console
from speclens.parsers.vllm_log import read_vllm_log

from tests.conftest import CONSTRUCTED

LOG = CONSTRUCTED / "vllm-0.32.0-diffusion.log"
# vLLM's format string (vllm/v1/spec_decode/metrics.py, _log_diffusion), verbatim
FORMAT = ("DiffusionDecoding metrics: Committed token throughput: %.2f tokens/s, Mean denoising steps per canvas: %.2f, "
          "Mean tokens committed per denoising step: %.2f, Committed: %d tokens, Denoising steps: %d, "
          "Canvas positions evaluated: %d")


def test_the_format_string_reads_back_its_integers_and_rounded_values() -> None:
    # 48 committed in 30 steps over 120 positions in 10 s: 4.80 tok/s, 120/48 = 2.50, 48/30 = 1.60
    line = FORMAT % (4.8, 2.5, 1.6, 48, 30, 120)
    got = parse_diffusion(line[len("DiffusionDecoding metrics:"):])
    assert got == DiffusionLine(48, 30, 120, 4.8, 2.5, 1.6)


def test_nan_means_and_a_missing_or_damaged_field() -> None:
    got = parse_diffusion(" Committed token throughput: 0.00 tokens/s, Mean denoising steps per canvas: nan, "
                          "Mean tokens committed per denoising step: nan, Committed: 0 tokens, Denoising steps: 0, "
                          "Canvas positions evaluated: 0")
    assert got[:3] == (0, 0, 0) and math.isnan(got.steps_per_canvas) and math.isnan(got.committed_per_step)
    with pytest.raises(LineError, match="Denoising steps: N"):
        parse_diffusion(" Committed: 4 tokens, Canvas positions evaluated: 8")
    with pytest.raises(LineError, match="non-negative integer for 'committed'"):
        parse_diffusion(" Committed: 4.5 tokens, Denoising steps: 2, Canvas positions evaluated: 8")
    with pytest.raises(LineError, match=r"Committed \(9\) exceeds Canvas positions evaluated \(8\)"):
        parse_diffusion(" Committed: 9 tokens, Denoising steps: 2, Canvas positions evaluated: 8")


def test_the_spec_only_reader_is_unchanged_by_diffusion_lines() -> None:
    raw = LOG.read_bytes().splitlines()[2]
    assert b"DiffusionDecoding metrics:" in raw
    assert parse_line(raw) is None  # read_vllm_log's own line reader leaves it out, as before
    assert not any(type(r).__name__ == "StatsLoggingDisabled" for r in read_vllm_log(str(LOG)))


def test_every_prefix_style_is_placed_with_engine_segment_and_time() -> None:
    records = list(read_log_records(str(LOG)))
    assert isinstance(records[0], ServerStart) and records[0].vllm_version == "0.32.0"
    lines = [r for r in records if isinstance(r, DiffusionInterval)]
    # canonical prefix (engine 0), ANSI-coloured (engine 1), journald + VLLM_LOGGING_PREFIX (DEBUG, engine 0),
    # the 0.8-style prefix without a process tag (engine 0, nan means)
    assert [(r.lineno, r.engine, r.timestamp, r.committed, r.denoising_steps, r.canvas_positions) for r in lines] == [
        (3, 0, "06-01 12:00:10", 48, 30, 120), (5, 1, "06-01 12:00:10", 40, 24, 96),
        (7, 0, "06-01 12:00:20", 36, 27, 108), (9, 0, "06-01 12:00:30", 0, 0, 0)]
    assert {r.segment for r in lines} == {0}
    assert lines[0].committed_throughput == 4.8 and lines[1].committed_per_step == 1.67  # 40/24 = 1.666… printed 1.67


def test_an_engine_start_after_diffusion_lines_starts_a_new_segment(tmp_path: Path) -> None:
    text = LOG.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "two.log"
    path.write_text("\n".join(text[:3] + text[:3]) + "\n", encoding="utf-8")
    lines = [r for r in read_log_records(str(path)) if isinstance(r, DiffusionInterval)]
    assert [(r.lineno, r.segment) for r in lines] == [(3, 0), (6, 1)]


def test_an_unreadable_diffusion_line_is_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bad.log"
    path.write_text("(APIServer pid=1) INFO 06-01 12:00:10 [metrics.py:160] DiffusionDecoding metrics: "
                    "Committed: x tokens, Denoising steps: 2, Canvas positions evaluated: 8\n", encoding="utf-8")
    [rec] = read_log_records(str(path))
    assert isinstance(rec, UnparsedSpecLine) and rec.lineno == 1 and "integer for 'committed'" in rec.reason
    assert isinstance(parse_line_or_diffusion(path.read_bytes().rstrip()), tuple)


def test_the_parallel_scan_gives_the_same_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   parallel_calls: list[int]) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(LOG.read_bytes() * 40)  # 40 lifetimes of 9 lines
    serial = list(read_log_records(str(path)))
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 1)
    monkeypatch.setattr(log_scan, "PIECE", 4096)
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", "2")
    assert parallel_calls == []
    parallel = list(read_log_records(str(path)))
    assert parallel_calls == [2]  # the second read took the parallel path, with 2 workers
    assert repr(parallel) == repr(serial)  # repr: nan == nan
    assert sum(isinstance(r, DiffusionInterval) for r in serial) == 160  # 4 per lifetime


def test_counters_per_engine_with_and_without_total_and_created() -> None:
    text = ('vllm:diffusion_num_denoising_steps_total{engine="0",model_name="m"} 57.0\n'
            'vllm:diffusion_num_denoising_steps_created{engine="0",model_name="m"} 1700000000.0\n'
            'vllm:diffusion_num_canvas_positions{engine="0",model_name="m"} 228.0\n'
            'vllm:diffusion_num_committed_tokens_total{engine="0",model_name="m"} 84.0\n'
            'vllm:diffusion_num_committed_tokens_total{engine="1",model_name="m"} 40.0\n'
            'vllm:spec_decode_num_drafts_total{engine="0"} 9.0\n')
    scrape = parse_diffusion_scrape("x.prom", text)
    e0, e1 = scrape.engines["0"], scrape.engines["1"]
    assert (e0.committed, e0.denoising_steps, e0.canvas_positions) == (84, 57, 228)
    assert e0.created == {"denoising_steps": 1700000000.0}
    assert (e1.committed, e1.denoising_steps) == (40, None)
    total = scrape.total()
    assert (total.committed, total.denoising_steps, total.canvas_positions) == (124, 57, 228)  # 84 + 40


def test_deltas_and_a_reset() -> None:
    before = parse_diffusion_scrape("b", 'vllm:diffusion_num_committed_tokens_total{engine="0"} 100.0\n'
                                         'vllm:diffusion_num_denoising_steps_total{engine="0"} 80.0\n')
    after = parse_diffusion_scrape("a", 'vllm:diffusion_num_committed_tokens_total{engine="0"} 130.0\n'
                                        'vllm:diffusion_num_denoising_steps_total{engine="0"} 12.0\n')
    delta, resets = diff_diffusion(before, after)
    # committed 130 − 100 = 30; steps went 80 → 12: a restart, so the delta is the after value 12
    assert (delta.engines["0"].committed, delta.engines["0"].denoising_steps) == (30, 12)
    assert [(r.counter, r.before, r.after) for r in resets] == [("denoising_steps", 80, 12)]


def test_a_non_whole_counter_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "m.prom"
    path.write_text('vllm:diffusion_num_committed_tokens_total{engine="0"} 1.5\n', encoding="utf-8")
    with pytest.raises(ParseError, match="whole number"):
        read_diffusion_scrape(str(path))


def test_bench_json_keys_as_vllm_bench_defines_them() -> None:
    import json

    doc = json.loads((CONSTRUCTED / "vllm-0.32.0-diffusion-bench.json").read_text(encoding="utf-8"))
    got = bench_diffusion("r.json", doc)
    # S = 81, P = 324, C = 124: canvases = 124 / (324 / 81) = 31, steps excluding commit = 81 − 31 = 50
    assert got is not None and (got.committed_tokens, got.canvas_positions, got.denoising_steps_excluding_commit) == (
        124, 324, 50)
    assert got.committed_per_step == 124 / 50 and got.steps_per_canvas == 50 / 31 and got.committed_throughput == 124 / 30
    assert bench_diffusion("r.json", {"completed": 1}) is None
    with pytest.raises(ParseError, match="diffusion_denoising_steps"):
        bench_diffusion("r.json", {**doc, "diffusion_denoising_steps": "50"})


def test_bench_console_block() -> None:
    [run] = read_bench_console(str(CONSTRUCTED / "vllm-0.32.0-diffusion-bench.txt"))
    d = run.diffusion
    assert run.spec is None and d is not None and d.lineno == 5
    assert (d.committed_tokens, d.denoising_steps_excluding_commit, d.canvas_positions) == (124, 50, 324)
    assert (d.committed_throughput, d.steps_per_canvas, d.committed_per_step) == (4.13, 1.61, 2.48)  # as printed
    with pytest.raises(ParseError, match="c.log:3: expected an integer"):
        parse_bench_console("c.log", "=== Serving Benchmark Result ===\n------Diffusion Decoding------\n"
                                     "Committed tokens:    12x\n")
