"""Find the lines that carry any of a few byte markers, at close to memory speed, and decode them.

The search itself is `parsers.block_scan` (SIMD search in large blocks, exact line numbers,
overlong lines, gzip). Hits are decoded by `transform` per line or, with `transform_many`, a
batch of lines at once (`parsers.batch_lines`: one regex pass per batch).

Large plain files can be scanned in parallel (`SPECLENS_SCAN_WORKERS=N`, or `auto`: one worker
per usable CPU; by default 0, in this process: measured on this 2-core machine kind, busy, the
pool cost 19-23% more CPU and more wall time than one process, dense and sparse, see
docs/performance.md): N forked worker processes each scan every N-th piece
of the file (pieces of `PIECE` bytes, cut at line boundaries), read with `os.pread`, and send
back (line number within the piece, `transform(line)`) hits (`_packed`) and the piece's line
count through a pipe; the parent yields them in file order. A thread of the parent still reads
the whole file once, in order, only to feed `on_chunk` (the input digest). Pipes and the digest queue are bounded, so
memory stays flat whatever the size.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import threading
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any, BinaryIO, TypeVar

from speclens.parsers.block_scan import (  # noqa: F401 - is_gzip, open_log, _SimdStr, _simd_view: re-exported
    BLOCK,
    _NL,
    _scan_blocks,
    _SimdStr,
    _simd_view,
    is_gzip,
    open_log,
)
from speclens.parsers.scan_workers import scan_workers as _worker_count  # the pool's size (tests patch it here)

T = TypeVar("T")
Thin = Callable[[list], list]  # see scan_lines
Many = Callable[[list[bytes]], list]  # see scan_lines

PIECE = 16 << 20  # bytes per parallel work item
PARALLEL_MIN = 128 << 20  # smaller files are scanned in-process (measured here: 100 MB 0.56 s alone vs 0.61 s forked)
_PIPE_BYTES = 1 << 20
_THIN_BATCH = 256  # hits per `thin` call when scanning in-process
_HEADER = struct.Struct("<qq")  # newlines in the piece (-1: worker error), payload bytes


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
            markers: tuple[bytes, ...], transform: Callable[[bytes], object] | None, thin: Thin | None,
            many: Many | None = None) -> None:
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
                hits = list(_transformed(_scan_blocks(read, markers, None, 1, lines), transform, None, many))
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
    transform: Callable[[bytes], T] | None, thin: Thin | None, many: Many | None, fd: int, start: int, stop: int,
    workers: int,
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
                    _worker(fd, wfd, w, workers, pieces, start, stop, markers, transform, thin, many)
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
    yield from _transformed(_scan_blocks(stream.read, markers, on_chunk, base, [base]), transform, thin, many)


def _transformed(hits: Iterator[tuple[int, bytes | None]], transform: Callable[[bytes], T | None] | None,
                 thin: Thin | None = None, many: Many | None = None) -> Iterator[tuple[int, T | bytes | None]]:
    """`hits` with each line replaced by `transform(line)` (with `many`, up to `_THIN_BATCH`
    lines at a time through it), leaving out the lines it returns None for (overlong lines stay
    None); with `thin`, in batches of `_THIN_BATCH` through it."""
    if transform is None:
        yield from hits
        return
    if thin is None and many is not None:
        yield from _decoded_in_batches(hits, many)
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
        for hit in _transformed(hits, transform, None, many):
            batch.append(hit)
            if len(batch) == _THIN_BATCH:
                yield from thin(batch)
                batch = []
    except Exception:  # e.g. a truncated .gz: what was read before the damage still counts
        yield from thin(batch)
        raise
    yield from thin(batch)


def _decoded_in_batches(hits: Iterator[tuple[int, bytes | None]], many: Many) -> Iterator[tuple[int, Any]]:
    """`hits` with the lines decoded by `many`, `_THIN_BATCH` lines per call; what was read
    before an error in `hits` (a truncated .gz) is still decoded and yielded before it is raised."""
    linenos: list[int] = []
    lines: list[bytes] = []

    def flush() -> Iterator[tuple[int, Any]]:
        values = many(lines) if lines else ()
        batch = [(lineno, value) for lineno, value in zip(linenos, values) if value is not None]
        linenos.clear()
        lines.clear()
        return iter(batch)

    try:
        for lineno, line in hits:
            if line is None:
                yield from flush()
                yield lineno, None
                continue
            linenos.append(lineno)
            lines.append(line)
            if len(lines) == _THIN_BATCH:
                yield from flush()
    except Exception:
        yield from flush()
        raise
    yield from flush()


def scan_lines(
    stream: BinaryIO, markers: tuple[bytes, ...], on_chunk: Callable[[bytes], None] | None = None,
    transform: Callable[[bytes], T | None] | None = None, thin: Thin | None = None,
    transform_many: Many | None = None,
) -> Iterator[tuple[int, T | bytes | None]]:
    """Yield `(lineno, line)` for each line containing a marker, in file order (line without
    its newline; `None` for an overlong line that contains `markers[0]`). With `transform`, yield
    `transform(line)` instead of the line (computed in the scan workers when they run, so it must
    not depend on earlier lines; overlong lines stay `None`), and nothing for a line it returns
    None for (such a hit never crosses a worker's pipe). With `thin` too, runs of consecutive
    transformed hits (a worker's piece, or up to `_THIN_BATCH` hits in-process) go through
    `thin`, which may drop hits it knows are redundant; it sees no context beyond its argument.
    `transform_many(lines)`, when given, must equal `[transform(line) for line in lines]`; it is
    used instead of `transform` on batches of hits (`parsers.batch_lines`).
    `on_chunk` sees every block read, in order (used to hash the input in the same pass)."""
    workers = _worker_count()
    region = _plain_region(stream) if workers else None
    if region is not None:
        yield from _scan_parallel(stream, markers, on_chunk, transform, thin, transform_many, *region, workers)
        return
    yield from _transformed(_scan_blocks(stream.read, markers, on_chunk, 1, [1]), transform, thin, transform_many)
