"""`speclens compare` row and `speclens report` tables of the losslessness client's JSON."""

from __future__ import annotations

from speclens.analyzers.client_cells import pairs
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_losslessness import LosslessnessResult

METHOD = "client losslessness"


def fill_row(row, result: LosslessnessResult) -> None:
    pass  # its verdict is in its own report; compare has no column for it


def tables(result: LosslessnessResult) -> list[Table]:
    return [pairs("Losslessness", {"identity_rate": result.identity_rate,
                                   "accuracy_equal": result.accuracy_equal, "lossless": result.lossless})]
