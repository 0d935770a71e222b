"""A per-request metrics file given directly as a PATH of `speclens acceptance` (kind `requests`,
`analyzers.inputs`): a guidellm result JSON or raw OpenAI responses whose requests carry vLLM's
per-request spec-decode metrics (`parsers.request_metrics.read_request_specs`).

The target gets the per-request section (`analyzers.acceptance.per_request`) and one source, kind
`per_request_sums`: the pooled counts as sums over the requests — steps (drafts), draft tokens,
accepted tokens, and accepted per position i (0-based) = Σ_{j>i} H_j from the pooled histogram —
with the report's metrics over them (`metrics.acceptance_metrics`). Its scope says it is not a
/metrics delta: requests the file does not hold (errored, cancelled, a guidellm reservoir sample's
left-out ones, warm-up) are not in it; a sampled file's section says so in one notice.
"""

from __future__ import annotations

import os
from typing import Callable

from speclens.analyzers.acceptance.metrics import acceptance_metrics
from speclens.analyzers.acceptance.models import Counts, InputFile, Notice, SourceResult, TargetReport
from speclens.analyzers.acceptance.per_request import per_request_section
from speclens.parsers.errors import ParseError
from speclens.parsers.request_metrics import read_request_specs

SOURCE_ID = "per-request"
SCOPE = "per-request sums, not a /metrics delta"


def sums_source(path: str, section) -> SourceResult | None:  # noqa: ANN001 - a PerRequestSection
    """The pooled counts of the section's requests as a source (None: no request had a step)."""
    summary, hist = section.summary, section.histogram
    if summary is None or hist is None:
        return None
    per_position = [sum(hist.counts[j:]) for j in range(1, len(hist.counts))]  # Σ_{j>i} H_j, i 0-based
    counts = Counts(k=hist.k, drafts=summary.steps, draft_tokens=summary.draft_tokens,
                    accepted_tokens=summary.accepted_tokens, accepted_per_position=per_position)
    scope = f"{SCOPE} ({summary.requests} request(s) in {os.path.basename(path)})"
    return SourceResult(id=SOURCE_ID, kind="per_request_sums", scope=scope, files=[path], counts=counts,
                        metrics=acceptance_metrics(counts))


def requests_target(path: str, report: TargetReport, add_input: Callable[[str], InputFile]) -> TargetReport:
    """The report of one per-request metrics file (ParseError when none of its requests has them)."""
    from speclens.analyzers.inputs import NO_REQUEST_SPECS

    spec_set = read_request_specs(path)
    if spec_set is None:
        raise ParseError(path, None, "expected vLLM's per-request spec-decode metrics; none of its requests carries "
                         "them", NO_REQUEST_SPECS)
    add_input(path)
    report.per_request = per_request_section(spec_set)
    source = sums_source(path, report.per_request)
    if source is not None:
        report.sources, report.primary = [source], source.id
        report.notices.append(Notice(level="info", code="per-request-sums", location=path, message=(
            f"the pooled counts are {SCOPE}: requests the file does not hold (errored, cancelled, warm-up, or left out "
            "of a sample) are not in them")))
    return report
