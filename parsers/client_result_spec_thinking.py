"""The speculative-thinking client's JSON (clients/spec_thinking.py), typed."""

from __future__ import annotations

from dataclasses import dataclass

from speclens.parsers.client_reader import Reader

KIND = "spec_thinking"


@dataclass
class SpecThinkingResult:
    path: str
    config: dict
    large_model: dict | None
    speculative_thinking: dict | None
    speedup: float | None
    throughput_improvement: float | None
    large_model_reduction: float | None


def looks_like(keys: set[str]) -> bool:
    return bool({"large_model", "speculative_thinking"} & keys)


def parse(r: Reader, data: dict) -> SpecThinkingResult:
    c = r.get(data, "comparison", dict, "top level")
    return SpecThinkingResult(r.path, r.get(data, "config", dict, "top level"),
                              r.get(data, "large_model", dict, "top level", optional=True),
                              r.get(data, "speculative_thinking", dict, "top level", optional=True),
                              r.num(c, "speedup", "comparison"), r.num(c, "throughput_improvement", "comparison"),
                              r.num(c, "large_model_reduction", "comparison"))
