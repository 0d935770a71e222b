"""The batch decoder (parsers.batch_lines) equals the exact per-line reader, line for line."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from speclens.parsers import batch_lines
from speclens.parsers.batch_lines import read_marker_lines
from speclens.parsers.log_line import SCAN_MARKERS, read_marker_line
from speclens.parsers.log_scan import scan_lines
from speclens.parsers.vllm_log import read_vllm_log

from .lines import big_log
from .test_vllm_log_properties import CANONICAL, MUTATION_BYTES, text_line


def mutate(line: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for at, cut, fragment in edits:  # each edit replaces `cut` bytes at `at` (clamped) with a fragment
        at = min(at, len(line))
        line = line[:at] + fragment + line[at + cut:]
    return line


edited = st.tuples(st.sampled_from(CANONICAL), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 6),
                                                                  st.sampled_from(MUTATION_BYTES)), max_size=3))
one_line = st.one_of(edited.map(lambda e: mutate(*e)), st.sampled_from(CANONICAL),
                     text_line.map(lambda raw: raw.replace(b"\n", b" ")))  # a scanned line never holds its newline


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(one_line, max_size=12))
def test_batch_equals_per_line(lines: list[bytes]) -> None:
    # repr: two nan values never compare equal
    assert repr(read_marker_lines(lines)) == repr([read_marker_line(line) for line in lines])


def test_batch_decodes_the_canonical_lines_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # else the property above compares the per-line reader with itself
    expected = [read_marker_line(line) for line in CANONICAL * 3]
    fallbacks: list[bytes] = []
    monkeypatch.setattr(batch_lines, "read_marker_line", lambda line: fallbacks.append(line) or read_marker_line(line))
    assert read_marker_lines(CANONICAL * 3) == expected
    assert fallbacks == []
    damaged = CANONICAL[0].replace(b"Accepted: 5792", b"Accepted: 9999")  # Accepted > Drafted (7078): the exact path says so
    read_marker_lines([CANONICAL[1], damaged])
    assert fallbacks == [damaged]


def test_scan_with_batches_equals_scan_line_by_line(tmp_path: Path) -> None:
    overlong = b"x" * (1 << 20) + b" metrics:"  # yielded as None between two batches' lines
    stray = CANONICAL[0] + b"\xff\x00"  # a batch holding a non-ASCII byte or a NUL goes line by line
    data = big_log() + b"\n".join([*CANONICAL * 200, overlong, *CANONICAL * 100, stray, b"plain"]) + b"\n"
    one = list(scan_lines(io.BytesIO(data), SCAN_MARKERS, None, read_marker_line))
    many = list(scan_lines(io.BytesIO(data), SCAN_MARKERS, None, read_marker_line, None, read_marker_lines))
    assert len(one) > 256 and repr(many) == repr(one)  # more than one batch of 256


def test_truncated_gzip_keeps_the_batch_read_before_the_damage(tmp_path: Path) -> None:
    data = b"\n".join(CANONICAL * 10) + b"\n"  # 20 marker lines, fewer than one batch
    packed = gzip.compress(data)
    path = tmp_path / "cut.log.gz"
    path.write_bytes(packed[:-12])  # the trailer (CRC, size) and a little data cut off
    records = list(read_vllm_log(str(path)))
    assert type(records[-1]).__name__ == "TruncatedInput"
    assert len(records) > 1  # what decompressed before the damage was decoded, not lost with the batch
