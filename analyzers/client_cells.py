"""Cells and two-column tables for the re-read client results (analyzers/client_kind_*.py)."""

from __future__ import annotations

from speclens.analyzers.render.tables import Table, fmt


def cell(value: object) -> str:
    """A value as a table cell: None is n/a, floats through the one number format."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return fmt(value)
    return str(value)


def pairs(title: str, values: dict) -> Table:
    """A field/value table of the scalar entries of `values` (nested objects are left out)."""
    rows = [[str(k), cell(v)] for k, v in values.items() if not isinstance(v, (dict, list))]
    return Table(title, ["field", "value"], rows)
