"""-o targets that are written into, never replaced: `-` (standard output), a descriptor of this
process by any of its names (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, or a symlink to
one: written through that descriptor, so a shell's `>>` keeps appending), a FIFO and a character
device (a terminal, /dev/null). A block device or a socket, or another process's descriptor, is
refused: a report is never written onto a disk.
"""

from __future__ import annotations

import os
import re
import stat
import sys

_FD_DIR = re.compile(r"/proc/(\d+)(?:/task/\d+)?/fd")
_MAX_LINKS = 40


class OutputRefused(ValueError):
    """The output path would overwrite one of the command's inputs, or cannot be written."""


def _descriptor(path: str) -> int | None:
    """The descriptor `path` names, following its symlinks one at a time (a /proc descriptor link
    does not resolve to a path); -1 for another process's."""
    here = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        folder, name = os.path.realpath(os.path.dirname(here)), os.path.basename(here)
        match = _FD_DIR.fullmatch(folder)
        if match and name.isdigit():
            return int(name) if int(match.group(1)) == os.getpid() else -1
        full = os.path.join(folder, name)
        if not os.path.islink(full):
            return None
        here = os.path.join(folder, os.readlink(full))  # an absolute link replaces the folder
    return None


def stream_target(path: str) -> int | str | None:
    """What `path` is written into: a descriptor number, the path of a FIFO or character device,
    or None (a regular file or nothing yet: written atomically)."""
    if path == "-":
        return 1
    fd = _descriptor(path)
    if fd == -1:
        raise OutputRefused(f"{path}: names a descriptor of another process; choose another -o path")
    if fd is not None:
        return fd
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # missing (or unreachable: the atomic writer names why)
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return path
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        what = "a block device" if stat.S_ISBLK(mode) else "a socket"
        raise OutputRefused(f"{path}: is {what}; -o writes regular files, pipes and terminals; choose another -o path")
    return None


def write_stdout(data: str | bytes) -> None:
    """Write to standard output and flush: a failure is raised here, in order, not at exit
    (analyzers.render.console's StdoutError once the speclens CLI has wrapped stdout)."""
    if isinstance(data, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data)
    sys.stdout.flush()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_into(path: str, target: int | str, data: bytes) -> None:
    """Write `data` into the stream `stream_target` found (standard output through
    `write_stdout`, whose errors, with analyzers.render.console's stdout, say "standard output")."""
    if target == 1:
        write_stdout(data)
        return
    try:
        if isinstance(target, int):
            if target == 2:
                sys.stderr.flush()  # keep the order of what was written to stderr before
            _write_all(target, data)
            return
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY)  # neither created nor truncated
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as err:
        raise OutputRefused(f"{path}: cannot write it ({err.strerror}); choose another -o path") from None
