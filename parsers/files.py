"""Every input this process opens is remembered here, so that no command can write its output
onto what it read (`analyzers.atomic.check_output` asks `was_read` and `input_dir_holding`).
Readers open their inputs through `open_input`; code that reads elsewhere (worker processes)
reports the paths with `note_read`; `parsers.run_dir.detect` notes each run directory it finds
(`note_input_dir`): the files in it and its subfolders (baseline/) are the run's raw data, read or
not. Paths are compared by their real path (symlinks resolved)."""

from __future__ import annotations

import os
from typing import IO, Any

_read: set[str] = set()
_dirs: set[str] = set()


def note_read(*paths: str) -> None:
    """Remember `paths` as inputs of this command."""
    _read.update(os.path.realpath(p) for p in paths)


def note_input_dir(path: str) -> None:
    """Remember `path` as a run directory given to (or found by) this command."""
    _dirs.add(os.path.realpath(path))


def was_read(path: str) -> bool:
    """Whether `path` (or what it links to) was opened as an input."""
    return os.path.realpath(path) in _read


def input_dir_holding(path: str) -> str | None:
    """The input run directory that `path` (or what it links to) lies in, at any depth, or None."""
    real = os.path.realpath(path)
    return next((d for d in sorted(_dirs) if real.startswith(d.rstrip(os.sep) + os.sep)), None)


def open_input(path: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:
    """`open(path, mode, **kwargs)` for reading an input, remembered by `was_read`."""
    if any(c in mode for c in "wax+"):
        raise ValueError(f"open_input is for reading, not mode {mode!r}")
    handle = open(path, mode, **kwargs)  # noqa: SIM115 - returned to the caller
    note_read(path)
    return handle
