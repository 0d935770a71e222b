"""The text layout of one table, fitted to a width: the one place that decides how a table looks on
a narrow terminal, for the plain renderer (render/plain.py) and the rich tables (console.py).

Width: text written to a terminal is fitted to its width (COLUMNS when set, else the terminal's
own); text written to a file or a pipe is never fitted (no width), so it is the same wherever it
runs. `TEXT_WIDTH` carries the width to the text renderers; the CLI sets it from the -o option
(`console.fit_text`, called where every command reads -o and --format).

At a width W, a table whose columns fit side by side at their natural width is laid out as without
one. Else its cells wrap, whole words only: lines break at spaces, after a '/' (paths) and after a ','
(compare's comma-separated flags), never
inside a word, name or number; each column gets at least its longest unbreakable
piece and the rest of W goes to the columns by how much they lack. When even those pieces do not
fit side by side, each row becomes a block of `header: value` lines. Titles and notes wrap at W.
"""

from __future__ import annotations

import re
import sys
from contextvars import ContextVar

from speclens.analyzers.render.tables import Table

TEXT_WIDTH: ContextVar[int | None] = ContextVar("speclens_text_width", default=None)  # None: not fitted
GAP = 2  # spaces between the columns of a plain table
_BREAK = re.compile(r"(?<=[/,])(?=[^/,])")  # a break point inside a word: after a '/' (paths) or a ',' (lists)


def pieces(text: str) -> list[str]:
    """The unbreakable pieces of a cell: its words, split after a '/'."""
    return [p for word in text.split() for p in _BREAK.split(word) if p]


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` (a piece longer than that gets a line of its own)."""
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        for i, piece in enumerate(pieces(word)):
            glue = "" if i else " "  # the pieces of one word join without a space
            if line and len(line) + len(glue) + len(piece) > width:
                lines.append(line)
                line = piece
            else:
                line = line + glue + piece if line else piece
    return [*lines, line]


def _least(text: str) -> int:
    return max(map(len, pieces(text)), default=0)


def _grow(start: list[int], target: list[int], room: int) -> list[int]:
    """`start` grown toward `target` within `room`, in proportion to what each lacks (the
    remainder one by one, most lacking first)."""
    lack = [t - s for s, t in zip(start, target, strict=True)]
    spare = min(room, sum(target)) - sum(start)
    widths = [s + spare * k // sum(lack) if sum(lack) else s for s, k in zip(start, lack, strict=True)]
    for i in sorted(range(len(widths)), key=lambda i: widths[i] - target[i]):
        if sum(widths) < min(room, sum(target)) and widths[i] < target[i]:
            widths[i] += 1
    return widths


def column_widths(table: Table, room: int) -> list[int] | None:
    """The widths of the columns when their content may take `room` characters in all: natural
    when they fit; else each at least its longest piece, then what its cells need (headers wrap
    first), then the rest by what it lacks; None when the longest pieces alone do not fit."""
    columns = [[h, *(row[i] for row in table.rows)] for i, h in enumerate(table.headers)]
    natural = [max(map(len, c)) for c in columns]
    if sum(natural) <= room:
        return natural
    least = [max(map(_least, c)) for c in columns]
    if sum(least) > room:
        return None
    body = [max(m, *map(len, c[1:])) for m, c in zip(least, columns, strict=True)]  # cells unwrapped
    return _grow(body, natural, room) if sum(body) <= room else _grow(least, body, room)


def blocks(table: Table, width: int) -> list[str]:
    """One block of `header: value` lines per row (an empty cell is left out), a blank line between."""
    label = max(map(len, table.headers)) + 2
    out: list[str] = []
    for k, row in enumerate(table.rows):
        out += [""] if k else []
        for header, value in zip(table.headers, row, strict=True):
            if value:
                first, *rest = wrap(value, max(width - label, 20))
                out += [f"{header + ':':<{label}}{first}", *(" " * label + line for line in rest)]
    return out


def _row_lines(cells: list[str], widths: list[int]) -> list[str]:
    wrapped = [wrap(c, w) for c, w in zip(cells, widths, strict=True)]
    height = max(map(len, wrapped))
    gap = " " * GAP
    return [gap.join((col[i] if i < len(col) else "").ljust(w) for col, w in zip(wrapped, widths, strict=True)).rstrip()
            for i in range(height)]


def table_lines(table: Table, width: int | None) -> list[str]:
    """A titled plain table (title, its underline, header, rows, notes) fitted to `width` (None:
    columns at their natural width, nothing wrapped)."""
    title = wrap(table.title, width) if width else [table.title]
    out = [*title, "-" * max(map(len, title))]
    if table.rows:
        room = sys.maxsize if width is None else width - GAP * (len(table.headers) - 1)
        widths = column_widths(table, room)  # natural widths when not fitted
        if widths is None:  # only when fitted
            out += blocks(table, width or 0)
        else:
            rows = [_row_lines(row, widths) for row in table.rows]
            head = _row_lines(table.headers, widths)
            tall = any(len(r) > 1 for r in rows) or len(head) > 1
            out += head + ([(" " * GAP).join("-" * w for w in widths)] if tall else [])
            for k, lines in enumerate(rows):
                out += ([""] if tall and k else []) + lines
    out += [line for note in table.notes for line in (wrap(note, width) if width else [note])]
    return out
