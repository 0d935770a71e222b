"""The GSM8K draft/verify client's measured speedup and benchmark_gsm8k.py's expected-speedup formula.

Measured speeds (only with --baseline; None otherwise): each model generates every question's
whole answer alone, one request per question, questions one after another, with the same
prompts, max_tokens and sampling as the draft/verify run:

    speed_target = Σ tokens / Σ time of the target alone (pooled tokens/s)
    speed_draft  = Σ tokens / Σ time of the draft alone  (pooled tokens/s)
    measured speedup = draft/verify's Σ tokens / Σ time ÷ speed_target

benchmark_gsm8k.py's formula (docs/workloads/draft-verify.md):

    expected = 1 + acceptance × draft_speed_ratio,  draft_speed_ratio = (speed_draft − speed_target) / speed_target

with acceptance = Overall Acceptance (Σ accepted / Σ drafted, pooled over draft tokens). It is a
linear interpolation between the target's speed (acceptance 0 → 1x) and the draft's speed
(acceptance 1 → speed_draft / speed_target), so it ignores: the cost of verification (every
round is one target pass over the draft, not free), the draft time spent on tokens the target
rejects, the bonus token a fully accepted round adds, k, and the per-round request overhead.
It is an estimate to read beside the measured speedup, not a prediction of it.
"""

from __future__ import annotations

from speclens.analyzers.speedup.item_interval import rate_ratio
from speclens.clients.draft_verify import metrics as dm
from speclens.clients.common.stats import ratio, rounded

FORMULA = "1 + acceptance × draft_speed_ratio; draft_speed_ratio = (speed_draft − speed_target) / speed_target"
IGNORES = ("verification cost (each round is a target pass over the draft), draft time spent on rejected tokens, "
           "the bonus token of a fully accepted round, k, per-round request overhead")


def draft_speed_ratio(speed_draft: float | None, speed_target: float | None) -> float | None:
    """(speed_draft − speed_target) / speed_target; e.g. 100 and 40 tok/s → 60 / 40 = 1.5."""
    if speed_draft is None or speed_target is None:
        return None
    return ratio(speed_draft - speed_target, speed_target)


def expected_speedup(acceptance: float | None, speed_draft: float | None, speed_target: float | None) -> float | None:
    """1 + acceptance × draft_speed_ratio; e.g. 0.845 with 100 and 40 tok/s → 1 + 0.845 × 1.5 = 2.2675."""
    dsr = draft_speed_ratio(speed_draft, speed_target)
    if acceptance is None or dsr is None:
        return None
    return 1 + acceptance * dsr


def speedup_block(items: list[dm.ItemResult], target_alone: list[dm.ItemResult] | None,
                  draft_alone: list[dm.ItemResult] | None) -> dict:
    """The result JSON's `expected_speedup` object; every speed and value is None when not measured."""
    acceptance = dm.draft_efficiency(items)
    speed_target = dm.pooled_speed(target_alone) if target_alone else None
    speed_draft = dm.pooled_speed(draft_alone) if draft_alone else None
    return {"formula": FORMULA, "acceptance": rounded(acceptance),
            "acceptance_is": "draft_efficiency (Overall Acceptance, pooled over draft tokens)",
            "speed_draft": rounded(speed_draft, 3), "speed_target": rounded(speed_target, 3),
            "speeds_are": "pooled tokens/s (Σ tokens / Σ time) of each model generating the answers alone (--baseline)",
            "draft_speed_ratio": rounded(draft_speed_ratio(speed_draft, speed_target)),
            "value": rounded(expected_speedup(acceptance, speed_draft, speed_target)), "ignores": IGNORES}


def speedup_interval(items: list[dm.ItemResult], target_alone: list[dm.ItemResult] | None) -> dict | None:
    """The result JSON's `speedup_interval`: the 95% interval of the measured speedup (pooled tok/s with
    drafting ÷ the target alone's), paired over questions (both sides answered the same questions in
    the same order; analyzers/speedup/item_interval.rate_ratio); None without --baseline. ci_low and
    ci_high are null with the reason in `note` when fewer than 3 questions ran."""
    if not target_alone:
        return None
    r = rate_ratio([i.tokens for i in items], [i.time for i in items], [i.tokens for i in target_alone],
                   [i.time for i in target_alone], paired=True)
    return {**r.interval(), "formula": r.formula}
