"""The seed-000 draft/verify client's JSON (clients/gsm8k_draft_verify.py, and the seed's own
`gsm8k_benchmark_<timestamp>.json`), typed.

The seed's file has `config` and a five-key `summary` (avg_acceptance_rate, avg_speed, total_tokens,
total_draft_generated, total_draft_accepted); ours adds draft_efficiency, speculation_rounds,
accuracy, acceptance_distribution, `speedup` and `expected_speedup`. What a file lacks stays None;
the analyzer derives what the integer totals or the per-question results allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.parsers.client_reader import Reader

KIND = "gsm8k_draft_verify"


@dataclass
class DraftVerifyResult:
    path: str
    config: dict
    avg_acceptance_rate: float | None  # mean over questions of each one's accepted / drafted
    avg_speed: float | None  # mean over questions of each one's tokens / s
    total_tokens: int
    total_draft_generated: int
    total_draft_accepted: int
    draft_efficiency: float | None  # as written: Σ accepted / Σ drafted
    speculation_rounds: int | None  # as written in the summary
    speedup: float | None  # measured: pooled tok/s with drafting / the target alone's
    results: list[dict] = field(default_factory=list)
    accuracy: float | None = None
    distribution: dict | None = None  # summary.acceptance_distribution: key → {label, count, fraction}
    expected_speedup: dict | None = None  # the seed formula's inputs and value (clients/draft_verify/speedup.py)


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
                             r.num(data, "speedup", "top level"), r.get(data, "results", list, "top level"),
                             r.num(s, "accuracy", "summary"),
                             r.get(s, "acceptance_distribution", dict, "summary", optional=True),
                             r.get(data, "expected_speedup", dict, "top level", optional=True))
