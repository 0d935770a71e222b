"""Inflate a large gzip'd log in a forked child process, so that inflating the next block and
scanning this one run on two cores at once.

A gzip stream has no random access, so one inflater reads it in order; in the scanning process it
adds its whole CPU time to the scan's (ISA-L: ~0.5 CPU-s per GB of text). For a compressed file of
at least `CHILD_MIN` bytes, when `SPECLENS_SCAN_WORKERS` allows worker processes (opt-in, as the
scan pool: `parsers.scan_workers`), `open_inflated` forks a child
that runs `parsers.inflate.open_gzip` and sends the text through a pipe in frames
(kind, length, payload); the parent reads it as a stream with the same bytes and the same errors
in the same place (`EOFError` for a file that ends inside a member, `gzip.BadGzipFile` for corrupt
data, after everything inflated before the damage). Closing the stream ends and reaps the child.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
from typing import Any, BinaryIO

from speclens.parsers.inflate import open_gzip
from speclens.parsers.scan_workers import scan_workers

CHILD_MIN = 8 << 20  # compressed bytes; a smaller file is inflated in-process (a fork costs ~ms)
FRAME = 1 << 20  # text bytes per frame (the scan reads blocks of this size)
_PIPE_BYTES = 1 << 20
_HEADER = struct.Struct("<bq")  # kind, payload bytes
_DATA, _EOF, _BAD, _OTHER = 0, 1, 2, 3


def _child(raw: Any, out: int) -> None:
    with os.fdopen(out, "wb", buffering=_PIPE_BYTES) as pipe:
        stream = open_gzip(raw)
        try:
            while data := stream.read(FRAME):
                pipe.write(_HEADER.pack(_DATA, len(data)))
                pipe.write(data)
            kind, message = _DATA, b""
        except EOFError as err:
            kind, message = _EOF, str(err).encode()
        except gzip.BadGzipFile as err:
            kind, message = _BAD, str(err).encode()
        except Exception as err:  # e.g. a read error: reported to the parent as an OSError
            kind, message = _OTHER, f"{type(err).__name__}: {err}".encode()
        if kind != _DATA:
            pipe.write(_HEADER.pack(kind, len(message)) + message)
        pipe.flush()


class ChildInflated(io.RawIOBase):
    """The text a child process inflates, read from the pipe `fd` (see the module docstring)."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._pipe = os.fdopen(fd, "rb", buffering=_PIPE_BYTES)
        self._buf = b""  # the current frame's text; self._pos bytes of it already returned
        self._pos = 0
        self._error: BaseException | None = None
        self._done = False

    def readable(self) -> bool:
        return True

    def _exact(self, n: int) -> bytes:
        data = self._pipe.read(n) if n else b""
        if len(data) != n:
            raise OSError("the gzip inflate process exited early")
        return data

    def _next_frame(self) -> None:
        header = self._pipe.read(_HEADER.size)
        if not header:
            self._done = True
            return
        if len(header) != _HEADER.size:
            raise OSError("the gzip inflate process exited early")
        kind, size = _HEADER.unpack(header)
        payload = self._exact(size)
        if kind == _DATA:
            self._buf, self._pos = payload, 0
            return
        message = payload.decode(errors="replace")
        self._error = EOFError(message) if kind == _EOF else (
            gzip.BadGzipFile(message) if kind == _BAD else OSError(message))

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        while self._pos == len(self._buf) and not self._done and size:
            if self._error is not None:
                raise self._error
            self._next_frame()
        if self._pos == 0 and len(self._buf) <= size:  # the usual read: one whole frame, no copy
            out, self._buf = self._buf, b""
            return out
        out = self._buf[self._pos:self._pos + size]
        self._pos += len(out)
        return out

    read1 = read

    def readall(self) -> bytes:
        parts = []
        while piece := self.read(FRAME):
            parts.append(piece)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._pipe.close()
            try:
                os.kill(self._pid, 15)
            except OSError:
                pass
            try:
                os.waitpid(self._pid, 0)
            except OSError:
                pass
        super().close()


def open_inflated(raw: Any) -> BinaryIO:
    """The text of the open gzip file `raw` (a raw file object): inflated by a child process when
    the file is large and `SPECLENS_SCAN_WORKERS` allows other processes, else in this one (`open_gzip`)."""
    try:
        size = os.fstat(raw.fileno()).st_size - raw.tell()
    except (AttributeError, OSError, io.UnsupportedOperation):
        size = 0
    if size < CHILD_MIN or not hasattr(os, "fork") or scan_workers() < 1:
        return open_gzip(raw)  # type: ignore[return-value]
    rfd, wfd = os.pipe()
    try:
        import fcntl

        fcntl.fcntl(wfd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass
    try:
        pid = os.fork()
    except OSError:  # no process to spare: inflate here
        os.close(rfd)
        os.close(wfd)
        return open_gzip(raw)  # type: ignore[return-value]
    if pid == 0:  # child: inflate into the pipe, then leave without the parent's exit handlers
        code = 0
        try:
            os.close(rfd)
            _child(raw, wfd)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(wfd)
    raw.close()
    return ChildInflated(pid, rfd)  # type: ignore[return-value]
