"""Per-request sums against the /metrics counters of the same run (a `SourceResult` of kind
`metrics_delta` or `metrics_scrape`, `analyzers.acceptance.sources`). A difference is a Notice with
what likely explains it, never an error: the two count different sets of requests."""

from __future__ import annotations

from typing import Any

from speclens.analyzers.acceptance.models import Notice
from speclens.analyzers.acceptance.per_request_models import CounterCheck, PooledHistogram, Summary


def _reasons(spec_set: Any, counters: Any, below: bool, above: bool) -> list[str]:
    """Why per-request sums fall short of the counters (`below`) or exceed them (`above`)."""
    reasons = []
    if below and spec_set.sampled:
        reasons.append("the input keeps a sample of the requests (guidellm sample_size reservoir): per-request "
                       "sums cover the sample only")
    if below and spec_set.without_metrics:
        reasons.append(f"{spec_set.without_metrics} request(s) carry no per-request metrics (errored, cancelled, "
                       "n > 1, or served without the flag) while the counters count their steps")
    if below and counters.kind == "metrics_scrape":
        reasons.append("the counters are since the server started (one scrape), not scoped to this load run")
    elif below:
        reasons.append("requests the driver did not save (errored or cancelled ones, warm-up requests) ran inside "
                       "the window of the /metrics scrapes")
    if above:
        reasons.append("some requests ran outside the window of the /metrics scrapes (the before-scrape taken after "
                       "they started, or the after-scrape before they finished)")
    return reasons


def counter_check(spec_set: Any, summary: Summary, histogram: PooledHistogram | None,
                  counters: Any) -> tuple[CounterCheck, list[Notice]]:
    """Σ accepted, Σ draft tokens, Σ steps and the histogram-derived per-position counts against
    the counters' accepted_tokens, draft_tokens, drafts and accepted_per_position."""
    c = counters.counts
    steps_diff = None if c.drafts is None else summary.steps - c.drafts
    pp_diff = None
    if histogram is not None and c.accepted_per_position is not None:
        at_least = [sum(histogram.counts[j:]) for j in range(1, len(histogram.counts))]  # Σ_{j>i} H_j, i 0-based
        width = max(len(at_least), len(c.accepted_per_position))
        ours = at_least + [0] * (width - len(at_least))
        theirs = c.accepted_per_position + [0] * (width - len(c.accepted_per_position))
        pp_diff = [a - b for a, b in zip(ours, theirs)]
    diffs = [summary.accepted_tokens - c.accepted_tokens, summary.draft_tokens - c.draft_tokens]
    signed = [*diffs, steps_diff or 0, *(pp_diff or [])]
    agree = not any(signed)
    reasons = [] if agree else _reasons(spec_set, counters, min(signed) < 0, max(signed) > 0)
    check = CounterCheck(counters=f"{counters.id} ({counters.scope})", accepted_tokens_diff=diffs[0],
                         draft_tokens_diff=diffs[1], steps_diff=steps_diff, per_position_diff=pp_diff, agree=agree,
                         reasons=reasons)
    if agree:
        return check, []
    steps = "n/a" if steps_diff is None else f"{steps_diff:+d}"
    return check, [Notice(level="warning", code="per-request-vs-counters", message=(
        f"per-request sums differ from {counters.id}: accepted {diffs[0]:+d}, draft tokens {diffs[1]:+d}, steps "
        f"{steps} (requests − counters); likely: " + "; ".join(check.reasons)))]
