"""The three-mode (target / spec base / spec LoRA) suite's JSON (clients/speclora/three_mode.py,
`speclens.clients.speclora benchmark-suite`), typed. Files of older versions without `comparison`,
or with its former `acceptance_gain` key, read the same."""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.parsers.client_reader import Reader

KIND = "three_mode"


@dataclass
class ThreeModeResult:
    path: str
    metadata: dict
    summary: dict[str, dict]
    per_prompt: list[dict]
    speedup_vs_target: dict[str, float | None] = field(default_factory=dict)
    lora_vs_base: dict[str, float | None] | None = None  # tokens_per_second_gain, acceptance_difference


def looks_like(keys: set[str]) -> bool:
    return {"metadata", "per_prompt"} <= keys


def parse(r: Reader, data: dict) -> ThreeModeResult:
    summary = r.get(data, "summary", dict, "top level")
    for mode, s in summary.items():
        r.num(s, "avg_tokens_per_second", f"summary.{mode}")
    comparison = data.get("comparison") or {}
    gain = comparison.get("lora_vs_base")
    if isinstance(gain, dict) and "acceptance_difference" not in gain and "acceptance_gain" in gain:
        gain = {**gain, "acceptance_difference": gain["acceptance_gain"]}
    return ThreeModeResult(r.path, r.get(data, "metadata", dict, "top level"), summary,
                           r.get(data, "per_prompt", list, "top level"),
                           dict(comparison.get("speedup_vs_target") or {}),
                           dict(gain) if isinstance(gain, dict) else None)
