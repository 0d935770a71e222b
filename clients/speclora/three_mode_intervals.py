"""95% intervals of the three-mode suite's comparisons, paired over prompts (every mode ran the
same prompts, in the same order): formulas in clients/speclora/three_mode_report.py. Each interval
is {"ci_low", "ci_high", "note"}: the bounds null and the note saying why when there is none."""

from __future__ import annotations

import math
import statistics

from speclens.analyzers.speedup.item_interval import rate_ratio
from speclens.analyzers.speedup.throughput_interval import MIN_REQUESTS, t975
from speclens.clients.common.stats import rounded

METHOD = ("95% intervals paired over prompts: speedups and the tok/s gain, ratio of mean per-prompt tok/s "
          "(analyzers.speedup.item_interval.rate_ratio, each prompt's tok/s over 1 s), delta method on the log "
          "ratio, Student t; the acceptance difference, mean of per-prompt differences ± t(0.975, n − 1) · s / √n; "
          "prompt-to-prompt variation in one run, not run-to-run drift")


def _none(note: str) -> dict:
    return {"ci_low": None, "ci_high": None, "note": note}


def _pairs(mine: list[dict] | None, other: list[dict] | None, key: str) -> list[tuple[float, float]] | str:
    """The per-prompt (mine, other) values of `key`, or why they cannot be paired."""
    if not mine or not other or len(mine) != len(other):
        return "no per-prompt records on both sides"
    pairs = [(a.get(key), b.get(key)) for a, b in zip(mine, other)]
    if any(a is None or b is None for a, b in pairs):
        return f"a prompt has no {key} on one side"
    if len(pairs) < MIN_REQUESTS:
        return f"{len(pairs)} prompt(s); an interval needs {MIN_REQUESTS}"
    return pairs  # type: ignore[return-value]


def speed_ratio(mine: list[dict] | None, other: list[dict] | None, shift: float = 0.0) -> dict:
    """Interval of mean tok/s (mine) / mean tok/s (other), plus `shift` (−1 for a relative gain)."""
    pairs = _pairs(mine, other, "tokens_per_second")
    if isinstance(pairs, str):
        return _none(pairs)
    ones = [1.0] * len(pairs)
    return rate_ratio([a for a, _ in pairs], ones, [b for _, b in pairs], ones, paired=True).interval(shift)


def acceptance_difference(mine: list[dict] | None, other: list[dict] | None) -> dict:
    """Interval of the mean per-prompt acceptance-rate difference (mine − other), in rate units."""
    pairs = _pairs(mine, other, "acceptance_rate")
    if isinstance(pairs, str):
        return _none(pairs)
    d = [a - b for a, b in pairs]
    centre, half = statistics.fmean(d), t975(len(d) - 1) * statistics.stdev(d) / math.sqrt(len(d))
    return {"ci_low": rounded(centre - half), "ci_high": rounded(centre + half), "note": f"paired over {len(d)} prompts"}


def _span(interval: dict | None, fmt) -> str:
    if not interval or interval.get("ci_low") is None:
        return "n/a"
    return f"[{fmt(interval['ci_low'])}, {fmt(interval['ci_high'])}]"


def console_line(comparison: dict) -> str | None:
    """"95% intervals (paired over prompts): Base [1.10x, 1.45x], LoRA [...]; LoRA over Base [-3.0%, +8.0%]
    tok/s, [+5.1, +20.0] pts"; one "n/a (why)" when there is none at all; None without comparisons."""
    names = {"spec_base": "Base", "spec_lora": "LoRA"}
    spans = comparison.get("speedup_vs_target_interval") or {}
    gain = comparison.get("lora_vs_base") or {}
    every = [*spans.values(), gain.get("tokens_per_second_gain_interval"), gain.get("acceptance_difference_interval")]
    every = [i for i in every if i]
    if not every:
        return None
    if all(i.get("ci_low") is None for i in every):
        return f"95% intervals: n/a ({every[0].get('note')})"
    parts = [f"{names.get(m, m)} {_span(v, lambda x: f'{x:.2f}x')}" for m, v in spans.items()]
    if gain:
        parts.append(f"LoRA over Base {_span(gain.get('tokens_per_second_gain_interval'), lambda x: f'{x * 100:+.1f}%')} "
                     f"tok/s, {_span(gain.get('acceptance_difference_interval'), lambda x: f'{x * 100:+.1f}')} pts")
    return "95% intervals (paired over prompts): " + "; ".join(parts)
