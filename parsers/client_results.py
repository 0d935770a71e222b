"""Result JSONs of the clients in clients/ read back into typed records, offline.

`read_client_result(path)` returns one of DraftVerifyResult, SpecThinkingResult, ThreeModeResult,
AccuracyResult, LosslessnessResult. The kind is the top-level "client" field; files without it
(written by the original tools) are recognised by their top-level keys. Numbers that the client
wrote as null stay None. Bad input raises ParseError (lineno only for JSON syntax errors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input

_NUM = (int, float)


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def get(self, obj: Any, key: str, kinds: tuple | type, where: str, optional: bool = False) -> Any:
        if not isinstance(obj, dict):
            raise ParseError(self.path, None, f"expected an object at {where}")
        if key not in obj or obj[key] is None:
            if optional:
                return None
            raise ParseError(self.path, None, f"expected '{key}' at {where}",
                             "was this file written by a speclens client?")
        value = obj[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _tuple(kinds)):
            raise ParseError(self.path, None,
                             f"expected {_names(kinds)} for '{key}' at {where}, got {type(value).__name__}")
        return value

    def num(self, obj: Any, key: str, where: str, optional: bool = True) -> float | None:
        return self.get(obj, key, _NUM, where, optional)


def _tuple(kinds: tuple | type) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _names(kinds: tuple | type) -> str:
    return " or ".join(k.__name__ for k in _tuple(kinds))


@dataclass
class DraftVerifyResult:
    path: str
    config: dict
    avg_acceptance_rate: float | None
    avg_speed: float | None
    total_tokens: int
    total_draft_generated: int
    total_draft_accepted: int
    draft_efficiency: float | None
    speculation_rounds: int | None
    speedup: float | None
    results: list[dict] = field(default_factory=list)


@dataclass
class AccuracyResult:
    path: str
    config: dict
    accuracy: float | None
    correct: int
    total: int
    results: list[dict] = field(default_factory=list)


@dataclass
class SpecThinkingResult:
    path: str
    config: dict
    large_model: dict | None
    speculative_thinking: dict | None
    speedup: float | None
    throughput_improvement: float | None
    large_model_reduction: float | None


@dataclass
class ThreeModeResult:
    path: str
    metadata: dict
    summary: dict[str, dict]
    per_prompt: list[dict]
    speedup_vs_target: dict[str, float | None]


@dataclass
class LosslessnessResult:
    path: str
    config: dict
    identity_rate: float | None
    accuracy_equal: bool
    lossless: bool
    results: list[dict] = field(default_factory=list)


ClientResult = DraftVerifyResult | AccuracyResult | SpecThinkingResult | ThreeModeResult | LosslessnessResult


def _kind(data: dict) -> str | None:
    if isinstance(data.get("client"), str):
        return data["client"]
    keys = set(data)
    if {"large_model", "speculative_thinking"} & keys:
        return "spec_thinking"
    if {"metadata", "per_prompt"} <= keys:
        return "three_mode"
    if {"config", "metrics", "results"} <= keys:
        return "gsm8k_accuracy"
    if {"config", "summary", "results"} <= keys:
        return "gsm8k_draft_verify"
    return None


def parse_client_result(path: str, data: Any) -> ClientResult:
    r = _Reader(path)
    if not isinstance(data, dict):
        raise ParseError(path, None, "expected a JSON object at the top level")
    kind = _kind(data)
    if kind == "gsm8k_draft_verify":
        s = r.get(data, "summary", dict, "top level")
        return DraftVerifyResult(path, r.get(data, "config", dict, "top level"),
                                 r.num(s, "avg_acceptance_rate", "summary"),
                                 r.num(s, "avg_speed", "summary"), r.get(s, "total_tokens", int, "summary"),
                                 r.get(s, "total_draft_generated", int, "summary"),
                                 r.get(s, "total_draft_accepted", int, "summary"),
                                 r.num(s, "draft_efficiency", "summary"),
                                 r.get(s, "speculation_rounds", int, "summary", optional=True),
                                 r.num(data, "speedup", "top level"), r.get(data, "results", list, "top level"))
    if kind == "gsm8k_accuracy":
        m = r.get(data, "metrics", dict, "top level")
        return AccuracyResult(path, r.get(data, "config", dict, "top level"), r.num(m, "accuracy", "metrics"),
                              r.get(m, "correct", int, "metrics"), r.get(m, "total", int, "metrics"),
                              r.get(data, "results", list, "top level"))
    if kind == "spec_thinking":
        c = r.get(data, "comparison", dict, "top level")
        return SpecThinkingResult(path, r.get(data, "config", dict, "top level"),
                                  r.get(data, "large_model", dict, "top level", optional=True),
                                  r.get(data, "speculative_thinking", dict, "top level", optional=True),
                                  r.num(c, "speedup", "comparison"), r.num(c, "throughput_improvement", "comparison"),
                                  r.num(c, "large_model_reduction", "comparison"))
    if kind == "three_mode":
        summary = r.get(data, "summary", dict, "top level")
        for mode, s in summary.items():
            r.num(s, "avg_tokens_per_second", f"summary.{mode}")
        comparison = data.get("comparison") or {}
        return ThreeModeResult(path, r.get(data, "metadata", dict, "top level"), summary,
                               r.get(data, "per_prompt", list, "top level"),
                               dict(comparison.get("speedup_vs_target") or {}))
    if kind == "losslessness":
        s = r.get(data, "summary", dict, "top level")
        return LosslessnessResult(path, r.get(data, "config", dict, "top level"), r.num(s, "identity_rate", "summary"),
                                  r.get(s, "accuracy_equal", bool, "summary"), r.get(s, "lossless", bool, "summary"),
                                  r.get(data, "results", list, "top level"))
    raise ParseError(path, None, "expected a speclens client result (a 'client' field, or config+summary+results, "
                     "config+metrics+results, metadata+per_prompt, large_model/speculative_thinking)",
                     f"found keys {sorted(data)[:8]}")


def read_client_result(path: str) -> ClientResult:
    """Read and type one client result file."""
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except UnicodeDecodeError:
        raise ParseError(path, None, "expected UTF-8 JSON") from None
    except json.JSONDecodeError as err:
        raise ParseError(path, err.lineno, f"expected JSON ({err.msg})") from None
    return parse_client_result(path, data)
