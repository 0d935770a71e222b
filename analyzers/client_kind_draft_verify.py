"""`speclens compare` row and `speclens report` tables of the seed-000 draft/verify client's JSON."""

from __future__ import annotations

from speclens.analyzers.client_cells import pairs
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_draft_verify import DraftVerifyResult

METHOD = "client draft/verify"


def fill_row(row, result: DraftVerifyResult) -> None:
    """Pooled over draft tokens from the integer totals, as for server runs (not the per-question mean)."""
    generated, accepted = result.total_draft_generated, result.total_draft_accepted
    row.draft_acceptance_rate = accepted / generated if generated else None
    row.request_output_tps, row.speedup = result.avg_speed, result.speedup  # avg_speed: mean per-question tok/s


def tables(result: DraftVerifyResult) -> list[Table]:
    return [pairs("Summary (pooled over all draft tokens unless named avg_)", {
        "avg_acceptance_rate": result.avg_acceptance_rate, "avg_speed": result.avg_speed,
        "total_tokens": result.total_tokens, "total_draft_generated": result.total_draft_generated,
        "total_draft_accepted": result.total_draft_accepted, "draft_efficiency": result.draft_efficiency,
        "speculation_rounds": result.speculation_rounds, "speedup": result.speedup})]
