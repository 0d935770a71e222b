"""`speclens compare` row and `speclens report` tables of the losslessness client's JSON.

identity_rate = summary.identical / summary.prompts when the file has both counts (a written
identity_rate that disagrees is noted: client_cells.recount), else as written."""

from __future__ import annotations

from speclens.analyzers.client_results.cells import pairs, recount
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_losslessness import LosslessnessResult

METHOD = "client losslessness"


def fill_row(row, result: LosslessnessResult) -> None:
    pass  # its verdict is in its own report; compare has no column for it


def tables(result: LosslessnessResult) -> list[Table]:
    rate = recount("summary.identity_rate", result.identity_rate, "identical / prompts", result.identical,
                   result.prompts)
    return [pairs("Losslessness", {"identity_rate": rate.value, "identical": result.identical,
                                   "prompts": result.prompts, "accuracy_equal": result.accuracy_equal,
                                   "lossless": result.lossless}, [rate.note])]
