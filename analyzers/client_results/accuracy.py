"""`speclens compare` row and `speclens report` tables of the GSM8K accuracy client's JSON.

accuracy = metrics.correct / metrics.total (the file's own counts); a metrics.accuracy that
disagrees with them is noted (client_cells.recount)."""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, cell, pairs, recount
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_accuracy import AccuracyResult

METHOD = "client accuracy"


def accuracy(result: AccuracyResult) -> Recount:
    return recount("metrics.accuracy", result.accuracy, "correct / total", result.correct, result.total)


def fill_row(row, result: AccuracyResult) -> None:
    acc = accuracy(result)
    row.accuracy = acc.value
    if acc.note:
        row.notes.append(acc.note)
    d = result.server_diffusion
    if d is not None:
        row.notes.append(f"diffusion (server /metrics delta): committed/step {cell(d.get('committed_per_step'))}, "
                         f"steps/canvas {cell(d.get('steps_per_canvas'))}, committed tokens {cell(d.get('committed_tokens'))}")


def tables(result: AccuracyResult) -> list[Table]:
    acc = accuracy(result)
    out = [pairs("Accuracy (correct / total)", {"accuracy": acc.value, "correct": result.correct,
                                                "total": result.total}, [acc.note])]
    if result.server_diffusion is not None:
        out.append(pairs("Diffusion counters of the run (server /metrics after − before)", result.server_diffusion))
    return out
