"""Every input file this process opens is remembered here, so that no command can write its
output onto a file it read (`analyzers.atomic.write_atomic` asks `was_read`). Readers open their
inputs through `open_input`; code that reads elsewhere (worker processes) reports the paths with
`note_read`. Paths are compared by their real path (symlinks resolved)."""

from __future__ import annotations

import os
from typing import IO, Any

_read: set[str] = set()


def note_read(*paths: str) -> None:
    """Remember `paths` as inputs of this command."""
    _read.update(os.path.realpath(p) for p in paths)


def was_read(path: str) -> bool:
    """Whether `path` (or what it links to) was opened as an input."""
    return os.path.realpath(path) in _read


def open_input(path: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:
    """`open(path, mode, **kwargs)` for reading an input, remembered by `was_read`."""
    if any(c in mode for c in "wax+"):
        raise ValueError(f"open_input is for reading, not mode {mode!r}")
    handle = open(path, mode, **kwargs)  # noqa: SIM115 - returned to the caller
    note_read(path)
    return handle
