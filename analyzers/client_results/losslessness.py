"""`speclens compare` row and `speclens report` tables of the losslessness client's JSON.

identity_rate = summary.identical / summary.prompts when the file has both counts (a written
identity_rate that disagrees is noted: client_cells.recount), else as written."""

from __future__ import annotations

from speclens.analyzers.client_results.cells import pairs, recount
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_results.losslessness import LosslessnessResult

METHOD = "client losslessness"


def fill_row(row, result: LosslessnessResult) -> None:
    pass  # its verdict is in its own report; compare has no column for it


def tables(result: LosslessnessResult) -> list[Table]:
    s = result.summary
    rate = recount("summary.identity_rate", s.identity_rate, "identical / prompts", s.identical, s.prompts)
    return [pairs("Losslessness", {"identity_rate": rate.value, "identical": s.identical, "prompts": s.prompts,
                                   "accuracy_equal": s.accuracy_equal, "lossless": s.lossless}, [rate.note])]
