"""Issue 26: the fork/pipe scan pool is opt-in. Measured in one sitting on this 2-core machine kind
(docs/performance.md), it cost 19-23% more CPU and more wall time than one process on both the
dense and the sparse 1 GB log, so a log is scanned in-process unless SPECLENS_SCAN_WORKERS asks."""

from __future__ import annotations

import io

import pytest
import speclens.parsers.log_scan as log_scan
from speclens.parsers.log_scan import scan_lines


def test_default_is_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECLENS_SCAN_WORKERS", raising=False)
    monkeypatch.setattr(log_scan.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert log_scan._worker_count() == 0


@pytest.mark.parametrize(("value", "workers"), [("auto", 2), ("3", 3), ("0", 0), ("", 0), ("junk", 0)])
def test_workers_on_request(monkeypatch: pytest.MonkeyPatch, value: str, workers: int) -> None:
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", value)
    monkeypatch.setattr(log_scan.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)  # 2 usable CPUs
    assert log_scan._worker_count() == workers


def test_large_file_scanned_in_process_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path,
                                                  parallel_calls: list[int]) -> None:
    # every file counts as large (PARALLEL_MIN 0): still no worker is forked unless asked
    monkeypatch.delenv("SPECLENS_SCAN_WORKERS", raising=False)
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 0)
    path = tmp_path / "x.log"
    path.write_bytes(b"a\nSpecDecoding metrics: 1\nb\n")
    with io.FileIO(str(path), "rb") as stream:
        assert list(scan_lines(stream, (b" metrics:",))) == [(2, b"SpecDecoding metrics: 1")]
    assert parallel_calls == []
