"""A gzip file's decompressed bytes as a stream: ISA-L's inflate or zlib's, the same bytes either way.

`open_gzip(path)` inflates with python-isal (ISA-L's igzip: about 4x zlib on this machine) when it
is installed, else, or with `SPECLENS_GZIP=zlib`, with the standard zlib; `gzip_decoder()` says
which. Both decompressors parse each member's header and check its CRC and length; members
follow one another (a concatenated or appended file), NUL padding after a member is skipped (as
the gzip module does) and anything else there is an error. What was inflated before damage is
returned first; the error comes with the next read, so a reader keeps everything readable:
`EOFError` when the data ends inside a member, `gzip.BadGzipFile` (an `OSError`) when it is
corrupt, whichever decoder ran. Inflate is single-threaded and sequential (no random access into
a gzip stream), so a .gz log is read by one process at the inflate rate, not in parallel pieces.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from typing import Any

try:
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover - zlib below inflates the same streams, more slowly
    _isal_zlib = None

READ = 1 << 16  # compressed bytes per read (at most this much is lost before corrupt data)
_MAGIC = b"\x1f\x8b"


def gzip_decoder() -> str:
    """"isal" when python-isal is installed and `SPECLENS_GZIP` is not "zlib", else "zlib"."""
    if _isal_zlib is None or os.environ.get("SPECLENS_GZIP", "").strip().lower() == "zlib":
        return "zlib"
    return "isal"


class Inflated(io.RawIOBase):
    """The decompressed bytes of the gzip file `raw` (read from its current position)."""

    def __init__(self, raw: Any, decoder: str) -> None:
        self._raw = raw
        self._module: Any = _isal_zlib if decoder == "isal" else zlib
        self._errors = (zlib.error,) if self._module is zlib else (zlib.error, self._module.error)
        self._inflate = self._module.decompressobj(31)  # 31: one gzip member (header, CRC and length checked)
        self._input = b""  # compressed bytes not yet given to the decompressor
        self._error: BaseException | None = None
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_member(self) -> bool:
        """After a member's end: start the next one (NUL padding before it skipped); False at the
        end of the file."""
        rest = self._inflate.unused_data
        while len(rest := rest.lstrip(b"\x00")) < 2:
            more = self._raw.read(READ)
            if not more:
                if rest:
                    raise gzip.BadGzipFile(f"Not a gzipped file ({rest!r})")
                return False
            rest += more
        if rest[:2] != _MAGIC:
            raise gzip.BadGzipFile(f"Not a gzipped file ({rest[:2]!r})")
        self._inflate, self._input = self._module.decompressobj(31), rest
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if self._error is not None:
            raise self._error
        if self._done or size == 0:
            return b""
        parts: list[bytes] = []
        got = 0
        try:
            while got < size:
                if self._inflate.eof:
                    if not self._next_member():
                        self._done = True
                        break
                elif not self._input:
                    self._input = self._raw.read(READ)
                    if not self._input:
                        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                out = self._inflate.decompress(self._input, size - got)
                self._input = self._inflate.unconsumed_tail
                if out:
                    parts.append(out)
                    got += len(out)
        except (EOFError, gzip.BadGzipFile, *self._errors) as err:
            self._error = err if isinstance(err, (EOFError, gzip.BadGzipFile)) else gzip.BadGzipFile(
                f"corrupt gzip data ({err})")
            if not parts:
                raise self._error from None
        return b"".join(parts)  # what was inflated before an error too: the error comes with the next read

    read1 = read

    def readall(self) -> bytes:
        parts = []
        while piece := self.read(1 << 20):
            parts.append(piece)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def open_gzip(raw: Any) -> Inflated:
    """The decompressed stream of the open gzip file `raw`, inflated by `gzip_decoder()`."""
    return Inflated(raw, gzip_decoder())
