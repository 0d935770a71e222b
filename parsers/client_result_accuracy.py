"""The GSM8K accuracy client's JSON (clients/gsm8k_accuracy.py), typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.parsers.client_reader import Reader

KIND = "gsm8k_accuracy"


@dataclass
class AccuracyResult:
    path: str
    config: dict
    accuracy: float | None
    correct: int
    total: int
    results: list[dict] = field(default_factory=list)
    server_diffusion: dict | None = None  # the run's vllm:diffusion_* deltas, when the server had them


def looks_like(keys: set[str]) -> bool:
    return {"config", "metrics", "results"} <= keys


def parse(r: Reader, data: dict) -> AccuracyResult:
    m = r.get(data, "metrics", dict, "top level")
    return AccuracyResult(r.path, r.get(data, "config", dict, "top level"), r.num(m, "accuracy", "metrics"),
                          r.get(m, "correct", int, "metrics"), r.get(m, "total", int, "metrics"),
                          r.get(data, "results", list, "top level"),
                          r.get(data, "server_diffusion", dict, "top level", optional=True))
