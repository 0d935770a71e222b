"""`speclens compare -o TABLE.parquet`: the compare table as Parquet, for DuckDB, polars and pandas.

One row per run directory / cell (as every other format), the CSV's columns with the CSV's names and
order (`analyzers.render.compare.table_fields`), each typed from `CompareRow`'s annotation: text as
String, counts as Int64, numbers as Float64, per_position / conditional as List(Float64), flags and
notes as List(String). An undefined value is null, never 0 or NaN. The footer's key-value metadata
carries `COMPARE_PARQUET_MARK`, so the -o guard knows the file as an earlier compare table
(`analyzers.output_kinds`).
"""

from __future__ import annotations

import io
import types
import typing

from speclens.analyzers.compare.row import CompareRow
from speclens.analyzers.output_kinds import COMPARE_PARQUET_MARK


def _dtype(annotation: object) -> object:
    """The polars type of one CompareRow field annotation (`X | None` is X, nullable)."""
    import polars as pl

    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return _dtype(args[0])
    if typing.get_origin(annotation) is list:
        return pl.List(_dtype(args[0]))
    scalar = {str: pl.String, int: pl.Int64, float: pl.Float64, bool: pl.Boolean}.get(annotation)  # type: ignore[call-overload]
    if scalar is None:
        raise TypeError(f"CompareRow field type {annotation!r} has no Parquet column type; add it here")
    return scalar


def schema(fields: list[str]) -> dict[str, object]:
    """Column name -> polars type, in the table's order."""
    hints = typing.get_type_hints(CompareRow)
    return {name: _dtype(hints[name]) for name in fields}


def parquet_bytes(rows: list[CompareRow], fields: list[str]) -> bytes:
    import polars as pl

    columns = {name: [getattr(row, name) for row in rows] for name in fields}
    frame = pl.DataFrame(columns, schema=schema(fields))  # type: ignore[arg-type]
    buffer = io.BytesIO()
    frame.write_parquet(buffer, metadata={COMPARE_PARQUET_MARK.decode(): "1"})
    return buffer.getvalue()
