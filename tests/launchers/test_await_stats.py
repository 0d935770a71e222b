"""cells::await_stats (launchers/lib_cells.sh): after a cell's load, wait for vLLM's stats line of an idle
interval ("Avg generation throughput: 0.0 tokens/s") past the load's end, instead of sleeping two stats
intervals every time; bounded, so a server that never logs it costs the old fixed wait."""

from __future__ import annotations

import time
from pathlib import Path

from tests.launchers.test_lib_plumbing import bash

IDLE = "(APIServer pid=1) INFO 12-07 12:43:02 [loggers.py:259] Engine 000: Avg prompt throughput: 0.0 tokens/s, " \
       "Avg generation throughput: 0.0 tokens/s, Running: 0 reqs, Waiting: 0 reqs\n"
BUSY = IDLE.replace("Avg generation throughput: 0.0", "Avg generation throughput: 41.2")


def waited(tmp_path: Path, before: str, after: str, bound: int) -> tuple[float, str]:
    """Seconds cells::await_stats took when the log holds `before` at the load's end and `after` is appended
    0.5 s later; and its stderr."""
    log = tmp_path / "vllm_server.log"
    log.write_text(before)
    script = (f'LOG={log}\ncells::log_size "$LOG"\n'
              f'( sleep 0.5; printf %s {repr(after)} >>"$LOG" ) &\n'
              f'cells::await_stats "$LOG" "$LOG_OFFSET" {bound}\nwait\n')
    start = time.monotonic()
    done = bash(script, tmp_path, source="launchers/lib_cells.sh")
    assert done.returncode == 0, done.stderr
    return time.monotonic() - start, done.stderr


def test_it_returns_once_an_idle_interval_is_logged_after_the_load(tmp_path: Path) -> None:
    # the busy line then the idle line arrive 0.5 s after the load's end: the wait ends within the next
    # 0.5 s poll, far below the 20 s bound (the old code slept 2 intervals + 1 s whatever happened)
    seconds, err = waited(tmp_path, BUSY, BUSY + IDLE, bound=20)
    assert seconds < 10, (seconds, err)


def test_an_idle_line_from_before_the_load_ended_does_not_count(tmp_path: Path) -> None:
    # the idle line is already in the log before the offset and only a busy line follows: the last
    # interval has not been logged as idle yet, so it waits the whole bound (2 s; SECONDS counts whole seconds)
    seconds, err = waited(tmp_path, IDLE, BUSY, bound=2)
    assert seconds >= 1.0, (seconds, err)


def test_a_log_without_stats_lines_costs_the_bound_and_nothing_fails(tmp_path: Path) -> None:
    seconds, err = waited(tmp_path, "starting\n", "still nothing\n", bound=2)
    assert 1.0 <= seconds < 10, (seconds, err)
