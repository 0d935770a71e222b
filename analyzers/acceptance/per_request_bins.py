"""Acceptance by prompt length, by output length (equal-count bins from the data) and by output
position (fixed token bands, from `detailed` per-step arrays), and the sharp-fall notice.

Every bin is step-weighted: its mean acceptance length is 1 + Σ accepted / Σ steps and its rate
Σ accepted / Σ draft tokens over the steps in it (`base.formulas`). Records are duck-typed
(`parsers.request_metrics.RequestSpec`: steps, accepted, drafted, prompt_tokens, output_tokens,
per_step_accepted, per_step_drafted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from speclens.analyzers.acceptance.models import Notice
from speclens.analyzers.acceptance.per_request_models import Bin, Binned
from speclens.base import formulas

MIN_PER_BIN = 5  # requests
MAX_BINS = 5
FALL = 0.25  # a bin's mean acceptance length this fraction below the previous bin's is a sharp fall
BANDS = ((0, 255), (256, 1023), (1024, 4095), (4096, None))  # output token positions
QUANTILE_METHOD = (f"equal-count (quantile) bins by rank: the requests sorted by the value, split into "
                   f"b = min({MAX_BINS}, n // {MIN_PER_BIN}) groups of about n / b, equal values kept in one bin, "
                   f"a bin under {MIN_PER_BIN} requests merged into its neighbour")
BAND_METHOD = ("token position of step s = Σ_{t<s} (accepted_t + 1), counted from the first verification step; "
               "bands 0-255, 256-1023, 1024-4095, 4096+")


def make_bin(low: int, high: int | None, requests: int, steps: int, accepted: int, drafted: int) -> Bin:
    label = f"{low}+" if high is None else str(low) if low == high else f"{low}–{high}"
    return Bin(label=label, low=low, high=high, requests=requests, steps=steps, accepted_tokens=accepted,
               draft_tokens=drafted, mean_acceptance_length=formulas.mean_acceptance_length(accepted, steps),
               acceptance_rate=formulas.acceptance_rate(accepted, drafted))


def rank_groups(values: Sequence[int]) -> list[tuple[int, int]]:
    """[start, end) index ranges of the sorted `values`: equal-count groups, ties kept together,
    groups under MIN_PER_BIN merged into a neighbour (the next one; the last into the one before)."""
    n = len(values)
    count = max(1, min(MAX_BINS, n // MIN_PER_BIN))
    groups: list[list[int]] = []
    start = 0
    for g in range(1, count + 1):
        end = max(start, round(g * n / count))
        while 0 < end < n and values[end] == values[end - 1]:
            end += 1
        if end > start:
            groups.append([start, end])
            start = end
    i = 0
    while i < len(groups) and len(groups) > 1:
        if groups[i][1] - groups[i][0] >= MIN_PER_BIN:
            i += 1
        elif i + 1 < len(groups):
            groups[i + 1][0] = groups.pop(i)[0]
        else:
            groups[i - 1][1] = groups.pop(i)[1]
    return [(a, b) for a, b in groups]


def by_length(records: Sequence[Any], attribute: str, by: str) -> Binned | None:
    """Equal-count bins of the requests whose `attribute` (prompt_tokens, output_tokens) is known."""
    known = sorted((r for r in records if getattr(r, attribute) is not None), key=lambda r: getattr(r, attribute))
    if not known:
        return None
    values = [getattr(r, attribute) for r in known]
    bins = []
    for a, b in rank_groups(values):
        part = known[a:b]
        bins.append(make_bin(values[a], values[b - 1], len(part), sum(r.steps for r in part),
                             sum(r.accepted for r in part), sum(r.drafted for r in part)))
    return Binned(by=by, method=QUANTILE_METHOD, bins=bins)  # type: ignore[arg-type]


def _band(position: int) -> int:
    return next(i for i, (low, high) in enumerate(BANDS) if high is None or low <= position <= high)


def by_position(records: Sequence[Any]) -> Binned | None:
    """Fixed output-position bands over the steps of requests with per-step arrays (None without any)."""
    detailed = [r for r in records if r.per_step_accepted is not None]
    if not detailed:
        return None
    tally = [[0, 0, 0, 0] for _ in BANDS]  # requests, steps, accepted, drafted
    for r in detailed:
        drafted = r.per_step_drafted or [0] * len(r.per_step_accepted)
        seen: set[int] = set()
        position = 0
        for got, proposed in zip(r.per_step_accepted, drafted):
            band = _band(position)
            seen.add(band)
            tally[band][1] += 1
            tally[band][2] += got
            tally[band][3] += proposed
            position += got + 1
        for band in seen:
            tally[band][0] += 1
    bins = [make_bin(low, high, *tally[i]) for i, (low, high) in enumerate(BANDS) if tally[i][1]]
    return Binned(by="output position", method=BAND_METHOD, bins=bins)


def drafter_cause(binned: Binned, drafter: Any) -> str:
    """The prompt-length notice's known cause, with the drafter's max_model_len (`drafter`: a
    `parsers.startup.DraftMaxModelLen`, None when the server log printed none) and the first prompt
    bin that reaches past it."""
    known = "prompts longer than the drafter's max_model_len are one known cause"
    if drafter is None:
        return f"; {known} (the drafter's max_model_len: unknown, no server log line prints it)"
    where = f"{drafter.value} tokens (server log line {drafter.line}" + (
        f", lowered from the draft model's {drafter.native} to the target's)" if drafter.native else ")")
    past = next((b for b in binned.bins if b.high is None or b.high > drafter.value), None)
    if past is None:
        longest = binned.bins[-1].high if binned.bins else None
        return f"; {known}, but no prompt here passes it: it is {where}, the longest prompt {longest} tokens"
    return f"; {known}: it is {where}, passed by prompts in bin {past.label}"


def sharp_falls(binned: Binned | None, drafter: Any = None) -> list[Notice]:
    """A bin whose mean acceptance length is more than FALL below the previous bin's, both with at
    least MIN_PER_BIN requests; for prompt length, with the drafter's max_model_len (`drafter_cause`)."""
    if binned is None:
        return []
    out = []
    for prev, cur in zip(binned.bins, binned.bins[1:]):
        a, b = prev.mean_acceptance_length, cur.mean_acceptance_length
        if a is None or b is None or min(prev.requests, cur.requests) < MIN_PER_BIN or b >= a * (1 - FALL):
            continue
        out.append(Notice(level="warning", code="acceptance-falls", message=(
            f"acceptance falls sharply with {binned.by}: mean acceptance length {b:.3f} in {cur.label} "
            f"({cur.requests} requests) against {a:.3f} in {prev.label} ({prev.requests} requests), "
            f"{(a - b) / a * 100:.1f}% lower (flagged above {FALL * 100:.0f}%)"
            + (drafter_cause(binned, drafter) if binned.by == "prompt tokens" else ""))))
    return out
