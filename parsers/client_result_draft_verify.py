"""The seed-000 draft/verify client's JSON (clients/gsm8k_draft_verify.py), typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.parsers.client_reader import Reader

KIND = "gsm8k_draft_verify"


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


def looks_like(keys: set[str]) -> bool:
    return {"config", "summary", "results"} <= keys


def parse(r: Reader, data: dict) -> DraftVerifyResult:
    s = r.get(data, "summary", dict, "top level")
    return DraftVerifyResult(r.path, r.get(data, "config", dict, "top level"),
                             r.num(s, "avg_acceptance_rate", "summary"),
                             r.num(s, "avg_speed", "summary"), r.get(s, "total_tokens", int, "summary"),
                             r.get(s, "total_draft_generated", int, "summary"),
                             r.get(s, "total_draft_accepted", int, "summary"),
                             r.num(s, "draft_efficiency", "summary"),
                             r.get(s, "speculation_rounds", int, "summary", optional=True),
                             r.num(data, "speedup", "top level"), r.get(data, "results", list, "top level"))
