"""Plain-text and Markdown renderings of the shared tables (no escape codes, deterministic)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from speclens.analyzers.render.fit import TEXT_WIDTH, table_lines, wrap
from speclens.analyzers.render.tables import Table, report_tables


def tables_to_text(heading: str, tables: list[Table], width: int | None = None) -> str:
    """The tables as plain text, fitted to `width` (default: TEXT_WIDTH, set when stdout is a
    terminal; None: natural column widths, nothing wrapped; see render/fit.py)."""
    width = width or TEXT_WIDTH.get()
    lines = [*(wrap(heading, width) if width else [heading]), ""]
    for table in tables:
        lines += table_lines(table, width) + [""]
    return "\n".join(lines)


def text_and_markdown(name: str, tables: Callable[[Any], list[Table]]) -> tuple[Callable[[Any], str],
                                                                                 Callable[[Any], str]]:
    """The text and Markdown renderers of a report (with `speclens_version` and `schema_version`)
    whose tables `tables` makes: text headed `speclens V NAME (schema S)`, Markdown titled
    `speclens NAME` with `speclens V, schema S` under it."""

    def text(r: Any) -> str:
        return tables_to_text(f"speclens {r.speclens_version} {name} (schema {r.schema_version})", tables(r))

    def markdown(r: Any) -> str:
        return tables_to_markdown(f"speclens {name}", f"speclens {r.speclens_version}, schema {r.schema_version}",
                                  tables(r))

    return text, markdown


render_text, render_markdown = text_and_markdown("acceptance report", report_tables)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def tables_to_markdown(title: str, subtitle: str, tables: list[Table]) -> str:
    lines = [f"# {title}", "", subtitle, ""]
    for table in tables:
        lines += [f"## {_md_cell(table.title)}", ""]
        if table.rows:
            lines.append("| " + " | ".join(map(_md_cell, table.headers)) + " |")
            lines.append("|" + "---|" * len(table.headers))
            lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in table.rows]
            lines.append("")
        lines += [f"- {_md_cell(note)}" for note in table.notes]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
