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
| `guidellm_json` | a guidellm result JSON | speedup, compare; acceptance when its requests carry vLLM's per-request spec-decode metrics (`request_specs`) |
| `openai_responses` | raw OpenAI responses (one object, a JSON array, or JSON Lines) | acceptance (their per-request spec-decode metrics) |
| `guidellm_console` | guidellm's console output | none (its JSON is the result) |
| `client_json` | a speclens client result (clients/) | report, compare |
| `run_json` | a run directory's manifest | (its directory) |
| `speclens_report` | a report saved by `speclens acceptance|speedup|compare|report --format json` | render |
| `empty`, `binary`, `directory`, `unknown_json`, `unknown_text` | | none |

`binary` is decided by proportion, not by one byte: more than 1% control bytes (at least two) in
the head with NUL padding left out (runs of 8+ NULs: a crash leaves blocks of them; a head that
is all padding is read past), or a known binary signature (ELF, PNG, zip, ...). A Docker json-file
log is classified by its `log` fields; rows of a `vllm bench serve` Speculative Decoding block
without its headers are `vllm_bench_console` (`parsers.vllm_bench_console.is_console_fragment`).
Text of no known format is `head_only` when the file goes on past its head: a vLLM line may still
come after it (analyzers.inputs reads it as a log only if the log scan finds one).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass, replace
from typing import Any

from speclens.parsers.files import open_input
from speclens.parsers.log_prefix import STAMP_RE as _STAMP_RE
from speclens.parsers.log_prefix import clean, docker_log_field
from speclens.parsers.run_dir import MANIFEST, detect
from speclens.parsers.vllm_bench_console import is_console_fragment

HEAD_BYTES = 1 << 16
PADDING_READ = 64 << 20  # how far past leading NUL padding to look for text
_SPEC_MARKERS = ("SpecDecoding metrics:", "Speculative metrics:", "DiffusionDecoding metrics:")
# a bare stats line in each form parsers.throughput_line reads: `Engine 000: `, `2 Engines Aggregated: `, V0's none
_BARE_STATS_RE = re.compile(r"(?:Engine \d+: |\d+ Engines Aggregated: )?Avg prompt throughput:")
_BENCH_CONSOLE = "Serving Benchmark Result"
_GUIDELLM_CONSOLE = ("OpenAIHTTPBackend backend validated", "Benchmarks Metadata:")
_SAMPLE_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?[ \t]+"
                        r"(?:[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?Inf|NaN)(?:[ \t]+-?\d+)?[ \t]*")


@dataclass(frozen=True, slots=True)
class FileKind:
    kind: str
    description: str  # one phrase: what the file looks like
    reader: str | None  # the speclens command(s) that read it, or None
    request_specs: bool = False  # its requests carry vLLM's per-request spec-decode metrics (metrics.speculative_decoding)
    head_only: bool = False  # unknown_text longer than the head sniffed: a vLLM line may still come after it

    def hint(self) -> str:
        """`<description>; read it with <reader>` (or that no speclens command reads it)."""
        if not self.reader:
            return f"{self.description}; no speclens command reads it"
        # each command in its own backticks: "`speclens speedup` or `speclens compare`"
        commands = re.sub(r"(speclens [a-z|]+(?: DIR)?)", r"`\1`", self.reader)
        return f"{self.description}; read it with {commands}"


_READERS = {
    "run_dir": "speclens acceptance|compare|report DIR",
    "vllm_log": "speclens acceptance",
    "prometheus": "speclens acceptance",
    "vllm_bench_json": "speclens acceptance (its spec_decode_* counts) or speclens speedup",
    "vllm_bench_console": "speclens acceptance (its Speculative Decoding block)",
    "guidellm_json": "speclens speedup or speclens compare",
    "openai_responses": "speclens acceptance (their per-request spec-decode metrics)",
    "client_json": "speclens report or speclens compare",
    "run_json": "speclens acceptance|compare|report on its directory",
    "speclens_report": "speclens render",
}


def file_kind(kind: str, description: str) -> FileKind:
    return FileKind(kind, description, _READERS.get(kind))


def _head(path: str) -> tuple[bytes | None, bool, bool]:
    """Up to HEAD_BYTES of the file (decompressed when gzip; None when that fails), its NUL
    padding left out (`_without_padding`), whether it was gzip, and whether that is all of the
    file (its text ends within the head). When the first HEAD_BYTES are all padding (logrotate's
    copytruncate leaves that), reading goes on for text after it, up to PADDING_READ bytes."""
    with open_input(path, "rb") as handle:
        raw = handle.read(HEAD_BYTES)
        if raw[:2] == b"\x1f\x8b":
            unzip = zlib.decompressobj(wbits=31)
            try:
                text = unzip.decompress(raw, HEAD_BYTES)
            except zlib.error:
                text = b""
            whole = len(raw) < HEAD_BYTES and unzip.eof and not unzip.unused_data  # one member, all of it
            return (_without_padding(text) if text else None), True, whole
        head, read = _without_padding(raw), len(raw)
        while not head and raw and read < PADDING_READ:
            raw = handle.read(HEAD_BYTES)
            head, read = _without_padding(raw), read + len(raw)
    return head, False, len(raw) < HEAD_BYTES


_PADDING_RE = re.compile(rb"\x00{8,}")  # crash padding: a run of NULs (a whole lost block, or its tail)
# control bytes no text has (tab, newline, vertical tab, form feed, carriage return and ESC, which
# starts ANSI colour codes, are text)
_CONTROL = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_BINARY_SHARE = 100  # binary when more than 1 byte in 100 of the head, NUL padding left out, is a control byte
_MAGIC = ((b"\x7fELF", "an ELF executable or library"), (b"\x89PNG\r\n\x1a\n", "a PNG image"),
          (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a zip archive"),
          (b"%PDF-", "a PDF document"), (b"\x93NUMPY", "a NumPy array"), (b"\xfd7zXZ\x00", "an xz archive"),
          (b"\x28\xb5\x2f\xfd", "a zstd archive"), (b"SQLite format 3\x00", "an SQLite database"))


def _without_padding(data: bytes) -> bytes:
    """`data` without its runs of 8 or more NUL bytes (what a crash leaves where a block was lost)."""
    return _PADDING_RE.sub(b"", data) if b"\x00" * 8 in data else data


def _binary(head: bytes | None, gz: bool) -> str | None:
    """What the head looks like when it is not text (None when it is text): a known binary format by
    its first bytes, or more than 1% control bytes. A stray byte (a NUL, an echoed Latin-1 prompt)
    in a log is not "binary"; bytes that are not UTF-8 are no criterion at all, only control bytes."""
    if head is None:
        return "gzip data that does not decompress to text"
    if not head:
        return "only NUL bytes (padding), no text"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    control = len(head) - len(head.translate(None, _CONTROL))
    if control * _BINARY_SHARE > len(head) and control > 1:
        return "gzip data that does not decompress to text" if gz else "binary data, not text"
    return None


def classify_json(doc: Any) -> FileKind:
    """The kind of a parsed JSON document."""
    from speclens.parsers.vllm_bench import is_vllm_bench

    if isinstance(doc, dict):
        if is_vllm_bench(doc):
            return file_kind("vllm_bench_json", "a `vllm bench serve --save-result` JSON")
        if isinstance(doc.get("benchmarks"), list):
            if _guidellm_has_specs(doc):
                return FileKind("guidellm_json", "a guidellm result JSON whose requests carry vLLM's per-request "
                                "spec-decode metrics", "speclens acceptance, speclens speedup or speclens compare", True)
            return file_kind("guidellm_json", "a guidellm result JSON (load-driver timings, no acceptance counts)")
        if "steps" in doc and "config" in doc and "argv" in doc:
            return file_kind("run_json", f"a run directory's {MANIFEST} manifest")
        tool = doc.get("tool")
        if isinstance(tool, str) and tool.startswith("speclens") and "schema_version" in doc:
            return file_kind("speclens_report", f"a saved `{tool}` report (schema {doc['schema_version']})")
        if "client" in doc or {"config", "summary", "results"} <= set(doc) or {"config", "metrics", "results"} <= set(doc) \
                or {"metadata", "per_prompt"} <= set(doc) or "speculative_thinking" in doc:
            return file_kind("client_json", "a speclens client result JSON")
        if "choices" in doc:
            return _responses(1, _spec_of(doc) is not None)
    if isinstance(doc, list) and doc and all(isinstance(o, dict) and "choices" in o for o in doc):
        return _responses(len(doc), any(_spec_of(o) is not None for o in doc))
    return file_kind("unknown_json", "a JSON document of no format speclens knows")


def _spec_of(obj: Any) -> Any:
    """`metrics.speculative_decoding` of a response (guidellm: `response_metrics`), or None."""
    metrics = obj.get("metrics", obj.get("response_metrics")) if isinstance(obj, dict) else None
    return metrics.get("speculative_decoding") if isinstance(metrics, dict) else None


def _guidellm_has_specs(doc: dict) -> bool:
    """Whether any saved successful request of a guidellm result carries per-request spec-decode metrics."""
    for bench in doc["benchmarks"]:
        requests = bench.get("requests") if isinstance(bench, dict) else None
        rows = requests.get("successful") if isinstance(requests, dict) else None
        if isinstance(rows, list) and any(_spec_of(r) is not None for r in rows):
            return True
    return False


def _responses(count: int, specs: bool, lines: bool = False) -> FileKind:
    shape = "JSON Lines of raw OpenAI responses" if lines else f"{count} raw OpenAI response object(s)"
    if specs:
        return FileKind("openai_responses", f"{shape} with vLLM's per-request spec-decode metrics",
                        _READERS["openai_responses"], True)
    return FileKind("openai_responses", f"{shape} without per-request spec-decode metrics (metrics.speculative_decoding)",
                    _READERS["openai_responses"], False)


def _is_log_line(line: str) -> bool:
    """A line with vLLM's `LEVEL MM-DD HH:MM:SS [file:N]` prefix, or a bare spec, diffusion, stats or
    engine-start message, each as the log reader reads it (ANSI codes and Markdown marks aside: `parsers.log_prefix.clean`; in a Markdown list or quote)."""
    line = clean(line)
    if "]" in line and _STAMP_RE.search(line):
        return True
    line = line.lstrip("-> \t")
    return line.startswith(_SPEC_MARKERS) or _BARE_STATS_RE.match(line) is not None or (
        line.startswith("Initializing a V") and "LLM engine (v" in line)


def _docker_log_text(text: str) -> str | None:
    """The `log` fields of a Docker json-file log (`{"log": "...\n", "stream": ..., "time": ...}`
    per line), joined, when the head's first line is such a record; else None."""
    lines = text.splitlines()
    if not lines:
        return None
    fields = [docker_log_field(line.encode()) for line in (lines[:-1] or lines)]  # the last may be cut
    if fields[0] is None or not ('"stream"' in lines[0] or '"time"' in lines[0]):
        return None
    return "\n".join(f.decode() for f in fields if f is not None)


def _classify_text(text: str, gz: bool) -> FileKind:
    if _BENCH_CONSOLE in text:
        return file_kind("vllm_bench_console", "the console output of `vllm bench serve`")
    if is_console_fragment(text):
        return file_kind("vllm_bench_console",
                         "rows of the Speculative Decoding block of `vllm bench serve`'s console output (no result header)")
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
    head, gz, whole = _head(path)
    binary = _binary(head, gz)
    if binary is not None:
        return file_kind("binary", binary)
    assert head is not None
    text = head.decode("utf-8", "replace")
    docker = _docker_log_text(text) if text[:1] == "{" else None
    if docker is not None:
        if _classify_text(docker, gz).kind == "vllm_log":
            return file_kind("vllm_log", "a vLLM server log in Docker's json-file format" + (" (gzip)" if gz else ""))
        found = file_kind("unknown_text", "a Docker json-file log with no vLLM log lines")
    elif not gz and text.lstrip()[:1] in ("{", "["):
        return _sniff_json(path)
    else:
        found = _classify_text(text, gz)
    # text of no known format past the head: the log reader's own scan decides (analyzers.inputs.confirm_log)
    return replace(found, head_only=True) if found.kind == "unknown_text" and not whole else found


def _sniff_json(path: str) -> FileKind:
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            doc = json.load(handle)
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":  # JSON Lines: one response object per line
            return _sniff_jsonl(path)
        return file_kind("unknown_json", "a truncated or invalid JSON document")
    except UnicodeDecodeError:
        return file_kind("unknown_json", "a truncated or invalid JSON document")
    return classify_json(doc)


def _sniff_jsonl(path: str) -> FileKind:
    """JSON Lines whose first object is an OpenAI response (its lines are checked by the reader,
    parsers.request_metrics); anything else is invalid JSON."""
    specs, count = False, 0
    with open_input(path, "r", encoding="utf-8", errors="replace") as handle:  # a bad byte fails its line's JSON
        for line in handle:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                break
            if not (isinstance(obj, dict) and "choices" in obj):
                break
            count += 1
            specs = specs or _spec_of(obj) is not None
            if specs:
                return _responses(count, True, lines=True)
    if count:
        return _responses(count, False, lines=True)
    return file_kind("unknown_json", "a truncated or invalid JSON document")
