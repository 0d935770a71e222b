"""What the top of a vLLM server log says about how the server was started: a bounded read
(the first `HEAD_BYTES`, decompressed for gzip), never a scan of the whole log.

- `model`, `spec_method`: the first engine-initialization line (`parsers.startup`): `model='…'`
  and `speculative_config=SpeculativeConfig(method='…', …)` (`speculative_config=None`: no
  speculation, `spec_configured` False).
- `temperature`: `'override_generation_config': {'temperature': X}` of the `non-default args:`
  line; "server default" when that line has no temperature override; None without the line.
- `spec_lines`: a `SpecDecoding metrics:` / `Speculative metrics:` line within the head.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from speclens.parsers.files import open_input
from speclens.parsers.run_manifest import SERVER_DEFAULT
from speclens.parsers.startup import MARKER, parse_startup

HEAD_BYTES = 1 << 18
_OVERRIDE_RE = re.compile(r"'override_generation_config': \{[^}]*'temperature': ([-+0-9.eE]+)")


@dataclass(frozen=True, slots=True)
class ServerHints:
    path: str
    model: str | None = None
    spec_configured: bool | None = None
    spec_method: str | None = None
    temperature: float | str | None = None
    spec_lines: bool = False


class HeadTap:
    """The first HEAD_BYTES of a file that a reader feeds in order, from its start (a log reader's `on_chunk`):
    `read_server_hints(path, tap.head())` then opens the file no second time. `then`: the next consumer of
    every chunk (the input digest), or None."""

    def __init__(self, then: Callable[[bytes], None] | None = None) -> None:
        self._parts: list[bytes] = []
        self._size = 0
        self._then = then

    def feed(self, chunk: bytes) -> None:
        if self._size < HEAD_BYTES:
            part = chunk[:HEAD_BYTES - self._size]
            self._parts.append(part)
            self._size += len(part)
        if self._then is not None:
            self._then(chunk)

    def head(self) -> bytes:
        return b"".join(self._parts)


def _head(path: str, raw: bytes | None = None) -> str:
    if raw is None:
        with open_input(path, "rb") as handle:
            raw = handle.read(HEAD_BYTES)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = zlib.decompressobj(wbits=31).decompress(raw, HEAD_BYTES)
        except (zlib.error, gzip.BadGzipFile):
            raw = b""
    return raw.decode("utf-8", errors="replace")


def read_server_hints(path: str, head: bytes | None = None) -> ServerHints:
    """`head`: the file's first HEAD_BYTES (all of a shorter file) when the caller read them already (HeadTap)."""
    model = method = temperature = None
    configured = None
    spec_lines = False
    for line in _head(path, head).splitlines():
        if configured is None and MARKER in line:
            fields = parse_startup(line)
            if fields is not None:
                model, method = fields.model, fields.spec_method
                configured = True if method or "speculative_config=SpeculativeConfig(" in line else (
                    False if "speculative_config=None" in line else None)
        elif temperature is None and "non-default args:" in line:
            match = _OVERRIDE_RE.search(line)
            try:
                temperature = float(match.group(1)) if match else SERVER_DEFAULT
            except ValueError:
                temperature = None
        elif "SpecDecoding metrics:" in line or "Speculative metrics:" in line:
            spec_lines = True
    return ServerHints(path, model, configured, method, temperature, spec_lines)
