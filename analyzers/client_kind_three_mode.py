"""`speclens compare` row and `speclens report` tables of the three-mode client's JSON."""

from __future__ import annotations

from speclens.analyzers.client_cells import cell, pairs
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_three_mode import ThreeModeResult

METHOD = "client three-mode"


def fill_row(row, result: ThreeModeResult) -> None:
    row.speedup = next((v for k, v in result.speedup_vs_target.items() if v is not None and "lora" not in k), None)


def tables(result: ThreeModeResult) -> list[Table]:
    modes = sorted(result.summary)
    keys = sorted({k for m in modes for k, v in result.summary[m].items() if not isinstance(v, (dict, list))})
    return [Table("Per mode", ["metric", *modes], [[k, *(cell(result.summary[m].get(k)) for m in modes)]
                                                  for k in keys]),
            pairs("Speedup vs target only", result.speedup_vs_target)]
