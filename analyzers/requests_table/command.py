"""`speclens requests RUN... [-o FILE]`: the request table (analyzers.requests_table.table) as CSV
(stdout, `-o -` or `-o FILE.csv`) or Parquet (`-o FILE.parquet`; binary, so never to stdout).
Written through the one -o guard (`analyzers.atomic.write_output`): never onto an input, atomically,
an existing file only when it is an earlier request table of the same format (or --overwrite)."""

from __future__ import annotations

import io
import os

from speclens.analyzers.commands import EXIT_OK, input_boundary, output_format, to_stdout
from speclens.analyzers.render.console import warn
from speclens.analyzers.output_kinds import PARQUET_MARK
from speclens.analyzers.requests_table.sources import request_parts
from speclens.analyzers.requests_table.table import csv_frame, request_table

FORMATS = ("csv", "parquet")
_PARQUET_EXTENSIONS = (".parquet", ".pq")


def requests_format(fmt: str | None, output: str | None) -> str:
    """csv or parquet: the one given, else what -o's extension says (.parquet/.pq, .csv), else csv.
    ValueError (one line) for a contradiction, another extension, or Parquet to standard output."""
    ext = os.path.splitext(output or "")[1].lower()
    if ext in _PARQUET_EXTENSIONS or fmt == "parquet":
        if fmt not in (None, "parquet") or (fmt == "parquet" and ext not in (*_PARQUET_EXTENSIONS, "")):
            raise ValueError(f"-o {output}: the extension {ext} and --format {fmt} disagree; make them agree")
        if to_stdout(output):
            raise ValueError("Parquet is binary and is not written to standard output; give -o FILE.parquet "
                             "(or --format csv for stdout)")
        return "parquet"
    return output_format(fmt, output, ("csv",))


def table_bytes(table: object, fmt: str) -> str | bytes:
    """The table as CSV text (histogram as hist_0..hist_K) or Parquet bytes (histogram as a list column)."""
    if fmt == "csv":
        return csv_frame(table).write_csv()  # type: ignore[arg-type]
    buffer = io.BytesIO()
    table.write_parquet(buffer, metadata={PARQUET_MARK.decode(): "1"})  # type: ignore[attr-defined]
    return buffer.getvalue()


@input_boundary
def run_requests(runs: list[str], fmt: str, output: str | None) -> int:
    from speclens.analyzers.commands import emit

    found = request_parts(runs)
    for note in found.notes:
        warn(note)
    data = table_bytes(request_table(found.parts), fmt)
    emit(data, output, runs)  # and every file read: parsers.files.was_read
    return EXIT_OK
