"""`speclens compare` row and `speclens report` tables of the GSM8K accuracy client's JSON."""

from __future__ import annotations

from speclens.analyzers.client_cells import cell, pairs
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_accuracy import AccuracyResult

METHOD = "client accuracy"


def fill_row(row, result: AccuracyResult) -> None:
    row.accuracy = result.accuracy
    d = result.server_diffusion
    if d is not None:
        row.notes.append(f"diffusion (server /metrics delta): committed/step {cell(d.get('committed_per_step'))}, "
                         f"steps/canvas {cell(d.get('steps_per_canvas'))}, committed tokens {cell(d.get('committed_tokens'))}")


def tables(result: AccuracyResult) -> list[Table]:
    out = [pairs("Accuracy", {"accuracy": result.accuracy, "correct": result.correct, "total": result.total})]
    if result.server_diffusion is not None:
        out.append(pairs("Diffusion counters of the run (server /metrics after − before)", result.server_diffusion))
    return out
