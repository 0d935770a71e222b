"""The losslessness client's JSON (clients/losslessness/), typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.parsers.client_reader import Reader

KIND = "losslessness"


@dataclass
class LosslessnessResult:
    path: str
    config: dict
    identity_rate: float | None
    accuracy_equal: bool
    lossless: bool
    results: list[dict] = field(default_factory=list)
    identical: int | None = None  # prompts whose token sequences were identical (absent in older files)
    prompts: int | None = None


def looks_like(keys: set[str]) -> bool:
    return False  # always written with "client": "losslessness"


def parse(r: Reader, data: dict) -> LosslessnessResult:
    s = r.get(data, "summary", dict, "top level")
    return LosslessnessResult(r.path, r.get(data, "config", dict, "top level"), r.num(s, "identity_rate", "summary"),
                              r.get(s, "accuracy_equal", bool, "summary"), r.get(s, "lossless", bool, "summary"),
                              r.get(data, "results", list, "top level"), r.get(s, "identical", int, "summary", True),
                              r.get(s, "prompts", int, "summary", True))
