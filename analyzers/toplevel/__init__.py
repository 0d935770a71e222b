"""speclens: exact speculative-decoding metrics from what vLLM leaves behind.

The Python API: `speclens.read(path)` (analyzers.requests_table.api: `RunData` with `.report`, the
typed acceptance report, and `.requests`, the request table as a polars DataFrame). This file is the
installed top-level `speclens` package (pyproject.toml maps it from analyzers/toplevel/, as it maps
speclens.base, speclens.parsers, ... from the top folders); it imports nothing until called, so
`import speclens.parsers` stays as light as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from speclens.analyzers.requests_table.api import RunData

__all__ = ["RunData", "read"]


def read(path: str) -> RunData:
    """Read a run directory (its cells and baseline/ too), a guidellm result JSON or a raw responses
    file. Returns `speclens.RunData`: `.report` (the typed acceptance report) and `.requests` (the
    request table, a polars DataFrame; every column and its unit: `help(speclens.RunData)`)."""
    from speclens.analyzers.requests_table.api import read as _read

    return _read(path)


def __getattr__(name: str) -> Any:
    if name == "RunData":
        from speclens.analyzers.requests_table.api import RunData

        return RunData
    raise AttributeError(f"module 'speclens' has no attribute {name!r}")
