"""`speclens report CLIENT_RESULT.json`: a client's result JSON (clients/) re-read offline into
Markdown tables: its configuration and summary, plus the per-mode statistics where it has them
(each kind's tables: analyzers/client_kind_<kind>.py)."""

from __future__ import annotations

from speclens.analyzers import __version__
from speclens.analyzers.client_cells import pairs
from speclens.analyzers.client_kinds import view
from speclens.analyzers.render.plain import tables_to_markdown
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_results import read_client_result


def client_tables(path: str) -> list[Table]:
    result = read_client_result(path)
    config = getattr(result, "config", None) or getattr(result, "metadata", {}) or {}
    return [pairs(f"{type(result).__name__}: configuration", config), *view(result).tables(result)]


def client_markdown(path: str) -> str:
    return tables_to_markdown(f"speclens report: {path}", f"speclens {__version__}", client_tables(path))
