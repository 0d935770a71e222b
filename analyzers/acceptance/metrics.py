"""The acceptance metric family: small pure functions, each with its formula and weighting,
the one place each is computed (and `decide_k`, the one rule for the k a source is read with).
The bare quotients (acceptance rate, 1 + accepted / drafts, drafts from k, the ratio that is None
when undefined) are defined once in `base.formulas`, which the clients compute through too.

Inputs are exact integer counts (`analyzers.acceptance.models.Counts`) or, for the legacy weighting,
per-interval rates. A zero or unknown denominator gives None, never 0; so does any quotient that
is not a finite number (a nan a log line printed), so no renderer ever sees nan or inf.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from speclens.analyzers.acceptance.models import Counts, Legacy, MalFormula, Metrics
from speclens.analyzers.acceptance.mal_formula import MAL_V0, MAL_V1
from speclens.base import formulas
from speclens.base.formulas import drafts_from_k
from speclens.base.formulas import ratio as _ratio

__all__ = ["acceptance_metrics", "conditional", "decide_k", "draft_acceptance_rate", "drafts_from_k",
           "mal_formula", "mean_acceptance_length", "per_position", "v1_mean_acceptance_length", "LegacyTally"]


def decide_k(stated: int | None, positions: int | None) -> int | None:
    """k (draft tokens proposed per draft) of a source: the one stated by the server
    (`num_speculative_tokens`, as a V0 spec line or a startup line prints it, or as another
    source of the same target decided it), else the number of per-position values (the rates a
    log line prints, or exported per-position series when they are complete); None when neither
    is known, never a guess."""
    return stated or positions or None


def v1_mean_acceptance_length(accepted: int, drafts: int | None) -> float | None:
    """Formula: 1 + accepted / drafts (V1: the accepted prefix plus the bonus token, range
    [1, k+1]). None when drafts is zero or unknown. Defined once in `base.formulas`."""
    return formulas.mean_acceptance_length(accepted, drafts)


def mal_formula(c: Counts) -> MalFormula:
    """The formula `mean_acceptance_length` uses for these counts (see there): V0 sources carry
    emitted tokens. Its words, per source, are `analyzers.acceptance.mal_formula`'s."""
    return MAL_V0 if c.emitted_tokens is not None else MAL_V1


def mean_acceptance_length(c: Counts, drafts: int | None = None) -> float | None:
    """Formula: 1 + accepted_tokens / drafts (V1; includes the bonus token, range [1, k+1]).
    For V0 sources, which count accepted tokens outside the accepted prefix too, it is
    emitted_tokens / drafts (emitted includes the bonus token). Weighting: pooled over drafts
    (every verification step counts once). None when drafts is zero or unknown (never a value
    that assumes k). `drafts` overrides `c.drafts` (for the ends of `drafts_range`)."""
    d = c.drafts if drafts is None else drafts
    if c.emitted_tokens is not None:
        return _ratio(c.emitted_tokens, d)
    return v1_mean_acceptance_length(c.accepted_tokens, d)


def draft_acceptance_rate(c: Counts) -> float | None:
    """Formula: accepted_tokens / draft_tokens, a fraction. Weighting: pooled over draft tokens.
    Falls mechanically as k rises; compare conditional rates across k instead."""
    return formulas.acceptance_rate(c.accepted_tokens, c.draft_tokens)


def per_position(c: Counts) -> list[float | None] | None:
    """Formula: PP_i = accepted at position i / drafts (unconditional; the denominator is all
    drafts, so variable-length drafters bias later positions low). Weighting: pooled over drafts."""
    if c.accepted_per_position is None:
        return None
    return [_ratio(a, c.drafts) for a in c.accepted_per_position]


def conditional(pp: Sequence[float | None] | None) -> list[float | None] | None:
    """Formula: CA_i = PP_i / PP_(i-1) with PP_(-1) = 1: the chance position i is accepted given
    position i-1 was. Weighting: that of the PP it is computed from. None after a zero PP."""
    if pp is None:
        return None
    out: list[float | None] = []
    prev: float | None = 1.0
    for value in pp:
        out.append(_ratio(value, prev))
        prev = value
    return out


def acceptance_metrics(c: Counts) -> Metrics:
    """All pooled metrics of one source."""
    pp = per_position(c)
    mal = mean_acceptance_length(c)
    spread = None
    if c.drafts_range is not None and mal is not None:
        ends = [mean_acceptance_length(c, d) for d in reversed(c.drafts_range)]  # more drafts, shorter length
        spread = None if None in ends else ends
    return Metrics(
        mean_acceptance_length=mal,
        mean_acceptance_length_formula=mal_formula(c),
        mean_acceptance_length_range=spread,
        draft_acceptance_rate=draft_acceptance_rate(c),
        per_position=pp,
        conditional=conditional(pp),
    )


class LegacyTally:
    """The old speculator eval script's numbers over log intervals j, as running sums (a log of
    any length folds in constant memory): weighted_i = Σ_j rate_ij · Drafted_j / Σ_j Drafted_j,
    with rates zero-padded to the longest list (rounded 3-dp rates re-weighted by draft tokens:
    approximate, kept for comparison with old results). Conditional as `conditional()`.
    Intervals without a per-position list, or with Drafted 0 (whose rates are nan), or with a nan
    rate (a damaged line: vLLM prints nan only for 0 drafts) are counted as samples but add nothing
    to the sums. Samples = number of intervals; average drafted = Σ Drafted / samples."""

    __slots__ = ("samples", "drafted", "weight", "sums")

    def __init__(self) -> None:
        self.samples = 0
        self.drafted = 0
        self.weight = 0
        self.sums: list[float] | None = None

    def add(self, drafted: int, rates: Sequence[float] | None) -> None:
        self.samples += 1
        self.drafted += drafted
        if rates is None:
            return
        if self.sums is None:
            self.sums = []
        if len(rates) > len(self.sums):
            self.sums.extend([0.0] * (len(rates) - len(self.sums)))
        if drafted == 0 or any(math.isnan(value) for value in rates):
            return
        self.weight += drafted
        for i, value in enumerate(rates):
            self.sums[i] += value * drafted

    def result(self) -> Legacy:
        weighted = None if self.sums is None else [_ratio(s, self.weight) for s in self.sums]
        return Legacy(
            samples=self.samples,
            drafted_tokens=self.drafted,
            average_drafted_tokens=_ratio(self.drafted, self.samples),
            weighted_per_position=weighted,
            conditional=conditional(weighted),
        )
