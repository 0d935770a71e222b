"""What a speclens output is, from its first bytes: the command and format that wrote it. The -o
guard (`analyzers.atomic.check_output`) replaces an existing file without `--overwrite` only when
it is an earlier output of the same kind as the one being written, so one rule holds for every
command and `speclens render`:

- a JSON report: its `tool` (the command) on the second line, as every `--format json` writes it;
- text, Markdown, CSV and the legacy layout: the first line each renderer writes
  (`speclens VERSION acceptance report`, `# speclens compare`, the CSV header, the `====` rule
  under `Speculative Decoding Acceptance Analysis`, ...);
- a plot: a PNG whose header names Matplotlib (`speclens report` writes its plots with it);
- a request table in Parquet (`speclens requests`): `PARQUET_MARK` in its footer's metadata; a compare
  table in Parquet (`speclens compare`): `COMPARE_PARQUET_MARK`.

Anything else (raw run data, a user's notes, an empty file) has no kind and is never replaced
without `--overwrite`. tests/test_output_safety.py checks that every command and format is
recognised and that no two share a kind.
"""

from __future__ import annotations

import os
import re

HEAD_BYTES = 4096
_PNG = b"\x89PNG\r\n\x1a\n"
_JSON = re.compile(r'\{\s*"schema_version": *\d+,\s*"tool": *"speclens( [a-z]+)?"')
_COMMAND = r"(acceptance|speedup|compare|report|sweep)"
_TEXT = re.compile(r"speclens \S+ (acceptance report \(|speedup report \(|sweep report \(|compare \(|report: )")
_MD = re.compile(r"# speclens (acceptance report\n|speedup report\n|sweep report\n|compare\n|report: )")
_CSV = {"path,source,kind,primary,": "acceptance", "load,strategy,rate,level_verdict,": "speedup",
        "run,model,method,k,": "compare", "run,cell_id,category,role,": "requests"}
PARQUET_MARK = b"speclens requests"  # key of the footer metadata `speclens requests` writes into its Parquet
COMPARE_PARQUET_MARK = b"speclens compare table"  # the same, for `speclens compare -o TABLE.parquet`
_LEGACY = re.compile(r"(# [^\n]*\n)*={70}\nSpeculative Decoding Acceptance Analysis\n")
# `speclens profile`: specdec_bench's speculation_profile.json (a string schema_version), marked by its producer
_PROFILE = re.compile(r'\{\s*"schema_version": *"[^"]*",\s*"producer": *"speclens profile"')


def _command(words: str) -> str:
    return re.search(_COMMAND, words).group(1)  # type: ignore[union-attr] - every pattern names one


def output_kind(head: bytes | str) -> str | None:
    """`speclens COMMAND --format FORMAT` for what a command writes (or wrote) with these first bytes; None
    for anything else."""
    if isinstance(head, bytes):
        if head.startswith(_PNG):
            return "speclens report plot (PNG)" if b"Matplotlib" in head[:512] else None
        if head.startswith(b"PAR1"):  # Parquet: its metadata is in the footer (existing_kind reads the tail too)
            tail = head[-HEAD_BYTES * 16:]
            return ("speclens requests --format parquet" if PARQUET_MARK in tail else
                    "speclens compare --format parquet" if COMPARE_PARQUET_MARK in tail else None)
        head = head[:HEAD_BYTES].decode("utf-8", "replace")
    head = head[:HEAD_BYTES]
    if _PROFILE.match(head):
        return "speclens profile --format json"
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
            head = handle.read(HEAD_BYTES)
            if head.startswith(b"PAR1"):  # and its footer, where `speclens requests` marks its Parquet
                handle.seek(max(0, os.fstat(handle.fileno()).st_size - HEAD_BYTES * 16))
                head += handle.read()
            return output_kind(head)
    except OSError:
        return None
