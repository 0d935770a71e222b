"""The pure speculative-decoding formulas, each defined once: the analyzers' metric family
(`analyzers.acceptance.metrics`, which documents their weighting and the formula texts of
`analyzers.acceptance.mal_formula`) and the clients' JSON both compute through these. Kept free of imports
so a client can use them without loading the analyzers' report models.

Undefined is None, never 0: a zero or unknown denominator, or a quotient that is not a finite
number (a nan a log line printed). Callers round where they write (the clients: 4 decimals).
"""

from __future__ import annotations

import math


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator; None when it is undefined (denominator zero or unknown, numerator
    unknown) or not a finite number."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    value = numerator / denominator
    return value if math.isfinite(value) else None


def acceptance_rate(accepted: float | None, drafted: float | None) -> float | None:
    """Draft acceptance rate: accepted draft tokens / draft tokens proposed, a fraction 0..1.
    E.g. 4845 accepted of 5733 drafted → 0.8451."""
    return ratio(accepted, drafted)


def mean_acceptance_length(accepted: float | None, drafts: float | None) -> float | None:
    """Mean acceptance length (V1): 1 + accepted / drafts, the accepted prefix plus the target's own
    token per draft (one draft = one target verification). E.g. 1465 accepted in 348 drafts →
    1 + 1465 / 348 = 5.2098."""
    value = ratio(accepted, drafts)
    return None if value is None else 1.0 + value


def drafts_from_k(draft_tokens: int | None, k: int | None) -> int | None:
    """Drafts of a source that counts only draft tokens: draft_tokens // k (a draft proposes k
    tokens; V0 always proposes k). None when either is unknown or k is 0."""
    if draft_tokens is None or not k:
        return None
    return draft_tokens // k
