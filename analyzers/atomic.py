"""Output files. `write_atomic`: a temp file in the target's directory, fsync, rename; a reader never
sees a half-written file, an existing file is replaced only once the new one is complete, a
symlink is written through (the link stays), and a stream (a pipe, a terminal, /dev/null,
/dev/stdout) is written into, never replaced (`base.atomic`, `base.streams`, which clients and
launchers use too); here it also refuses a file this command read.

`check_output` is the one guard of what the speclens commands write with -o (`write_output`):
never onto a file this command read (`parsers.files.was_read`, which every reader feeds) or one it
was told to protect; never onto a file of a run directory given as input (its raw data,
`parsers.files.input_dir_holding`) unless it is a speclens output; an existing file only when it
is an earlier output of the same kind (`analyzers.output_kinds`) or `--overwrite` was given
(`allow_overwrite`, set once by the CLI). Errors name the user's path, never the temp file.
"""

from __future__ import annotations

import os

from speclens.base import atomic as base
from speclens.base.atomic import OutputExists
from speclens.base.streams import OutputRefused, stream_target
from speclens.parsers.files import input_dir_holding, was_read

__all__ = ["OutputExists", "OutputRefused", "allow_overwrite", "check_output", "is_stream", "write_atomic",
           "write_output"]

_overwrite = [False]  # the process's --overwrite (one command per process)


def allow_overwrite(on: bool) -> None:
    """`--overwrite`: replace an existing file that is not an earlier output of the same kind."""
    _overwrite[0] = on


def is_stream(path: str) -> bool:
    """Whether `path` is written into rather than replaced: `-` (stdout), a descriptor, a pipe, a device."""
    return stream_target(path) is not None


def _check_path(path: str, protected: list[str] | None) -> None:
    """Refuse an input of this command, a directory, or a path in a missing directory."""
    if was_read(path):
        raise OutputRefused(f"{path}: refusing to overwrite an input file; choose another -o path")
    base.check_path(path, protected)


def check_output(path: str, protected: list[str] | None = None, like: str | bytes | None = None) -> None:
    """The -o guard (module docstring). `like`: what is about to be written, whose kind an existing
    file must have; None (a check before the work): any speclens output passes for now."""
    if path == "-":
        return
    _check_path(path, protected)
    if stream_target(path) is not None or not os.path.isfile(path):
        return  # written into, or nothing there to replace
    from speclens.analyzers.output_kinds import existing_kind, output_kind

    kind = existing_kind(path)
    wanted = output_kind(like) if like is not None else kind
    if kind is not None and kind == wanted:
        return  # an earlier output of the same kind
    folder = input_dir_holding(path)
    if folder is not None and kind is None:
        raise OutputRefused(f"{path}: refusing to overwrite a file of the run directory {folder}, an input of this "
                            "command (only speclens outputs there are replaced); choose another -o path")
    if _overwrite[0]:
        return
    held = f"holds a `{kind}` output, not `{wanted}`" if kind is not None else "is not a speclens output"
    raise OutputRefused(f"{path}: already exists and {held}; pass --overwrite to replace it, or choose another -o path")


def write_output(path: str, data: str | bytes, protected: list[str] | None = None) -> None:
    """What a command writes with -o: refused as `check_output` refuses, else written into a
    stream or atomically in place."""
    check_output(path, protected, like=data)
    write_atomic(path, data, protected)


def write_atomic(path: str, text: str | bytes, protected: list[str] | None = None, replace: bool = True) -> None:
    """`base.atomic.write_atomic` (which runs `base.check_path`), refusing an input of this command too."""
    if was_read(path):
        raise OutputRefused(f"{path}: refusing to overwrite an input file; choose another -o path")
    base.write_atomic(path, text, protected, replace)
