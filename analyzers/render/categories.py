"""The category table of a multi-phase run (`CategorySection`) as a `Table` (text, Markdown and rich
through the shared renderers; the JSON is the model itself)."""

from __future__ import annotations

from speclens.analyzers.acceptance.categories_models import CategoryRow, CategorySection
from speclens.analyzers.render.tables import NA, Table, fmt, pct, vector

HEADERS = ["category", "cell", "status", "counts from", "k", "requests", "steps", "accepted", "mean acc. length",
           "acceptance rate", "per-position", "conditional", "output tok/s (system)", "per-request tok/s (mean)",
           "TTFT p50 ms", "note"]

NOTES = [
    "one row per cell of the run (RUN/cells/<id>/, each read as its own run directory). counts from: metrics_delta = "
    "the cell's /metrics after − before (exact, every step of the cell); per-request sums = Σ over the requests the "
    "load driver saved (when the cell has no /metrics delta).",
    "mean acc. length = 1 + accepted / steps (step-weighted within the row); acceptance rate = accepted / draft "
    "tokens; per-position = accepted at i / steps; conditional = PP_i / PP_i-1.",
    "requests = the load driver's successful requests. output tok/s (system) = Σ output tokens / the driver's "
    "benchmark duration; per-request tok/s (mean) = mean over requests of each one's output tokens / latency (what "
    "one user sees); TTFT p50 = median over requests.",
    "all = pooled over every step and request of the cells that ran (their counts summed; output tok/s over the sum "
    "of their durations); mean of categories = the unweighted mean of those cells' rows, every category counted "
    "once (AIPerf's SPEED-Bench convention), acceptance only.",
]


def _row(r: CategoryRow) -> list[str]:
    return [r.category, r.cell or NA, r.status, r.counts_from, fmt(r.k), fmt(r.requests), fmt(r.drafts),
            fmt(r.accepted_tokens), fmt(r.mean_acceptance_length), pct(r.draft_acceptance_rate), vector(r.per_position),
            vector(r.conditional), fmt(r.output_throughput, 2), fmt(r.request_output_tps, 2), fmt(r.ttft_ms_p50, 1),
            r.note]


def category_tables(s: CategorySection) -> list[Table]:
    notes = [*NOTES, *(f"{n.level}: {n.message}" for n in s.notices)]
    return [Table("Acceptance and speed by category", HEADERS,
                  [*map(_row, s.rows), _row(s.all), _row(s.mean_of_categories)], notes)]
