"""Startup lines that reveal a server lifetime's configuration.

Every vLLM version logs, once per engine at boot, `Initializing a V1 LLM engine (v0.32.0) with
config: model='…', speculative_config=SpeculativeConfig(method='…', model='…', num_spec_tokens=N),
…` (older: `a V0 LLM engine`, `an LLM engine`). It carries the version, the target model and the
speculative method and k; whatever a version leaves out stays None.
"""

from __future__ import annotations

import re
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
