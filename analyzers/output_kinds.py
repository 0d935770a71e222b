"""What a speclens output is, from its first bytes: the command and format that wrote it. The -o
guard (`analyzers.atomic.check_output`) replaces an existing file without `--overwrite` only when
it is an earlier output of the same kind as the one being written, so one rule holds for every
command and `speclens render`:

- a JSON report: its `tool` (the command) on the second line, as every `--format json` writes it;
- text, Markdown, CSV and the legacy layout: the first line each renderer writes
  (`speclens VERSION acceptance report`, `# speclens compare`, the CSV header, the `====` rule
  under `Speculative Decoding Acceptance Analysis`, ...);
- a plot: a PNG whose header names Matplotlib (`speclens report` writes its plots with it).

Anything else (raw run data, a user's notes, an empty file) has no kind and is never replaced
without `--overwrite`. tests/test_output_safety.py checks that every command and format is
recognised and that no two share a kind.
"""

from __future__ import annotations

import re

HEAD_BYTES = 4096
_PNG = b"\x89PNG\r\n\x1a\n"
_JSON = re.compile(r'\{\s*"schema_version": *\d+,\s*"tool": *"speclens( [a-z]+)?"')
_COMMAND = r"(acceptance|speedup|compare|report)"
_TEXT = re.compile(r"speclens \S+ (acceptance report \(|speedup report \(|compare \(|report: )")
_MD = re.compile(r"# speclens (acceptance report\n|speedup report\n|compare\n|report: )")
_CSV = {"path,source,kind,primary,": "acceptance", "load,strategy,rate,level_verdict,": "speedup",
        "run,model,method,k,": "compare"}
_LEGACY = re.compile(r"(# [^\n]*\n)*={70}\nSpeculative Decoding Acceptance Analysis\n")


def _command(words: str) -> str:
    return re.search(_COMMAND, words).group(1)  # type: ignore[union-attr] - every pattern names one


def output_kind(head: bytes | str) -> str | None:
    """`speclens COMMAND --format FORMAT` for what a command writes (or wrote) with these first bytes; None
    for anything else."""
    if isinstance(head, bytes):
        if head.startswith(_PNG):
            return "speclens report plot (PNG)" if b"Matplotlib" in head[:512] else None
        head = head[:HEAD_BYTES].decode("utf-8", "replace")
    head = head[:HEAD_BYTES]
    if match := _JSON.match(head):
        return f"speclens {(match.group(1) or ' acceptance').strip()} --format json"
    for pattern, fmt in ((_TEXT, "text"), (_MD, "md")):
        if match := pattern.match(head):
            return f"speclens {_command(match.group(1))} --format {fmt}"
    first = head.split("\n", 1)[0]
    command = next((c for prefix, c in _CSV.items() if first.startswith(prefix)), None)
    if command is not None:
        return f"speclens {command} --format csv"
    return "speclens acceptance --format legacy" if _LEGACY.match(head) else None


def existing_kind(path: str) -> str | None:
    """The kind of the file at `path` (None: not a speclens output, or unreadable). Read with plain
    `open`: looking at a file we may replace does not make it an input."""
    try:
        with open(path, "rb") as handle:
            return output_kind(handle.read(HEAD_BYTES))
    except OSError:
        return None
