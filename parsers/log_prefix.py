"""The part of a vLLM log line before its message, in every style vLLM has printed.

Handled: ANSI colour codes (stripped), `VLLM_LOGGING_PREFIX` and journald prefixes (anything
before the level), the `(Name pid=N) ` process tag (names may contain spaces), the old
no-bracket `file.py:NN]` source and relative source paths. The timestamp is `MM-DD HH:MM:SS`:
vLLM prints no year and no milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PREFIX_RE = re.compile(
    r"(?:\((?P<proc>[^()]*?) pid=(?P<pid>\d{1,12})\)\s+)?"
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+"
    r"(?P<ts>\d\d-\d\d \d\d:\d\d:\d\d)\s+\[?(?P<src>[^\]\s]+):(?P<srcline>\d+)\]\s"
)


@dataclass(frozen=True, slots=True)
class Prefix:
    """What the prefix says: process name and pid (None before vLLM 0.10.1), level, timestamp."""

    process: str | None
    pid: int | None
    level: str
    timestamp: str


def strip_ansi(text: str) -> str:
    """Remove ANSI colour/style escape sequences (vLLM 0.10.1–0.11 writes them even to files)."""
    return ANSI_RE.sub("", text) if "\x1b" in text else text


_STAMP_RE = re.compile(r"(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+(\d\d-\d\d \d\d:\d\d:\d\d)\s+\[?[^\]\s]+:\d+\]\s")


def stamp_of(head: str) -> str | None:
    """Only the timestamp of the prefix in `head` (the last one, as `parse_prefix` takes), cheaply."""
    found = _STAMP_RE.findall(head)
    return found[-1] if found else None


def parse_prefix(head: str) -> Prefix | None:
    """Find the vLLM prefix in `head` (the text before a message marker), or None.

    The last match wins, so a journald or `VLLM_LOGGING_PREFIX` text that itself looks like a
    prefix cannot shadow the real one next to the message.
    """
    last = None
    for last in _PREFIX_RE.finditer(head):
        pass
    if last is None:
        return None
    pid = last.group("pid")
    return Prefix(last.group("proc"), int(pid) if pid else None, last.group("level"), last.group("ts"))
