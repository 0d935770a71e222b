"""Terminal output: rich tables when stdout is a terminal, the plain renderer otherwise; the
stderr lines (`warn`, `fail`); and standard output itself (`guard_stdout`, installed by the CLI's
`main`): a closed stdout, a full disk (/dev/full) or a reader that went away is one
`StdoutError`, said once as "cannot write to standard output (why)" (`stdout_failed`).
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from speclens.analyzers.acceptance.models import Report

EXIT_STDOUT, EXIT_BROKEN_PIPE = 2, 141  # 141 = 128 + SIGPIPE: what the shell shows for `yes | head`


class StdoutError(OSError):
    """Standard output cannot be written (closed, no space left, a broken pipe)."""

    def __str__(self) -> str:
        return str(self.strerror)


class _Stdout(io.RawIOBase):
    """File descriptor 1, whose write errors are one StdoutError; after the first, the rest of the
    output is dropped (the error has been said and the exit status tells)."""

    failed = False

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return os.isatty(1)

    def fileno(self) -> int:
        return 1

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.failed:
            return len(data)
        try:
            return os.write(1, data)
        except OSError as err:
            self.failed = True
            reason = "it is closed" if err.errno == errno.EBADF else err.strerror
            raise StdoutError(err.errno, f"cannot write to standard output ({reason})") from None


def _reserve(fd: int) -> None:
    """Hold a closed descriptor 1 or 2 with a read-only /dev/null: a file opened later cannot take
    its number (and receive what was meant for stdout), and a write to it fails (EBADF)."""
    try:
        os.fstat(fd)
    except OSError:
        held = os.open(os.devnull, os.O_RDONLY)
        if held != fd:
            os.dup2(held, fd)
            os.close(held)


def guard_stdout() -> None:
    """Install the guarded standard output (and a silent stderr when stderr was closed)."""
    for fd in (1, 2):
        _reserve(fd)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the process's stderr: messages are dropped
    if sys.stdout is None or sys.stdout is sys.__stdout__:  # not when a test captures it
        old = sys.stdout
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(_Stdout()), encoding=getattr(old, "encoding", None) or "utf-8",
                                      errors=getattr(old, "errors", None) or "strict", line_buffering=os.isatty(1))


def stdout_failed(err: StdoutError) -> int:
    """Say once that standard output failed (silent for a reader that went away, as `yes | head`
    is); the exit status."""
    if err.errno == errno.EPIPE:
        return EXIT_BROKEN_PIPE
    fail(str(err))
    return EXIT_STDOUT


def terminal_width() -> int | None:
    """The width text is fitted to (render/fit.py): the terminal's when stdout is one (COLUMNS when
    set, as shutil reads it); None for a file or a pipe, which are never fitted."""
    try:
        tty = sys.stdout is not None and sys.stdout.isatty()
    except (OSError, ValueError):
        tty = False
    return shutil.get_terminal_size().columns if tty else None


def fit_text(to_stdout: bool) -> None:
    """Fit the text tables of this command to the terminal when they go to standard output."""
    from speclens.analyzers.render.fit import TEXT_WIDTH

    TEXT_WIDTH.set(terminal_width() if to_stdout else None)


def print_rich(report: Report, console: Console | None = None) -> None:
    """The report as rich tables, fitted to the console's width as the plain text is (render/fit.py):
    cells wrap at whole words, or a table too wide for that becomes `header: value` blocks."""
    from rich.console import Console
    from rich.table import Table as RichTable
    from speclens.analyzers.render.fit import blocks, column_widths, wrap
    from speclens.analyzers.render.tables import report_tables

    console = console or Console()
    console.print(f"[bold]speclens {report.speclens_version}[/bold] acceptance report (schema {report.schema_version})")
    for table in report_tables(report):
        widths = column_widths(table, console.width - 3 * len(table.headers) - 1) if table.rows else None  # borders, padding
        if widths is None:  # no rows, or too wide for whole words side by side
            console.print(table.title, style="italic", markup=False, highlight=False)
            if table.rows:
                console.print("\n".join(blocks(table, console.width)), markup=False, highlight=False, overflow="fold")
        else:
            rich_table = RichTable(title=table.title, title_justify="left", show_lines=False)
            for header, width in zip(table.headers, widths, strict=True):
                rich_table.add_column("\n".join(wrap(header, width)), width=width, overflow="fold")
            for row in table.rows:
                rich_table.add_row(*("\n".join(wrap(cell, width)) for cell, width in zip(row, widths, strict=True)))
            console.print(rich_table)
        for note in table.notes:
            console.print(note, style="dim", markup=False, highlight=False)


def _stderr(line: str) -> None:
    try:
        sys.stderr.write(line)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr full or closed: the exit status still tells


def warn(message: str) -> None:
    _stderr(f"speclens: warning: {message}\n")


def fail(message: str) -> None:
    _stderr(f"speclens: error: {message}\n")
