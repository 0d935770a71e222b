"""The part of a vLLM log line before its message, in every style vLLM has printed: the one
place that knows its shape.

Handled: ANSI colour codes (stripped), `VLLM_LOGGING_PREFIX` and journald prefixes (anything
before the level), the `(Name pid=N) ` process tag (names may contain spaces), the old
no-bracket `file.py:NN]` source and relative source paths. The timestamp is `MM-DD HH:MM:SS`:
vLLM prints no year and no milliseconds. Lines as users keep them are unwrapped first
(`line_text`): a Docker json-file record (`{"log": "...\n", "stream": ..., "time": ...}`) is
read as its `log` field, and Markdown emphasis and code marks (`**`, `*`, backticks: a log pasted
into Markdown) are removed; vLLM writes neither `*` nor backticks in the lines speclens reads.
"""

from __future__ import annotations

import json
import re

ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LEVEL = r"(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)"
_STAMP = r"\d\d-\d\d \d\d:\d\d:\d\d"

# LEVEL, the timestamp (group 1) and `[file.py:N] ` (or the old `file.py:N] `). Whatever comes
# before the level (the process tag, journald, VLLM_LOGGING_PREFIX) is not part of the match.
STAMP_RE = re.compile(rf"{_LEVEL}\s+({_STAMP})\s+\[?[^\]\s]+:\d+\]\s")

# The prefix vLLM 0.10.2+ writes by default, as a bytes pattern to be anchored at a line's start:
# `(Name pid=N) INFO MM-DD HH:MM:SS [file.py:N] `, the timestamp in group `stamp`. A narrowing of
# STAMP_RE (whatever it matches, `stamp_of` reads the same timestamp from), for the whole-line
# fast path of `parsers.log_line`.
CANONICAL_PREFIX = (rb"\([A-Za-z][\w-]{0,40} pid=\d{1,12}\) INFO (?P<stamp>" + _STAMP.encode()
                    + rb") \[[\w./-]{1,200}:\d{1,9}\] ")


def strip_ansi(text: str) -> str:
    """Remove ANSI colour/style escape sequences (vLLM 0.10.1–0.11 writes them even to files)."""
    return ANSI_RE.sub("", text) if "\x1b" in text else text


def stamp_of(head: str) -> str | None:
    """The timestamp of the vLLM prefix in `head` (the text before a message marker), or None.
    The last prefix wins, so a journald or `VLLM_LOGGING_PREFIX` text that itself looks like a
    prefix cannot shadow the real one next to the message."""
    found = STAMP_RE.findall(head)
    return found[-1] if found else None


_MARKUP = str.maketrans("", "", "*`")


def clean(text: str) -> str:
    """`text` without ANSI codes and Markdown emphasis and code marks."""
    text = strip_ansi(text)
    return text.translate(_MARKUP) if "*" in text or "`" in text else text


def docker_log_field(raw: bytes) -> bytes | None:
    """The `log` field of a Docker json-file record (one JSON object per line, the line's text in
    `log` with its newline), without that newline; None when `raw` is not such a record."""
    if raw[:1] != b"{" or b'"log"' not in raw:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    log = doc.get("log") if isinstance(doc, dict) else None
    return log.rstrip("\r\n").encode("utf-8", "replace") if isinstance(log, str) else None


def line_text(raw: bytes) -> str:
    """One raw log line as the readers see it: a Docker record's `log` field, decoded as UTF-8
    (bytes that are not UTF-8 replaced by U+FFFD), `clean`ed, without a trailing CR."""
    if raw[:1] == b"{":
        raw = docker_log_field(raw) or raw
    return clean(raw.decode("utf-8", "replace")).rstrip("\r")
