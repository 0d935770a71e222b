"""What a file looks like, from its first bytes (and, for JSON, its top-level keys): so every
command can say "this is a guidellm result; `speclens speedup` reads it" instead of failing on
a format it was never meant to read.

`sniff(path)` reads at most `HEAD_BYTES` of a text file (decompressed for gzip) and parses a
JSON file whole (result files are small next to logs); a directory is described by
`parsers.run_dir.detect`, the one entry point for PATH arguments. Kinds and the command that
reads each:

| kind | what | read by |
|---|---|---|
| `run_dir` | a directory holding any of a run directory's data files (parsers.run_dir) | acceptance, compare, report |
| `vllm_log` | a vLLM server log (plain or gzip) | acceptance |
| `prometheus` | a /metrics scrape (Prometheus text) | acceptance |
| `vllm_bench_json` | `vllm bench serve --save-result` JSON | acceptance (spec_decode_* keys), speedup |
| `vllm_bench_console` | the console output of `vllm bench serve` | acceptance ("Speculative Decoding" block) |
| `guidellm_json` | a guidellm result JSON | speedup, compare |
| `guidellm_console` | guidellm's console output | none (its JSON is the result) |
| `client_json` | a speclens client result (clients/) | report, compare |
| `run_json` | a run directory's manifest | (its directory) |
| `speclens_report` | a report saved by `speclens acceptance|speedup|compare|report --format json` | render |
| `empty`, `binary`, `directory`, `unknown_json`, `unknown_text` | | none |
"""

from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass
from typing import Any

from speclens.parsers.files import open_input
from speclens.parsers.log_prefix import STAMP_RE as _STAMP_RE
from speclens.parsers.log_prefix import strip_ansi
from speclens.parsers.run_dir import MANIFEST, detect

HEAD_BYTES = 1 << 16
_SPEC_MARKERS = ("SpecDecoding metrics:", "Speculative metrics:")
_BENCH_CONSOLE = "Serving Benchmark Result"
_GUIDELLM_CONSOLE = ("OpenAIHTTPBackend backend validated", "Benchmarks Metadata:")
_SAMPLE_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?[ \t]+"
                        r"(?:[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?Inf|NaN)(?:[ \t]+-?\d+)?[ \t]*")


@dataclass(frozen=True, slots=True)
class FileKind:
    kind: str
    description: str  # one phrase: what the file looks like
    reader: str | None  # the speclens command(s) that read it, or None

    def hint(self) -> str:
        """`<description>; read it with <reader>` (or that no speclens command reads it)."""
        return f"{self.description}; " + (f"read it with `{self.reader}`" if self.reader
                                           else "no speclens command reads it")


_READERS = {
    "run_dir": "speclens acceptance|compare|report DIR",
    "vllm_log": "speclens acceptance",
    "prometheus": "speclens acceptance",
    "vllm_bench_json": "speclens acceptance (its spec_decode_* counts) or speclens speedup",
    "vllm_bench_console": "speclens acceptance (its Speculative Decoding block)",
    "guidellm_json": "speclens speedup or speclens compare",
    "client_json": "speclens report or speclens compare",
    "run_json": "speclens acceptance|compare|report on its directory",
    "speclens_report": "speclens render",
}


def file_kind(kind: str, description: str) -> FileKind:
    return FileKind(kind, description, _READERS.get(kind))


def _head(path: str) -> tuple[bytes, bool]:
    """The first HEAD_BYTES of the file (decompressed when gzip) and whether it was gzip."""
    with open_input(path, "rb") as handle:
        raw = handle.read(HEAD_BYTES)
    if raw[:2] != b"\x1f\x8b":
        return raw, False
    try:
        text = zlib.decompressobj(wbits=31).decompress(raw, HEAD_BYTES)
    except zlib.error:
        text = b""
    return text or b"\x00", True  # nothing decompresses: corrupt (reported as binary)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(head) - 3  # a character cut at the end of the head is fine
    return True


def classify_json(doc: Any) -> FileKind:
    """The kind of a parsed JSON document."""
    from speclens.parsers.vllm_bench import is_vllm_bench

    if isinstance(doc, dict):
        if is_vllm_bench(doc):
            return file_kind("vllm_bench_json", "a `vllm bench serve --save-result` JSON")
        if isinstance(doc.get("benchmarks"), list):
            return file_kind("guidellm_json", "a guidellm result JSON (load-driver timings, no acceptance counts)")
        if "steps" in doc and "config" in doc and "argv" in doc:
            return file_kind("run_json", f"a run directory's {MANIFEST} manifest")
        tool = doc.get("tool")
        if isinstance(tool, str) and tool.startswith("speclens") and "schema_version" in doc:
            return file_kind("speclens_report", f"a saved `{tool}` report (schema {doc['schema_version']})")
        if "client" in doc or {"config", "summary", "results"} <= set(doc) or {"config", "metrics", "results"} <= set(doc) \
                or {"metadata", "per_prompt"} <= set(doc) or "speculative_thinking" in doc:
            return file_kind("client_json", "a speclens client result JSON")
    return file_kind("unknown_json", "a JSON document of no format speclens knows")


def _is_log_line(line: str) -> bool:
    """A line with vLLM's `LEVEL MM-DD HH:MM:SS [file:N]` prefix, or a bare spec/stats message."""
    if "]" in line and _STAMP_RE.search(strip_ansi(line)):
        return True
    return line.startswith(_SPEC_MARKERS) or line.startswith("Engine ") and "Avg prompt throughput:" in line


def _classify_text(text: str, gz: bool) -> FileKind:
    if _BENCH_CONSOLE in text:
        return file_kind("vllm_bench_console", "the console output of `vllm bench serve`")
    if any(map(_is_log_line, text.splitlines())):
        return file_kind("vllm_log", "a gzip-compressed vLLM server log" if gz else "a vLLM server log")
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and any(not line.startswith("#") for line in lines) and all(
            line.startswith("#") or _SAMPLE_RE.fullmatch(line) for line in lines):
        return file_kind("prometheus", "a Prometheus /metrics scrape")
    if any(marker in text for marker in _GUIDELLM_CONSOLE):
        return file_kind("guidellm_console", "guidellm's console output (its result is the JSON it wrote)")
    return file_kind("unknown_text", "text of no format speclens knows")


def sniff(path: str) -> FileKind:
    """What `path` looks like (raises OSError when it cannot be read)."""
    if os.path.isdir(path):
        return detect(path).what
    if os.path.getsize(path) == 0:
        return file_kind("empty", "an empty file (0 bytes)")
    head, gz = _head(path)
    if not _is_text(head):
        return file_kind("binary", "gzip data that does not decompress to text" if gz else "binary data, not text")
    text = head.decode("utf-8", "ignore")
    if not gz and text.lstrip()[:1] in ("{", "["):
        return _sniff_json(path)
    return _classify_text(text, gz)


def _sniff_json(path: str) -> FileKind:
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            doc = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return file_kind("unknown_json", "a truncated or invalid JSON document")
    return classify_json(doc)
