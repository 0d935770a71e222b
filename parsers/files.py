"""Every input this process opens is remembered here, so that no command can write its output
onto what it read (`analyzers.atomic.check_output` asks `was_read` and `input_dir_holding`).
Readers open their inputs through `open_input`; code that reads elsewhere (worker processes)
reports the paths with `note_read`; `parsers.run_dir.detect` notes each run directory it finds
(`note_input_dir`): the files in it and its subfolders (baseline/) are the run's raw data, read or
not. Paths are compared by their real path (symlinks resolved), resolved when first asked (a command that
reads thousands of files, such as compare, asks once or never: no realpath per open)."""

from __future__ import annotations

import os
from typing import IO, Any

_read: set[str] = set()
_dirs: set[str] = set()
_noted: tuple[set[str], set[str]] = (set(), set())  # absolute paths noted (files, dirs), resolved on the first ask


def _resolved(real: set[str], noted: set[str]) -> set[str]:
    if noted:
        real.update(map(os.path.realpath, noted))
        noted.clear()
    return real


def note_read(*paths: str) -> None:
    """Remember `paths` as inputs of this command."""
    _noted[0].update(map(os.path.abspath, paths))


def note_input_dir(path: str) -> None:
    """Remember `path` as a run directory given to (or found by) this command."""
    _noted[1].add(os.path.abspath(path))


def was_read(path: str) -> bool:
    """Whether `path` (or what it links to) was opened as an input."""
    return os.path.realpath(path) in _resolved(_read, _noted[0])


def input_dir_holding(path: str) -> str | None:
    """The input run directory that `path` (or what it links to) lies in, at any depth, or None."""
    real = os.path.realpath(path)
    return next((d for d in sorted(_resolved(_dirs, _noted[1])) if real.startswith(d.rstrip(os.sep) + os.sep)), None)


def open_input(path: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:
    """`open(path, mode, **kwargs)` for reading an input, remembered by `was_read`."""
    if any(c in mode for c in "wax+"):
        raise ValueError(f"open_input is for reading, not mode {mode!r}")
    handle = open(path, mode, **kwargs)  # noqa: SIM115 - returned to the caller
    note_read(path)
    return handle
