"""`speclens report CLIENT_RESULT.json`: a client's result JSON (clients/) re-read offline into
tables: its configuration and summary, plus the per-mode statistics where it has them (each kind's
tables: analyzers/client_results/<kind>.py). `--format md` (default) renders them as Markdown, `text`
as plain aligned columns like every other text report; `json` is refused: a client result has no
typed speclens report (the file is its own JSON; `speclens compare FILE --format json` types its row)."""

from __future__ import annotations

from speclens.analyzers import __version__
from speclens.analyzers.client_results.cells import pairs
from speclens.analyzers.client_results.kinds import view
from speclens.analyzers.render.plain import tables_to_markdown, tables_to_text
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_results import read_client_result
from speclens.parsers.errors import ParseError


def client_tables(path: str) -> list[Table]:
    result = read_client_result(path)
    return [pairs(f"{type(result).__name__}: configuration", result.configuration()), *view(result).tables(result)]


def client_markdown(path: str) -> str:
    return tables_to_markdown(f"speclens report: {path}", f"speclens {__version__}", client_tables(path))


def client_text(path: str) -> str:
    return tables_to_text(f"speclens {__version__} report: {path}", client_tables(path))


def render_client_result(path: str, fmt: str) -> str:
    """The report of a client result JSON in `fmt` (md or text); ParseError for json."""
    if fmt == "json":
        raise ParseError(path, None, "--format json: a client result has no typed speclens report (the file is "
                         "already its client's JSON)", f"use --format md or text, or `speclens compare {path} "
                         "--format json` for its typed row")
    return client_text(path) if fmt == "text" else client_markdown(path)
