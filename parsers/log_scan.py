"""Find the lines that carry any of a few byte markers, at close to memory speed.

Bytes are read in large blocks and searched with `bytes.find` per marker; only lines that
contain a marker are cut out and decoded. Line numbers come from counting newlines with numpy
between hits, so every yielded line knows its 1-based number. `.gz` files are read through
gzip (detected by magic bytes, not by name). A line longer than `MAX_LINE` bytes is never held
in memory: if the first marker occurs in it, it is yielded as `None` so the caller can report
it; other overlong lines are skipped.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from typing import BinaryIO

import numpy as np

BLOCK = 1 << 20
MAX_LINE = 1 << 20
_OVERLAP = 64  # longer than any marker: a marker split across two reads is still found


def is_gzip(path: str) -> bool:
    """Whether the file starts with the gzip magic bytes."""
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def open_log(path: str) -> BinaryIO:
    """Open `path` for binary reading, transparently decompressing gzip."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb", buffering=0)  # noqa: SIM115 - returned to the caller


def _newlines(view: np.ndarray, start: int, stop: int) -> int:
    return int(np.count_nonzero(view[start:stop] == 10))


def _hit_starts(buf: bytearray, end: int, markers: tuple[bytes, ...]) -> list[int]:
    """Sorted distinct start offsets of lines in buf[:end] that contain any marker."""
    starts = set()
    for marker in markers:
        pos = buf.find(marker, 0, end)
        while pos != -1:
            line_start = buf.rfind(b"\n", 0, pos) + 1
            starts.add(line_start)
            line_end = buf.find(b"\n", pos, end)
            pos = buf.find(marker, line_end + 1, end) if line_end != -1 else -1
    return sorted(starts)


def scan_lines(
    stream: BinaryIO, markers: tuple[bytes, ...], on_chunk: Callable[[bytes], None] | None = None
) -> Iterator[tuple[int, bytes | None]]:
    """Yield `(lineno, line)` for each line containing a marker, in file order (line without
    its newline; `None` for an overlong line that contains `markers[0]`). `on_chunk` sees every
    block read, in order (used to hash the input in the same pass)."""
    buf = bytearray()
    base = 1  # line number of the first line in buf
    overlong: bool | None = None  # inside an overlong line: whether markers[0] was seen in it
    while True:
        chunk = stream.read(BLOCK)
        if not chunk:
            break
        if on_chunk is not None:
            on_chunk(chunk)
        buf += chunk
        if overlong is not None:
            newline = buf.find(b"\n")
            overlong = overlong or buf.find(markers[0], 0, newline if newline != -1 else len(buf)) != -1
            if newline == -1:
                del buf[:-_OVERLAP]
                continue
            if overlong:
                yield base, None
            base += 1
            del buf[: newline + 1]
            overlong = None
        end = buf.rfind(b"\n") + 1
        if end:
            view = np.frombuffer(buf, dtype=np.uint8, count=end)
            prev, lineno = 0, base
            for start in _hit_starts(buf, end, markers):
                lineno += _newlines(view, prev, start)
                prev = start
                stop = buf.find(b"\n", start, end)
                yield lineno, bytes(buf[start:stop])
            base = lineno + _newlines(view, prev, end)
            del view
            del buf[:end]
        if len(buf) > MAX_LINE:
            overlong = buf.find(markers[0]) != -1
            del buf[:-_OVERLAP]
    if overlong is not None:
        if overlong:
            yield base, None
    elif buf:
        if any(marker in buf for marker in markers):
            yield base, bytes(buf)
