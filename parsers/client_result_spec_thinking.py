"""The speculative-thinking benchmark's JSON (clients/spec_thinking/, the seed's
`speedup_benchmark_TIMESTAMP.json` shape), typed: per mode its statistics and accuracy, and the
comparison. A mode that did not run is None; numbers written as null stay None."""

from __future__ import annotations

from dataclasses import dataclass

from speclens.parsers.client_reader import Reader

KIND = "spec_thinking"
SECTIONS = ("large_model", "speculative_thinking")


@dataclass
class ModeSummary:
    """One mode: means over its completed runs, and accuracy = correct / runs."""

    mean_latency_s: float | None
    mean_throughput: float | None
    mean_total_tokens: float | None
    mean_large_model_ratio: float | None
    runs: int | None
    correct: int | None
    accuracy: float | None
    timed_out: int | None
    large_model_calls: dict | None


@dataclass
class SpecThinkingResult:
    path: str
    config: dict
    speedup: float | None
    throughput_improvement: float | None
    large_model_reduction: float | None
    modes: dict[str, ModeSummary]

    @property
    def speculative_model(self) -> str | None:
        return self.config.get("speculative_model")


def looks_like(keys: set[str]) -> bool:
    return bool({"large_model", "speculative_thinking"} & keys)


def _mode(r: Reader, section: dict, name: str) -> ModeSummary:
    stats = r.get(section, "statistics", dict, name)
    mean = lambda key: r.num(r.get(stats, key, dict, f"{name}.statistics", optional=True) or {}, "mean",
                             f"{name}.statistics.{key}")
    acc = r.get(section, "accuracy", dict, name, optional=True) or {}
    count = lambda key: r.get(acc, key, int, f"{name}.accuracy", optional=True)
    return ModeSummary(mean("latency"), mean("throughput"), mean("total_tokens"), mean("large_model_ratio"),
                       count("runs"), count("correct"), r.num(acc, "accuracy", f"{name}.accuracy"), count("timed_out"),
                       r.get(section, "large_model_calls", dict, name, optional=True))


def parse(r: Reader, data: dict) -> SpecThinkingResult:
    c = r.get(data, "comparison", dict, "top level")
    sections = {s: r.get(data, s, dict, "top level", optional=True) for s in SECTIONS}
    modes = {s: _mode(r, sec, s) for s, sec in sections.items() if sec is not None}
    return SpecThinkingResult(r.path, r.get(data, "config", dict, "top level"), r.num(c, "speedup", "comparison"),
                              r.num(c, "throughput_improvement", "comparison"),
                              r.num(c, "large_model_reduction", "comparison"), modes)
