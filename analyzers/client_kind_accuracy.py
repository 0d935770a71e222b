"""`speclens compare` row and `speclens report` tables of the GSM8K accuracy client's JSON."""

from __future__ import annotations

from speclens.analyzers.client_cells import pairs
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_accuracy import AccuracyResult

METHOD = "client accuracy"


def fill_row(row, result: AccuracyResult) -> None:
    row.accuracy = result.accuracy


def tables(result: AccuracyResult) -> list[Table]:
    return [pairs("Accuracy", {"accuracy": result.accuracy, "correct": result.correct, "total": result.total})]
