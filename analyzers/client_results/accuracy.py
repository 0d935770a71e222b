"""`speclens compare` row and `speclens report` tables of the GSM8K accuracy client's JSON.

accuracy = metrics.correct / metrics.total (the file's own counts); a metrics.accuracy that
disagrees with them is noted (client_cells.recount)."""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, cell, pairs, recount
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_results import AccuracyResult

METHOD = "client accuracy"


def accuracy(result: AccuracyResult) -> Recount:
    m = result.metrics
    return recount("metrics.accuracy", m.accuracy, "correct / total", m.correct, m.total)


def fill_row(row, result: AccuracyResult) -> None:
    acc = accuracy(result)
    row.accuracy = acc.value
    if acc.note:
        row.notes.append(acc.note)
    d = result.server_diffusion
    if d is not None:
        row.notes.append(f"diffusion (server /metrics delta): committed/step {cell(d.committed_per_step)}, "
                         f"steps/canvas {cell(d.steps_per_canvas)}, committed tokens {cell(d.committed_tokens)}")


def tables(result: AccuracyResult) -> list[Table]:
    acc = accuracy(result)
    m = result.metrics
    out = [pairs("Accuracy (correct / total)", {"accuracy": acc.value, "correct": m.correct, "total": m.total},
                 [acc.note])]
    if result.server_diffusion is not None:
        out.append(pairs("Diffusion counters of the run (server /metrics after − before)",
                         result.server_diffusion.model_dump(mode="json", exclude_unset=True)))
    return out
