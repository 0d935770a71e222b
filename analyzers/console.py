"""Terminal output: rich tables when stdout is a terminal, the plain renderer otherwise."""

from __future__ import annotations

import sys

from speclens.analyzers.acceptance_models import Report
from speclens.analyzers.render.tables import report_tables


def print_rich(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console()
    console.print(f"[bold]speclens {report.speclens_version}[/bold] acceptance report (schema {report.schema_version})")
    for table in report_tables(report):
        rich_table = RichTable(title=table.title, title_justify="left", show_lines=False)
        for header in table.headers:
            rich_table.add_column(header, overflow="fold")
        for row in table.rows:
            rich_table.add_row(*row)
        console.print(rich_table)
        for note in table.notes:
            console.print(note, style="dim", markup=False, highlight=False)


def warn(message: str) -> None:
    sys.stderr.write(f"speclens: warning: {message}\n")


def fail(message: str) -> None:
    sys.stderr.write(f"speclens: error: {message}\n")
