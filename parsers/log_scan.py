"""Find the lines that carry any of a few byte markers, at close to memory speed.

Bytes are read in large blocks and searched per marker, directly in the block read (no copy
into a growing buffer), with stringzilla's SIMD `find`/`count` (about 4x `bytes.find` here) or,
without it or with `SPECLENS_SIMD=0`, plain `bytes` methods; only lines that contain a marker
are cut out. Line numbers come from counting newlines between hits, so every yielded line knows
its 1-based number. `.gz` files are read through gzip (detected by
magic bytes, not by name). A line longer than `MAX_LINE` bytes (without its newline) is never
held in memory: if the first marker occurs in it, it is yielded as `None` so the caller can
report it; other overlong lines are skipped.

Large plain files are scanned in parallel (`SPECLENS_SCAN_WORKERS=N`; default one worker per
usable CPU; 0 turns it off): N forked worker processes each scan every N-th piece
of the file (pieces of `PIECE` bytes, cut at line boundaries), read with `os.pread`, and send
back (line number within the piece, `transform(line)`) hits (`_packed`) and the piece's line
count through a pipe; the parent yields them in file order. A thread of the parent still reads
the whole file once, in order, only to feed `on_chunk` (the input hash). Pipes and the hash queue are bounded, so
memory stays flat whatever the size.
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import threading
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any, BinaryIO, TypeVar

from speclens.parsers.files import note_read, open_input

T = TypeVar("T")
Thin = Callable[[list], list]  # see scan_lines

BLOCK = 1 << 20
MAX_LINE = 1 << 20
_OVERLAP = 64  # longer than any marker: a marker split across two reads is still found
_NL = b"\n"
_NUMPY_COUNT_FROM = 1 << 15  # gaps at least this long are counted with numpy (faster per byte, slower per call)

PIECE = 16 << 20  # bytes per parallel work item
PARALLEL_MIN = 128 << 20  # smaller files are scanned in-process (measured here: 100 MB 0.56 s alone vs 0.61 s forked)
_PIPE_BYTES = 1 << 20
_THIN_BATCH = 256  # hits per `thin` call when scanning in-process
_HEADER = struct.Struct("<qq")  # newlines in the piece (-1: worker error), payload bytes


def is_gzip(path: str) -> bool:
    """Whether the file starts with the gzip magic bytes."""
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def open_log(path: str) -> BinaryIO:
    """Open `path` for binary reading, transparently decompressing gzip."""
    if is_gzip(path):
        note_read(path)
        return gzip.open(path, "rb")  # type: ignore[return-value]
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


def _worker_count() -> int:
    """Scan workers to fork for a large plain file: `SPECLENS_SCAN_WORKERS` (0 = scan in this
    process), by default one per usable CPU, none on a single-CPU machine."""
    value = os.environ.get("SPECLENS_SCAN_WORKERS", "auto").strip()
    if value in ("", "auto"):
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count() or 1
        return cpus if cpus > 1 else 0
    try:
        return max(0, int(value))
    except ValueError:
        return 0


def _plain_region(stream: BinaryIO) -> tuple[int, int, int] | None:
    """(fd, start, stop) when `stream` is a plain regular file worth scanning in parallel: stop
    is just after the last newline, so the parallel part holds whole lines only."""
    if not isinstance(stream, io.FileIO) or not hasattr(os, "fork") or not hasattr(os, "pread"):
        return None
    try:
        fd = stream.fileno()
        size = os.fstat(fd).st_size
        start = stream.tell()
    except OSError:
        return None
    if size - start < PARALLEL_MIN:
        return None
    stop = size
    while stop > start:
        back = max(start, stop - BLOCK)
        newline = os.pread(fd, stop - back, back).rfind(_NL)
        if newline != -1:
            return fd, start, back + newline + 1
        stop = back
    return None


def _line_boundary(fd: int, pos: int, start: int, stop: int) -> int:
    """The first line start at or after `pos` within [start, stop]."""
    if pos <= start:
        return start
    while pos < stop:
        data = os.pread(fd, min(1 << 16, stop - pos + 1), pos - 1)
        newline = data.find(_NL)
        if newline != -1:
            return min(pos + newline, stop)
        if not data:
            break
        pos += len(data)
    return stop


def _piece_bounds(fd: int, k: int, start: int, stop: int) -> tuple[int, int]:
    return (_line_boundary(fd, start + k * PIECE, start, stop),
            _line_boundary(fd, start + (k + 1) * PIECE, start, stop))


def _worker(fd: int, out: int, first_piece: int, step: int, pieces: int, start: int, stop: int,
            markers: tuple[bytes, ...], transform: Callable[[bytes], object] | None, thin: Thin | None) -> None:
    with os.fdopen(out, "wb", buffering=_PIPE_BYTES) as pipe:
        try:
            for k in range(first_piece, pieces, step):
                lo, hi = _piece_bounds(fd, k, start, stop)
                pos = lo

                def read(n: int) -> bytes:
                    nonlocal pos
                    data = os.pread(fd, min(n, hi - pos), pos) if pos < hi else b""
                    pos += len(data)
                    return data

                lines = [1]
                hits = list(_transformed(_scan_blocks(read, markers, None, 1, lines), transform))
                if thin is not None:
                    hits = thin(hits)
                payload = pickle.dumps(_packed(hits), pickle.HIGHEST_PROTOCOL)
                pipe.write(_HEADER.pack(lines[0] - 1, len(payload)))
                pipe.write(payload)
            pipe.flush()
        except BaseException as err:  # report, never unwind into the parent's code
            message = f"{type(err).__name__}: {err}".encode()
            pipe.write(_HEADER.pack(-1, len(message)) + message)
            pipe.flush()


def _packed(hits: list[tuple[int, Any]]) -> tuple[tuple[int, ...], list[type | None], list[Any]]:
    """A piece's hits as they cross the pipe, in three columns: line numbers, and each value as
    its class and a plain tuple when it is a tuple (e.g. a NamedTuple; the parent turns it back
    with `tuple.__new__`), else as itself (class None). Pickle writes and reads that without
    running Python code per value; a NamedTuple itself costs Python calls each way (measured on
    the thinned hits of a 100 MB log: 19 ms to pickle and unpickle them as (lineno, NamedTuple)
    pairs, 10 ms in columns)."""
    if not hits:
        return (), [], []
    linenos, values = zip(*hits)
    if all(map(isinstance, values, repeat(tuple))):  # the usual piece: every line read, none overlong
        return linenos, list(map(type, values)), list(map(tuple, values))
    return (linenos, [type(v) if isinstance(v, tuple) else None for v in values],
            [tuple(v) if isinstance(v, tuple) else v for v in values])


def _read_exact(pipe: BinaryIO, n: int) -> bytes:
    data = pipe.read(n) if n else b""
    if len(data) != n:
        raise OSError("log scan worker exited early")
    return data


class _Feeder:
    """Reads [start, stop) of `fd` in blocks, in order, on its own thread and hands each block
    to `on_chunk` (the input hash), so the scanning thread never waits on those reads."""

    def __init__(self, fd: int, start: int, stop: int, on_chunk: Callable[[bytes], None]) -> None:
        self._halt = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fd, start, stop, on_chunk), daemon=True)
        self._thread.start()

    def _run(self, fd: int, pos: int, stop: int, on_chunk: Callable[[bytes], None]) -> None:
        try:
            while pos < stop and not self._halt.is_set():
                chunk = os.pread(fd, min(BLOCK, stop - pos), pos)
                if not chunk:
                    break
                on_chunk(chunk)
                pos += len(chunk)
        except BaseException as err:  # surfaced by finish() on the scanning thread
            self._error = err

    def finish(self) -> None:
        """Wait until every block has been handed over; raise what the thread raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        self._halt.set()
        self._thread.join()


def _scan_parallel(
    stream: BinaryIO, markers: tuple[bytes, ...], on_chunk: Callable[[bytes], None] | None,
    transform: Callable[[bytes], T] | None, thin: Thin | None, fd: int, start: int, stop: int, workers: int,
) -> Iterator[tuple[int, T | bytes | None]]:
    pieces = -(-(stop - start) // PIECE)
    workers = min(workers, pieces)
    procs: list[tuple[int, BinaryIO]] = []
    feeder: _Feeder | None = None
    try:
        for w in range(workers):
            rfd, wfd = os.pipe()
            try:
                import fcntl

                fcntl.fcntl(wfd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
            except (ImportError, AttributeError, OSError):
                pass
            pid = os.fork()
            if pid == 0:  # child: scan, then leave without running the parent's exit handlers
                code = 0
                try:
                    os.close(rfd)
                    for _, other in procs:
                        other.close()
                    _worker(fd, wfd, w, workers, pieces, start, stop, markers, transform, thin)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            os.close(wfd)
            procs.append((pid, os.fdopen(rfd, "rb", buffering=_PIPE_BYTES)))
        feeder = _Feeder(fd, start, stop, on_chunk) if on_chunk is not None else None
        base = 1
        for k in range(pieces):
            pipe = procs[k % workers][1]
            newlines, size = _HEADER.unpack(_read_exact(pipe, _HEADER.size))
            if newlines < 0:
                raise OSError(f"log scan worker failed: {_read_exact(pipe, size).decode(errors='replace')}")
            linenos, classes, values = pickle.loads(_read_exact(pipe, size))  # noqa: S301 - our own worker's
            offset = base - 1
            new = tuple.__new__
            for lineno, cls, value in zip(linenos, classes, values):
                yield offset + lineno, value if cls is None else new(cls, value)
            base += newlines
        if feeder is not None:
            feeder.finish()
        stream.seek(stop)
    finally:
        if feeder is not None:
            feeder.stop()
        for pid, pipe in procs:
            pipe.close()
            try:
                os.kill(pid, 15)
            except OSError:
                pass
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass
    # whatever follows the last newline (a last line without one, or data appended since)
    yield from _transformed(_scan_blocks(stream.read, markers, on_chunk, base, [base]), transform, thin)


def _transformed(hits: Iterator[tuple[int, bytes | None]], transform: Callable[[bytes], T | None] | None,
                 thin: Thin | None = None) -> Iterator[tuple[int, T | bytes | None]]:
    """`hits` with each line replaced by `transform(line)`, leaving out the lines it returns None
    for (overlong lines stay None); with `thin`, in batches of `_THIN_BATCH` through it."""
    if transform is None:
        yield from hits
        return
    if thin is None:
        for lineno, line in hits:
            if line is None:
                yield lineno, None
            elif (value := transform(line)) is not None:
                yield lineno, value
        return
    batch: list = []
    try:
        for hit in _transformed(hits, transform):
            batch.append(hit)
            if len(batch) == _THIN_BATCH:
                yield from thin(batch)
                batch = []
    except Exception:  # e.g. a truncated .gz: what was read before the damage still counts
        yield from thin(batch)
        raise
    yield from thin(batch)


def scan_lines(
    stream: BinaryIO, markers: tuple[bytes, ...], on_chunk: Callable[[bytes], None] | None = None,
    transform: Callable[[bytes], T | None] | None = None, thin: Thin | None = None,
) -> Iterator[tuple[int, T | bytes | None]]:
    """Yield `(lineno, line)` for each line containing a marker, in file order (line without
    its newline; `None` for an overlong line that contains `markers[0]`). With `transform`, yield
    `transform(line)` instead of the line (computed in the scan workers when they run, so it must
    not depend on earlier lines; overlong lines stay `None`), and nothing for a line it returns
    None for (such a hit never crosses a worker's pipe). With `thin` too, runs of consecutive
    transformed hits (a worker's piece, or up to `_THIN_BATCH` hits in-process) go through
    `thin`, which may drop hits it knows are redundant; it sees no context beyond its argument.
    `on_chunk` sees every block read, in order (used to hash the input in the same pass)."""
    workers = _worker_count()
    region = _plain_region(stream) if workers else None
    if region is not None:
        yield from _scan_parallel(stream, markers, on_chunk, transform, thin, *region, workers)
        return
    yield from _transformed(_scan_blocks(stream.read, markers, on_chunk, 1, [1]), transform, thin)
