"""Atomic output: a temp file in the target's directory, fsync, rename. A reader never sees a
half-written file, and an existing file is replaced only once the new one is complete.

The one output guard: nothing is written onto a file this command read (`parsers.files.was_read`,
which every reader feeds) or one it was told to protect. Errors name the user's path, never the
temp file.
"""

from __future__ import annotations

import os
import tempfile

from speclens.parsers.files import was_read


def umask() -> int:
    """The process umask (read without changing it for longer than two calls)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


class OutputRefused(ValueError):
    """The output path would overwrite one of the command's inputs, or cannot be written."""


def check_output(path: str, protected: list[str] | None = None) -> None:
    """Refuse an output path that is an input of this command, a directory, or in a missing directory."""
    real = os.path.realpath(path)
    if was_read(path) or any(os.path.exists(p) and os.path.realpath(p) == real for p in protected or []):
        raise OutputRefused(f"{path}: refusing to overwrite an input file; choose another -o path")
    if os.path.isdir(path):
        raise OutputRefused(f"{path}: is a directory; pass a file path to -o")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputRefused(f"{path}: directory {directory} does not exist; create it or choose another -o path")


class OutputExists(OutputRefused):
    """`replace=False` and the path exists (or was created meanwhile)."""


def write_atomic(path: str, text: str | bytes, protected: list[str] | None = None, replace: bool = True) -> None:
    """Write `text` (UTF-8) or bytes to `path` atomically, with the permissions the umask gives;
    refuse what `check_output` refuses. `replace=False` never replaces a file: the complete temp
    file is hard-linked into place, so one created meanwhile is kept (OutputExists)."""
    check_output(path, protected)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".speclens-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise OutputRefused(f"{path}: cannot write in {directory} ({err.strerror}); choose another -o path") from None
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; outputs get the usual permissions
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise OutputExists(f"{path}: already exists; choose another path") from None
            _remove(tmp)
    except OutputExists:
        _remove(tmp)
        raise
    except OSError as err:
        _remove(tmp)
        raise OutputRefused(f"{path}: cannot write it ({err.strerror}); choose another -o path") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
