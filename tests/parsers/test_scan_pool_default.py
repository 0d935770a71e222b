"""Issue 26: the fork/pipe scan pool is on by default (`auto`: one worker per usable CPU) for large plain
logs. Measured on this 2-core machine kind while it was idle (docs/performance.md, 1 GB, page-cached) it
cut the wall time 22% dense and 6% sparse for 17-26% more CPU; SPECLENS_SCAN_WORKERS=0 scans in-process
(a machine whose cores are busy: there the pool was slower)."""

from __future__ import annotations

import io

import pytest
import speclens.parsers.log_scan as log_scan
from speclens.parsers.log_scan import scan_lines


def test_default_is_one_worker_per_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECLENS_SCAN_WORKERS", raising=False)
    monkeypatch.setattr(log_scan.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert log_scan._worker_count() == 2


def test_no_worker_on_one_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECLENS_SCAN_WORKERS", raising=False)
    monkeypatch.setattr(log_scan.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert log_scan._worker_count() == 0


@pytest.mark.parametrize(("value", "workers"), [("auto", 2), ("3", 3), ("0", 0), ("", 2), ("junk", 0)])
def test_workers_on_request(monkeypatch: pytest.MonkeyPatch, value: str, workers: int) -> None:
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", value)
    monkeypatch.setattr(log_scan.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)  # 2 usable CPUs
    assert log_scan._worker_count() == workers


def test_large_file_uses_the_pool_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path,
                                             parallel_calls: list[int]) -> None:
    # every file counts as large (PARALLEL_MIN 0), 2 usable CPUs: the pool scans it
    monkeypatch.delenv("SPECLENS_SCAN_WORKERS", raising=False)
    monkeypatch.setattr(log_scan.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 0)
    path = tmp_path / "x.log"
    path.write_bytes(b"a\nSpecDecoding metrics: 1\nb\n")
    with io.FileIO(str(path), "rb") as stream:
        assert list(scan_lines(stream, (b" metrics:",))) == [(2, b"SpecDecoding metrics: 1")]
    assert parallel_calls == [2]


def test_zero_scans_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path, parallel_calls: list[int]) -> None:
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", "0")
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 0)
    path = tmp_path / "x.log"
    path.write_bytes(b"a\nSpecDecoding metrics: 1\nb\n")
    with io.FileIO(str(path), "rb") as stream:
        assert list(scan_lines(stream, (b" metrics:",))) == [(2, b"SpecDecoding metrics: 1")]
    assert parallel_calls == []
