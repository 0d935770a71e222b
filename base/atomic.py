"""`write_atomic`: a temp file in the target's directory, fsync, rename; a reader never sees a
half-written file, an existing file is replaced only once the new one is complete, a symlink is
written through (the link stays), and a stream (a pipe, a terminal, /dev/null, /dev/stdout) is
written into, never replaced (`base.streams`). What the speclens commands may write over with -o
is the analyzers' policy (`analyzers.atomic`), built on this. Errors name the user's path, never
the temp file."""

from __future__ import annotations

import os
import tempfile

from speclens.base.streams import OutputRefused, stream_target, write_into

__all__ = ["OutputExists", "OutputRefused", "check_path", "umask", "write_atomic"]


class OutputExists(OutputRefused):
    """`replace=False` and the path exists (or was created meanwhile)."""


def umask() -> int:
    """The process umask (read without changing it for longer than two calls)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_path(path: str, protected: list[str] | None) -> None:
    """Refuse a protected path, a directory, or a path in a missing directory."""
    real = os.path.realpath(path)
    if any(os.path.exists(p) and os.path.realpath(p) == real for p in protected or []):
        raise OutputRefused(f"{path}: refusing to overwrite an input file; choose another -o path")
    if os.path.isdir(path):
        raise OutputRefused(f"{path}: is a directory; pass a file path to -o")
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise OutputRefused(f"{path}: directory {os.path.dirname(os.path.abspath(path))} does not exist; create it or "
                            "choose another -o path")


def write_atomic(path: str, text: str | bytes, protected: list[str] | None = None, replace: bool = True) -> None:
    """Write `text` (UTF-8) or bytes to `path` atomically, with the permissions the umask gives,
    through a symlink, or into a stream; refuse a `protected` path. `replace=False` never replaces
    a file: the complete temp file is hard-linked into place, so one created meanwhile is kept
    (OutputExists)."""
    check_path(path, protected)
    data = text.encode("utf-8") if isinstance(text, str) else text
    stream = stream_target(path)
    if stream is not None:
        write_into(path, stream, data)
        return
    target = os.path.realpath(path)  # a symlink is written through, not replaced by a file
    directory = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".speclens-", suffix=".tmp", dir=directory)
    except OSError as err:
        raise OutputRefused(f"{path}: cannot write in {directory} ({err.strerror}); choose another -o path") from None
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; outputs get the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, target)
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
