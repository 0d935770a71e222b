"""Sources from /metrics counters, and how two sources of one target agree.

Kinds built here: `metrics_delta` (after − before scrape: run-scoped, exact) and
`metrics_scrape` (one scrape: counters since the server started). The log's sources are
`analyzers.log.source`'s, vllm bench's `analyzers.acceptance.bench_source`'s.
"""

from __future__ import annotations

from speclens.analyzers.acceptance.models import Agreement, Counts, SourceResult
from speclens.analyzers.acceptance.metrics import acceptance_metrics, decide_k, drafts_from_k
from speclens.parsers.prometheus import EngineCounters, SpecScrape


def series_gaps(engine: EngineCounters) -> list[str]:
    """Why these counters' per-position series cannot be complete (empty when it can be): a
    position missing below the highest, the positions not adding up to accepted (in V1 every
    accepted token is counted at its position), or more draft tokens per draft than positions."""
    pp = engine.per_position
    if not pp:
        return []
    out = []
    width = max(pp) + 1
    missing = [str(i) for i in range(width) if i not in pp]
    if missing:
        out.append(f"position(s) {', '.join(missing)} missing below position {width - 1}")
    total = sum(pp.values())
    if engine.accepted is not None and total != engine.accepted:
        out.append(f"the per-position counts add up to {total}, not to accepted tokens {engine.accepted}")
    if engine.drafts and engine.draft_tokens is not None and engine.draft_tokens > engine.drafts * width:
        out.append(f"{engine.draft_tokens} draft tokens in {engine.drafts} drafts is more than {width} per draft, "
                   f"so k is larger than the {width} positions exported")
    return out


def _counts(engine: EngineCounters, k: int | None) -> Counts:
    """Counts of one engine's counters. k: the given one (from the log), else the number of
    per-position series, but only when that series is complete (`series_gaps`)."""
    positions = None
    if engine.per_position:
        width = max(engine.per_position) + 1
        positions = [engine.per_position.get(i, 0) for i in range(width)]
        k = decide_k(k, None if series_gaps(engine) else width)
    drafts, drafts_from = engine.drafts, "counter"
    if drafts is None:
        drafts = drafts_from_k(engine.draft_tokens, k)
        drafts_from = "drafted/k" if drafts is not None else "unavailable"
    return Counts(k=k, drafts=drafts, draft_tokens=engine.draft_tokens or 0, accepted_tokens=engine.accepted or 0,
                  accepted_per_position=positions, emitted_tokens=engine.emitted, drafts_from=drafts_from,
                  per_position_from="counter" if positions is not None else "unavailable")


def metrics_source(source_id: str, kind: str, scope: str, files: list[str], counters: SpecScrape,
                   k: int | None) -> SourceResult:
    """A source from per-engine counters (a scrape or a delta): summed over engines, kept per engine."""
    counts = _counts(counters.total(), k)
    engines = counters.engines
    per_engine = {name: _counts(e, counts.k) for name, e in sorted(engines.items())} if len(engines) > 1 else {}
    return SourceResult(id=source_id, kind=kind, scope=scope, files=files, counts=counts,
                        metrics=acceptance_metrics(counts), per_engine=per_engine)


def agreement_between(a: SourceResult, b: SourceResult, note: str = "") -> Agreement:
    """How source b differs from source a, count by count (`b − a`), and whether they agree (see
    `analyzers.acceptance.models.Agreement`)."""
    ca, cb = a.counts, b.counts
    drafts = None if ca.drafts is None or cb.drafts is None else cb.drafts - ca.drafts
    pp = None
    if ca.accepted_per_position is not None and cb.accepted_per_position is not None:
        width = max(len(ca.accepted_per_position), len(cb.accepted_per_position))
        pa = ca.accepted_per_position + [0] * (width - len(ca.accepted_per_position))
        pb = cb.accepted_per_position + [0] * (width - len(cb.accepted_per_position))
        pp = [y - x for x, y in zip(pa, pb, strict=True)]
    diffs = [cb.accepted_tokens - ca.accepted_tokens, cb.draft_tokens - ca.draft_tokens, drafts or 0, *(pp or [])]
    return Agreement(a=a.id, b=b.id, accepted_tokens_diff=diffs[0], draft_tokens_diff=diffs[1], drafts_diff=drafts,
                     per_position_diff=pp, agree=not any(diffs), note=note)
