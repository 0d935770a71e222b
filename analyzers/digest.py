"""The content fingerprint every report carries for each input file (`InputFile.digest`).

The value names its algorithm: `blake3:<64 hex>` (BLAKE3, `blake3` package: SIMD, several GB/s
on one core, against SHA-256's ~1.2 GB/s that used to be most of a large log's scan time), or
`sha256:<64 hex>` where `blake3` is not installed. Reports written before the field named its
algorithm carried `sha256: <hex>`; `InputFile` reads those as `digest: "sha256:<hex>"`
(`legacy_digest`). Two digests are comparable only when they name the same algorithm.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from typing import Any

from speclens.parsers.files import open_input

try:
    from blake3 import blake3 as _blake3
except ImportError:  # pragma: no cover - the fallback is complete, only slower
    _blake3 = None

ALGORITHM = "blake3" if _blake3 is not None else "sha256"
_BLOCK = 1 << 20


def _hasher() -> Any:
    return _blake3() if _blake3 is not None else hashlib.sha256()


def named(hexdigest: str, algorithm: str = ALGORITHM) -> str:
    """`algorithm:hexdigest`, the form `InputFile.digest` holds."""
    return f"{algorithm}:{hexdigest}"


def legacy_digest(sha256_hex: str) -> str:
    """The `digest` of an old report's `sha256` field."""
    return named(sha256_hex, "sha256")


def file_digest(path: str) -> str:
    """The named digest of a whole file, read in 1 MiB blocks."""
    digest = _hasher()
    with open_input(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return named(digest.hexdigest())


class ThreadedDigest:
    """The named digest of blocks fed in order, computed on a second thread (both hashers release
    the GIL on large updates). The queue is bounded, so memory stays flat if hashing falls behind."""

    def __init__(self) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)  # 8 MiB ahead at most
        self._digest = _hasher()
        self._fed = False
        self._thread: threading.Thread | None = None  # started at the second block: a one-block file (most logs
        # of a `speclens compare` over thousands of runs) is hashed inline, without a thread to start and join

    def _run(self) -> None:
        while (block := self._queue.get()) is not None:
            self._digest.update(block)

    def feed(self, block: bytes) -> None:
        if not self._fed:  # the first block, hashed before any thread exists: the order is kept
            self._fed = True
            self._digest.update(block)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        self._queue.put(block)

    def hexdigest(self) -> str:
        """The named digest (`blake3:<hex>`) of everything fed."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        return named(self._digest.hexdigest())
