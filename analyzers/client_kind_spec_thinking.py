"""`speclens compare` row and `speclens report` tables of the speculative-thinking client's JSON."""

from __future__ import annotations

from speclens.analyzers.client_cells import pairs
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_spec_thinking import SpecThinkingResult

METHOD = "client speculative thinking"


def fill_row(row, result: SpecThinkingResult) -> None:
    row.speedup = result.speedup


def tables(result: SpecThinkingResult) -> list[Table]:
    return [pairs("Comparison", {"speedup": result.speedup, "throughput_improvement": result.throughput_improvement,
                                 "large_model_reduction": result.large_model_reduction})]
