"""Startup lines that reveal a server lifetime's configuration.

Every vLLM version logs, once per engine at boot, `Initializing a V1 LLM engine (v0.32.0) with
config: model='…', speculative_config=SpeculativeConfig(method='…', model='…', num_spec_tokens=N),
…` (older: `a V0 LLM engine`, `an LLM engine`). It carries the version, the target model and the
speculative method and k; whatever a version leaves out stays None. `draft_max_model_len` reads
the drafter's max_model_len from the boot lines before it (see there).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import NamedTuple

MARKER = "LLM engine (v"

_ENGINE_RE = re.compile(r"LLM engine \(v(?P<version>[^)\s]+)\) with config: model='(?P<model>[^']*)'")
_SPEC_CONFIG_RE = re.compile(r"speculative_config=SpeculativeConfig\((?P<body>[^)]*)\)")
_METHOD_RE = re.compile(r"(?<!\w)method='([^']*)'")
_K_RE = re.compile(r"num_spec(?:ulative)?_tokens=(\d{1,9})(?!\d)")


class StartupLine(NamedTuple):
    """What an engine-initialization line reveals; `timestamp`/`seconds` of its prefix as
    `parsers.spec_line.V1SpecLine` has them."""

    vllm_version: str
    model: str
    spec_method: str | None = None
    num_spec_tokens: int | None = None
    timestamp: str | None = None
    seconds: int | None = None


def parse_startup(message: str, timestamp: str | None = None, seconds: int | None = None) -> StartupLine | None:
    """The configuration an engine-initialization message reveals, or None if it is not one."""
    match = _ENGINE_RE.search(message)
    if match is None:
        return None
    spec = _SPEC_CONFIG_RE.search(message)
    method = k = None
    if spec is not None:
        body = spec.group("body")
        method, k = _METHOD_RE.search(body), _K_RE.search(body)
    return StartupLine(match.group("version"), match.group("model"), method.group(1) if method else None,
                       int(k.group(1)) if k else None, timestamp, seconds)


# The drafter's max_model_len. vLLM 0.32 (config/model.py, config/speculative.py) logs at boot, before the
# engine-initialization line: `Using max model len N` once per ModelConfig (the target's first, then the
# draft model's when the method has one: draft_model, eagle, eagle3, mtp; ngram has none), and, when the
# draft's own length exceeds the target's, `Overriding draft model max model len from D to T` (the drafter
# then runs with T = min(D, target's)). The drafter's effective value is T when overridden, else the second
# `Using max model len`.
_USING_RE = re.compile(r"\bUsing max model len (\d{1,12})\b")
_OVERRIDE_RE = re.compile(r"\bOverriding draft model max model len from (\d{1,12}) to (\d{1,12})\b")
HEAD_LINES = 5000  # the boot lines come within the first few hundred; a log without the engine line is read this far


class DraftMaxModelLen(NamedTuple):
    """The drafter's effective max_model_len as the log printed it; `target` the target's, `native` the
    draft model's own before vLLM lowered it to the target's (None when not overridden); `line` 1-based."""

    value: int
    target: int | None
    native: int | None
    line: int


def draft_max_model_len(lines: Iterable[str]) -> DraftMaxModelLen | None:
    """The drafter's max_model_len from the boot lines of one server lifetime (read up to its first
    engine-initialization line), or None when the log does not print one (no draft model, or another
    vLLM version's wording)."""
    using: list[tuple[int, int]] = []  # (value, line)
    for number, line in enumerate(lines, 1):
        if (over := _OVERRIDE_RE.search(line)) is not None:
            return DraftMaxModelLen(int(over.group(2)), using[0][0] if using else None, int(over.group(1)), number)
        if (found := _USING_RE.search(line)) is not None:
            using.append((int(found.group(1)), number))
        if MARKER in line or number >= HEAD_LINES:
            break
    if len(using) < 2:
        return None
    return DraftMaxModelLen(using[1][0], using[0][0], None, using[1][1])


def read_draft_max_model_len(path: str) -> DraftMaxModelLen | None:
    """`draft_max_model_len` of a server log file (plain or gzip); None also when it cannot be read."""
    from speclens.parsers.log_scan import open_log

    try:
        with open_log(path) as stream:
            handle = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # a plain log comes unbuffered
            return draft_max_model_len(raw.decode("utf-8", "replace") for raw in handle)
    except (OSError, EOFError):
        return None
