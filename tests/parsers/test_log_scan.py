"""parsers.log_scan: exact line numbers across 1 MiB blocks, gzip by magic bytes, overlong lines."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from speclens.parsers import log_scan
from speclens.parsers.log_scan import is_gzip, open_log, scan_lines

from .lines import BIG_MARKED, SPEC_155, api, big_log, padded

MARKERS = (b"SpecDecoding metrics:", b"Avg prompt throughput:")
MiB = 1 << 20


def scan(data: bytes, markers: tuple[bytes, ...] = MARKERS) -> list[tuple[int, bytes | None]]:
    return list(scan_lines(io.BytesIO(data), markers))


@pytest.fixture(autouse=True, params=["simd", "bytes"])
def search_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs with the stringzilla search and with plain bytes methods."""
    monkeypatch.setenv("SPECLENS_SIMD", "1" if request.param == "simd" else "0")
    return request.param


def test_the_simd_backend_is_installed_and_used(search_backend: str) -> None:
    # a declared dependency: if it went missing, half of this file would silently test bytes twice
    assert log_scan._SimdStr is not None
    assert (log_scan._simd_view() is None) == (search_backend == "bytes")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"", b"x", b"\n", b"\r\n", b"SpecDecoding metrics:", b"Avg prompt throughput:",
                                 b"Spec", b"metrics:", b"\xff\xfe", b"y" * 700]), max_size=60))
def test_both_backends_find_the_same_lines(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPECLENS_SIMD", "0")
        plain = scan(data)
        patch.setenv("SPECLENS_SIMD", "1")
        assert scan(data) == plain


def test_big_log_line_numbers_across_block_boundaries() -> None:
    data = big_log()
    assert len(data) == 8388 * 500 + 499  # 4_194_499 bytes: four full blocks + 195
    # line 6292 spans bytes 3_145_500..3_145_998; its marker starts at byte 223 of the line, the 3 MiB
    # boundary (3_145_728) is byte 228 of it: the block boundary cuts the marker itself.
    assert data[3 * MiB - 5 : 3 * MiB + 16] == b"SpecDecoding metrics:"
    hits = scan(data)
    assert [n for n, _ in hits] == [1, 2, 2098, 2099, 6292, 8389]
    for n, line in hits:
        assert line == padded(BIG_MARKED[n]).encode()


def test_on_chunk_sees_the_whole_stream_in_blocks() -> None:
    data = big_log()
    chunks: list[bytes] = []
    list(scan_lines(io.BytesIO(data), MARKERS, chunks.append))
    assert [len(c) for c in chunks] == [MiB, MiB, MiB, MiB, 195]  # 4_194_499 - 4 x 1_048_576 = 195
    assert b"".join(chunks) == data


def test_markers_on_lines_1_and_2_and_hits_on_one_line_count_once() -> None:
    data = (api(SPEC_155) + "\n" + "Avg prompt throughput: 1 SpecDecoding metrics: x\n").encode()
    assert [n for n, _ in scan(data)] == [1, 2]


def test_last_line_without_newline() -> None:
    data = b"a\nb\nSpecDecoding metrics: tail"
    assert scan(data) == [(3, b"SpecDecoding metrics: tail")]


def test_crlf_lines_keep_their_cr_and_their_numbers() -> None:
    data = b"x\r\nSpecDecoding metrics: a\r\ny\r\nSpecDecoding metrics: b\r\n"
    assert scan(data) == [(2, b"SpecDecoding metrics: a\r"), (4, b"SpecDecoding metrics: b\r")]


def test_empty_stream() -> None:
    assert scan(b"") == []


def test_no_marker_no_hits() -> None:
    assert scan(b"a\n" * 1000) == []


def overlong(length: int, marker_at: int = 0) -> bytes:
    """A line of `length` bytes (without its newline) carrying the spec marker at `marker_at`."""
    body = bytearray(b"x" * length)
    body[marker_at : marker_at + 21] = b"SpecDecoding metrics:"
    return bytes(body)


def test_overlong_line_is_none_and_next_line_keeps_its_number() -> None:
    data = b"SpecDecoding metrics: one\nfiller\n" + overlong(3 * MiB) + b"\nSpecDecoding metrics: four\n"
    assert scan(data) == [(1, b"SpecDecoding metrics: one"), (3, None), (4, b"SpecDecoding metrics: four")]


def test_overlong_line_with_marker_split_by_the_trim_point() -> None:
    # line 1 is 3 MiB; the marker starts 10 bytes before byte 2 MiB, where the reader trims to its
    # 64-byte overlap: it must still be seen.
    data = overlong(3 * MiB, marker_at=2 * MiB - 10) + b"\nSpecDecoding metrics: two"
    assert scan(data) == [(1, None), (2, b"SpecDecoding metrics: two")]


def test_overlong_line_without_first_marker_is_skipped() -> None:
    # only markers[0] makes an overlong line reportable; another marker in it is dropped
    data = b"a\n" + b"Avg prompt throughput:" + b"y" * (3 * MiB) + b"\nb\nAvg prompt throughput: 2\n"
    assert scan(data) == [(4, b"Avg prompt throughput: 2")]


def test_overlong_last_line_without_newline() -> None:
    data = b"a\n" + overlong(2 * MiB + 5, marker_at=MiB)
    assert scan(data) == [(2, None)]


@pytest.mark.parametrize("before",
                         [b"", b"a\n", b"a" * 99 + b"\n", b"a" * (MiB - 10) + b"\n", b"a" * (MiB + 5) + b"\n"],
                         ids=["at-0", "at-2", "at-100", "near-1MiB", "after-1MiB"])
@pytest.mark.parametrize("length", [MiB + 1, MiB + MiB // 2], ids=["1MiB+1", "1.5MiB"])
def test_every_line_longer_than_max_line_is_none(before: bytes, length: int) -> None:
    # wherever the line starts relative to the 1 MiB blocks, > MAX_LINE bytes (newline excluded) -> None
    data = before + overlong(length) + b"\nb\n"
    assert scan(data) == [(2 if before else 1, None)]


@pytest.mark.parametrize("before", [b"", b"a\n", b"a" * (MiB - 10) + b"\n"], ids=["at-0", "at-2", "near-1MiB"])
def test_a_line_of_exactly_max_line_bytes_is_kept(before: bytes) -> None:
    line = overlong(MiB)
    data = before + line + b"\nb\n"
    assert scan(data) == [(2 if before else 1, line)]


def test_is_gzip_by_magic_bytes_not_name(tmp_path: Path) -> None:
    plain = tmp_path / "x.gz"
    plain.write_bytes(b"not compressed\n")
    packed = tmp_path / "server.log"
    packed.write_bytes(gzip.compress(b"SpecDecoding metrics: z\n"))
    assert (is_gzip(str(plain)), is_gzip(str(packed))) == (False, True)
    with open_log(str(packed)) as stream:
        assert stream.read() == b"SpecDecoding metrics: z\n"
    with open_log(str(plain)) as stream:
        assert stream.read() == b"not compressed\n"


def test_gzip_stream_gives_the_same_hits(tmp_path: Path) -> None:
    data = big_log()
    path = tmp_path / "vllm_server.txt"  # no .gz suffix on purpose
    path.write_bytes(gzip.compress(data, compresslevel=1))
    with open_log(str(path)) as stream:
        assert list(scan_lines(stream, MARKERS)) == scan(data)


# --- the parallel scan of large plain files (forked workers over line-aligned pieces) ------------

def parallel_data() -> bytes:
    """big_log (lines 1-8389) + a 3 MiB overlong spec line (8390) + big_log again (8391-16779) + a
    last line without newline (16780)."""
    return big_log() + b"\n" + overlong(3 * MiB, marker_at=5) + b"\n" + big_log() + b"\nend SpecDecoding metrics: z"


PARALLEL_LINENOS = [1, 2, 2098, 2099, 6292, 8389, 8390] + [8390 + n for n in (1, 2, 2098, 2099, 6292, 8389)] + [16780]


def scan_file(path: Path, on_chunk=None) -> list[tuple[int, bytes | None]]:
    with open_log(str(path)) as stream:
        return list(scan_lines(stream, MARKERS, on_chunk))


def test_parallel_data_serial_line_numbers() -> None:
    hits = scan(parallel_data())
    assert [n for n, _ in hits] == PARALLEL_LINENOS
    assert hits[6] == (8390, None)
    assert hits[-1] == (16780, b"end SpecDecoding metrics: z")


@pytest.mark.parametrize("workers", [1, 2, 4])
@pytest.mark.parametrize("piece", [64 << 10, MiB, 5 * MiB + 3], ids=["64KiB", "1MiB", "5MiB+3"])
def test_parallel_scan_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel_calls: list[int],
                                    workers: int, piece: int) -> None:
    import speclens.parsers.log_scan as log_scan

    data = parallel_data()
    path = tmp_path / "vllm_server.log"
    path.write_bytes(data)
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 0)
    monkeypatch.setattr(log_scan, "PIECE", piece)
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", str(workers))
    chunks: list[bytes] = []
    hits = scan_file(path, chunks.append)
    assert [n for n, _ in hits] == PARALLEL_LINENOS
    assert hits == scan(data)
    assert b"".join(chunks) == data
    assert scan_file(path) == hits  # without on_chunk (the parent seeks instead of reading)
    assert parallel_calls == [workers, workers]


def test_parallel_scan_of_a_50_mib_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        parallel_calls: list[int]) -> None:
    # the real PIECE (16 MiB), PARALLEL_MIN lowered from 128 to 48 MiB; 12 copies of big_log, each 8389 lines
    import speclens.parsers.log_scan as log_scan

    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 48 << 20)
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", "2")
    data = b"\n".join([big_log()] * 12) + b"\n"
    assert len(data) == 12 * 4_194_500  # 50_334_000 bytes > 48 MiB (50_331_648)
    path = tmp_path / "vllm_server.log"
    path.write_bytes(data)
    hits = scan_file(path)
    assert len(hits) == 12 * 6
    # copy c (0-based) starts at line 8389*c + 1; its last hit is its line 8389
    assert [n for n, _ in hits[-6:]] == [8389 * 11 + n for n in (1, 2, 2098, 2099, 6292, 8389)]
    assert hits[-1] == (100_668, padded(BIG_MARKED[8389]).encode())  # 8389 x 12
    assert parallel_calls == [2]


class Seen(NamedTuple):
    head: bytes
    length: int


def seen(line: bytes) -> Seen | None:
    """A typed transform that reads every hit but the lines ending in `z`."""
    return None if line.endswith(b"z") else Seen(line[:12], len(line))


@pytest.mark.parametrize("workers", [0, 2])
def test_typed_transform_results_cross_the_pipe_and_none_leaves_a_line_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel_calls: list[int], workers: int) -> None:
    import speclens.parsers.log_scan as log_scan

    path = tmp_path / "vllm_server.log"
    path.write_bytes(parallel_data())
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 0)
    monkeypatch.setattr(log_scan, "PIECE", MiB)
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", str(workers))
    with open_log(str(path)) as stream:
        hits = list(scan_lines(stream, MARKERS, None, seen))
    # every hit of PARALLEL_LINENOS but the last line ("end SpecDecoding metrics: z"), which `seen`
    # does not read; the overlong line 8390 stays None without reaching the transform
    assert [n for n, _ in hits] == PARALLEL_LINENOS[:-1]
    assert hits[6] == (8390, None)
    assert all(type(value) is Seen for n, value in hits if n != 8390)  # a Seen again, not a plain tuple
    assert hits == [(n, None if line is None else seen(line)) for n, line in scan(parallel_data())[:-1]]
    assert parallel_calls == ([workers] if workers else [])


def test_abandoning_a_parallel_scan_reaps_its_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      parallel_calls: list[int]) -> None:
    import os

    import speclens.parsers.log_scan as log_scan

    path = tmp_path / "vllm_server.log"
    path.write_bytes(parallel_data())
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 0)
    monkeypatch.setattr(log_scan, "PIECE", 64 << 10)
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", "3")
    pids: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    with open_log(str(path)) as stream:
        hits = scan_lines(stream, MARKERS)
        assert next(hits)[0] == 1
        hits.close()
    assert len(pids) == 3
    for pid in pids:  # each worker was waited for: no zombie left behind
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    assert parallel_calls == [3]
