"""`publishing`: build a directory under a temporary name beside its final path and rename it into
place only once it is complete, so a reader (vLLM loading a checkpoint, a cache lookup) never sees
a half-written directory, and a failure leaves no partial one behind. The directory counterpart
of `base.atomic.write_atomic`. (launchers/tiny/ keeps its own copy: editing it changes the tiny
pair's recipe hash and forces a rebuild.)"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from speclens.base.atomic import umask


@contextmanager
def publishing(final: str | Path, replace: bool = False) -> Iterator[Path]:
    """Yield a new empty directory beside `final` (`.NAME.*.tmp`, same filesystem); when the block
    ends without an error it is renamed to `final`. An existing `final` is removed first only when
    `replace` (else a non-empty `final` makes the rename fail with OSError and is kept). On any error the
    temporary directory is removed and `final` is untouched. The directory gets the permissions the
    umask gives, as a directory made with mkdir."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        tmp.chmod(0o777 & ~umask())  # mkdtemp makes 0700; the directory gets the usual permissions
        yield tmp
        if replace and final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
