"""Per k: the measured acceptance beside the chain model's prediction from the OTHER k.

- Counts of one k are pooled over its cells (every load and category ran the same server config):
  drafts, draft tokens, accepted tokens and accepted per position, the exact /metrics-delta counts
  of each cell's acceptance report. Rates through analyzers.acceptance.metrics (base.formulas).
- 95% interval of the measured mean acceptance length L = 1 + a (a: accepted drafts of a step):
  P(a > i) = p_i (the per-position rate), so E[a] = Σ p_i and E[a²] = Σ (2i+1)·p_i (i 0-based);
  L ± 1.96·√(Var(a) / drafts). It treats verification steps as independent (steps of one request
  are correlated), so it is a lower bound on the real spread.
- Model: the chain model (analyzers.acceptance.advice.expected_acceptance_length) fed with the
  conditional rates pooled over the other k's counts (position i: Σ accepted_i / Σ accepted_(i-1),
  drafts for i = 0; positions beyond the measured ones reuse the last rate). Its band: the range of
  its predictions from each other k alone and from the pool. "model holds" when the measured
  interval overlaps the band, else "model off" by measured − pooled prediction. Block-parallel
  drafters (DFlash/DSpark) do not follow the chain: measure them per k.
"""

from __future__ import annotations

import math

from speclens.analyzers.acceptance.advice import expected_acceptance_length
from speclens.analyzers.acceptance.metrics import acceptance_metrics
from speclens.analyzers.acceptance.models import Counts
from speclens.analyzers.sweep.models import KAcceptance, PositionRate
from speclens.base.formulas import ratio

Z95 = 1.959964


def pool(counts: list[Counts]) -> Counts:
    """The sum of several cells' counts of one k (drafts None when any cell's is unknown)."""
    drafts = None if any(c.drafts is None for c in counts) else sum(c.drafts or 0 for c in counts)
    width = max((len(c.accepted_per_position or []) for c in counts), default=0)
    per_pos = None
    if width and all(c.accepted_per_position is not None for c in counts):
        per_pos = [sum((c.accepted_per_position or [])[i] if i < len(c.accepted_per_position or []) else 0
                       for c in counts) for i in range(width)]
    return Counts(k=counts[0].k if counts else None, drafts=drafts, draft_tokens=sum(c.draft_tokens for c in counts),
                  accepted_tokens=sum(c.accepted_tokens for c in counts), accepted_per_position=per_pos)


def mal_interval(per_position: list[float | None] | None, drafts: int | None) -> tuple[float | None, float | None]:
    """95% interval of 1 + E[a] (see the module docstring); None without per-position rates."""
    if not per_position or not drafts or any(p is None for p in per_position):
        return None, None
    p = [float(x) for x in per_position]  # type: ignore[arg-type]
    mean = sum(p)
    var = max(0.0, sum((2 * i + 1) * x for i, x in enumerate(p)) - mean * mean)
    half = Z95 * math.sqrt(var / drafts)
    return 1.0 + mean - half, 1.0 + mean + half


def pooled_conditional(counts: list[Counts]) -> list[float]:
    """Position-wise conditional rates over several k's counts (see the module docstring); stops at
    the first position no count can define."""
    width = max((len(c.accepted_per_position or []) for c in counts), default=0)
    rates: list[float] = []
    for i in range(width):
        have = [c for c in counts if c.accepted_per_position and i < len(c.accepted_per_position) and c.drafts]
        num = sum(c.accepted_per_position[i] for c in have)  # type: ignore[index]
        den = sum((c.accepted_per_position[i - 1] if i else c.drafts) for c in have)  # type: ignore[index, misc]
        rate = ratio(num, den)
        if rate is None:
            break
        rates.append(rate)
    return rates


def _positions(c: Counts) -> list[PositionRate]:
    m = acceptance_metrics(c)
    out = []
    for i, accepted in enumerate(c.accepted_per_position or []):
        of = (c.accepted_per_position or [])[i - 1] if i else (c.drafts or 0)
        out.append(PositionRate(position=i, accepted=accepted, per_position=(m.per_position or [None] * (i + 1))[i],
                                conditional=ratio(accepted, of), conditional_of=of))
    return out


def k_acceptance(by_k: dict[int, tuple[list[str], Counts]]) -> list[KAcceptance]:
    """One row per k (ascending): `by_k` maps k to (its cells, its pooled counts)."""
    rows = []
    for k in sorted(by_k):
        cells, c = by_k[k]
        m = acceptance_metrics(c)
        low, high = mal_interval(m.per_position, c.drafts)
        row = KAcceptance(k=k, cells=cells, drafts=c.drafts, draft_tokens=c.draft_tokens, accepted_tokens=c.accepted_tokens,
                          mean_acceptance_length=m.mean_acceptance_length, mal_ci_low=low, mal_ci_high=high,
                          draft_acceptance_rate=m.draft_acceptance_rate, positions=_positions(c))
        others = {o: oc for o, (_, oc) in by_k.items() if o != k and oc.accepted_per_position and oc.drafts}
        pooled = pooled_conditional(list(others.values()))
        if not pooled:
            row.model_note = "no other k with per-position counts: nothing to predict from"
            rows.append(row)
            continue
        model = expected_acceptance_length(pooled, k)
        alone = [expected_acceptance_length(r, k) for r in (pooled_conditional([oc]) for oc in others.values()) if r]
        row.model_from_k = sorted(others)
        row.model_mean_acceptance_length = model
        row.model_band_low, row.model_band_high = min(alone + [model]), max(alone + [model])
        measured = row.mean_acceptance_length
        if measured is None or low is None or high is None:
            row.model_note = "the measured length has no interval (no drafts or no per-position counts)"
        elif high >= row.model_band_low and low <= row.model_band_high:
            row.model_verdict = "model holds"
        else:
            row.model_verdict, row.model_off_by = "model off", measured - model
        rows.append(row)
    return rows
