"""Find, in one stream read in large blocks, the lines that carry any of a few byte markers.

Bytes are read in large blocks and searched per marker, directly in the block read (no copy
into a growing buffer), with stringzilla's SIMD `find`/`count` (about 4x `bytes.find` here) or,
without it or with `SPECLENS_SIMD=0`, plain `bytes` methods; only lines that contain a marker
are cut out. Line numbers come from counting newlines between hits, so every yielded line knows
its 1-based number. `.gz` files (detected by magic bytes, not by name) are read through
`parsers.inflate` (ISA-L's inflate, zlib's as the fallback). A
line longer than `MAX_LINE` bytes (without its newline) is never held in memory: if the first
marker occurs in it, it is yielded as `None` so the caller can report it; other overlong lines
are skipped. `parsers.log_scan` runs this over a whole stream or, in scan workers, over pieces.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from speclens.parsers.files import open_input
from speclens.parsers.inflate import open_gzip

BLOCK = 1 << 20
MAX_LINE = 1 << 20
_OVERLAP = 64  # longer than any marker: a marker split across two reads is still found
_NL = b"\n"
_NUMPY_COUNT_FROM = 1 << 15  # gaps at least this long are counted with numpy (faster per byte, slower per call)


def is_gzip(path: str) -> bool:
    """Whether the file starts with the gzip magic bytes."""
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def open_log(path: str) -> BinaryIO:
    """Open `path` for binary reading, transparently decompressing gzip (`parsers.inflate`)."""
    if is_gzip(path):
        return open_gzip(open_input(path, "rb", buffering=0))  # type: ignore[return-value]
    return open_input(path, "rb", buffering=0)


_np = None  # numpy, imported on first use: a small log should not pay for it

try:  # SIMD substring search and counting (about 4x bytes.find on this machine)
    from stringzilla import Str as _SimdStr
except ImportError:  # pragma: no cover - the pure-Python path below is complete on its own
    _SimdStr = None


def _simd_view() -> Callable[[bytes], Any] | None:
    """The SIMD view to search blocks through, or None for plain `bytes` methods (no stringzilla,
    or `SPECLENS_SIMD=0`). Both give the same positions and counts."""
    if _SimdStr is None or os.environ.get("SPECLENS_SIMD", "1").strip() == "0":
        return None
    return _SimdStr


def _count_newlines(chunk: bytes, hay: Any, start: int, stop: int) -> int:
    """Newlines in chunk[start:stop]; `hay` is `chunk` itself or its SIMD view."""
    global _np
    if hay is not chunk or stop - start < _NUMPY_COUNT_FROM:
        return hay.count(_NL, start, stop)
    if _np is None:
        import numpy

        _np = numpy
    return int(_np.count_nonzero(_np.frombuffer(chunk, _np.uint8, stop - start, start) == 10))


def _hit_lines(hay: Any, start: int, end: int, markers: tuple[bytes, ...]) -> list[tuple[int, int]]:
    """Sorted (line start, line end) of the lines in hay[start:end] that contain any marker;
    hay[end - 1] is a newline. `hay` is a block (`bytes`) or its SIMD view."""
    found: dict[int, int] = {}
    find, rfind = hay.find, hay.rfind
    for marker in markers:
        pos = find(marker, start, end)
        while pos != -1:
            line_start = rfind(_NL, start, pos) + 1 or start
            line_end = find(_NL, pos, end)
            found[line_start] = line_end
            pos = find(marker, line_end + 1, end)
    return sorted(found.items()) if len(found) > 1 else list(found.items())


def _scan_blocks(
    read: Callable[[int], bytes], markers: tuple[bytes, ...], on_chunk: Callable[[bytes], None] | None,
    base: int, lines: list[int],
) -> Iterator[tuple[int, bytes | None]]:
    """The in-process scan of everything `read` returns; line numbers start at `base`. On
    exhaustion `lines[0]` holds the number of the line after the last newline."""
    first = markers[0]
    view = _simd_view()
    carry = b""  # the partial line that ends the data read so far (shorter than MAX_LINE)
    overlong: bool | None = None  # inside an overlong line: whether `first` was seen in it
    tail = b""  # last bytes of the overlong line, for a marker split across reads
    while True:
        chunk = read(BLOCK)
        if not chunk:
            break
        if on_chunk is not None:
            on_chunk(chunk)
        start = 0
        if overlong is not None or carry:
            newline = chunk.find(_NL)
            head = chunk if newline == -1 else chunk[:newline]
            if overlong is None and len(carry) + len(head) > MAX_LINE:
                overlong, tail = False, carry
            if overlong is not None:
                overlong = overlong or first in tail + head
                if newline == -1:
                    tail = (tail + head[-_OVERLAP:])[-_OVERLAP:]
                    continue
                if overlong:
                    yield base, None
                overlong, tail = None, b""
            else:
                if newline == -1:
                    carry += chunk
                    continue
                line = carry + head
                if any(marker in line for marker in markers):
                    yield base, line
            base += 1
            carry = b""
            start = newline + 1
        hay = chunk if view is None else view(chunk)
        end = hay.rfind(_NL, start) + 1
        if end > start:
            prev = start
            for line_start, line_end in _hit_lines(hay, start, end, markers):
                base += _count_newlines(chunk, hay, prev, line_start)
                prev = line_start
                if line_end - line_start > MAX_LINE:
                    if hay.find(first, line_start, line_end) != -1:
                        yield base, None
                else:
                    yield base, chunk[line_start:line_end]
            base += _count_newlines(chunk, hay, prev, end)
        else:
            end = start
        if end < len(chunk):
            carry = chunk[end:]
            if len(carry) > MAX_LINE:
                overlong, tail, carry = first in carry, carry[-_OVERLAP:], b""
    if overlong:
        yield base, None
    elif carry and overlong is None and any(marker in carry for marker in markers):
        yield base, carry
    lines[0] = base
