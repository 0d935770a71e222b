"""Atomic output: a temp file in the target's directory, fsync, rename. A reader never sees a
half-written file, and an existing file is replaced only once the new one is complete."""

from __future__ import annotations

import os
import tempfile


def umask() -> int:
    """The process umask (read without changing it for longer than two calls)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


class OutputRefused(ValueError):
    """The output path would overwrite one of the run's raw inputs."""


def write_atomic(path: str, text: str, protected: list[str] | None = None) -> None:
    """Write `text` (UTF-8) to `path` atomically; refuse to overwrite any `protected` file."""
    real = os.path.realpath(path)
    if any(os.path.exists(p) and os.path.realpath(p) == real for p in protected or []):
        raise OutputRefused(f"{path}: refusing to overwrite an input file; choose another -o path")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".speclens-", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; outputs get the usual permissions
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
