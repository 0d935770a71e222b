"""Sanity checks on a finished acceptance target, each reported as a `Notice`, never hidden.

- mean acceptance length outside [1, k+1] (impossible for a chain drafter: accounting bug)
- per-position acceptance rising with position (impossible when counted per accepted prefix)
- warm-up: the first log interval's acceptance length more than 25% away from the rest's
Drafting at temperature > 0 is measurement trap 3 (analyzers.traps.sampling), run with the other
traps on every run directory.
"""

from __future__ import annotations

from speclens.analyzers.acceptance.models import Notice, SourceResult, TargetReport

WARMUP_RELATIVE = 0.25
_TOLERANCE = 1e-9


def check_source(s: SourceResult) -> list[Notice]:
    out = []
    mal, k = s.metrics.mean_acceptance_length, s.counts.k
    if mal is not None and k is not None and not 1.0 - _TOLERANCE <= mal <= k + 1 + _TOLERANCE:
        out.append(Notice(level="warning", code="acceptance-length-out-of-range", message=(
            f"{s.id}: mean acceptance length {mal:.3f} is outside [1, k+1] = [1, {k + 1}]")))
    pp = s.metrics.per_position or []
    rises = [i for i in range(1, len(pp)) if pp[i] is not None and pp[i - 1] is not None and pp[i] > pp[i - 1] + _TOLERANCE]
    if rises:
        out.append(Notice(level="warning", code="per-position-increasing", message=(
            f"{s.id}: per-position acceptance rises at position(s) {', '.join(map(str, rises))}; "
            "drafts counted with padding or invalidated drafts can do this")))
    head = s.log.first_interval if s.log else None
    if head is not None and head.intervals >= 3:
        first, typical = head.first_mean_acceptance_length, head.rest_mean
        if first is not None and typical:
            if abs(first - typical) / typical > WARMUP_RELATIVE:
                out.append(Notice(level="info", code="warmup-interval", message=(
                    f"{s.id}: the first log interval's acceptance length ({first:.2f}) is more than 25% away from "
                    f"the rest's mean ({typical:.2f}); consider --skip-first 1")))
    return out


def check_target(t: TargetReport) -> list[Notice]:
    return [n for s in t.sources for n in check_source(s)]
