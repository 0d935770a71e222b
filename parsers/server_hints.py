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


def _head(path: str) -> str:
    with open_input(path, "rb") as handle:
        raw = handle.read(HEAD_BYTES)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = zlib.decompressobj(wbits=31).decompress(raw, HEAD_BYTES)
        except (zlib.error, gzip.BadGzipFile):
            raw = b""
    return raw.decode("utf-8", errors="replace")


def read_server_hints(path: str) -> ServerHints:
    model = method = temperature = None
    configured = None
    spec_lines = False
    for line in _head(path).splitlines():
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
