"""What a PATH argument holds: a run directory, a vLLM log, one scrape, or a before/after pair.

A run directory is recognized by its files: `vllm_server.log` (or `.log.gz`), and
`metrics_before.prom` / `metrics_after.prom`. Two consecutive `.prom` arguments form a
before/after pair, in that order. Anything else is read as a vLLM log (plain or gzip).
Inputs are hashed (sha256) for provenance; a plain log is hashed on a second thread while it is
scanned, so it is read once.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from dataclasses import dataclass

from parsers.errors import ParseError

LOG_NAMES = ("vllm_server.log", "vllm_server.log.gz")
BEFORE_NAME = "metrics_before.prom"
AFTER_NAME = "metrics_after.prom"


@dataclass(frozen=True, slots=True)
class Target:
    path: str
    kind: str  # run_dir | log | metrics_pair | metrics
    log: str | None = None
    before: str | None = None
    after: str | None = None


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise ParseError(path, None, "no such file or directory", "check the path")
    if not os.access(path, os.R_OK):
        raise ParseError(path, None, "file is not readable", "check its permissions")


def _run_dir(path: str) -> Target:
    def present(name: str) -> str | None:
        full = os.path.join(path, name)
        return full if os.path.isfile(full) else None

    log = next((p for p in map(present, LOG_NAMES) if p), None)
    before, after = present(BEFORE_NAME), present(AFTER_NAME)
    if log is None and after is None:
        raise ParseError(path, None, f"expected a run directory holding {LOG_NAMES[0]} and/or {AFTER_NAME}",
                         "point at a speclens run directory, a vLLM log file or .prom scrapes")
    for file in (log, before, after):
        if file:
            _check_file(file)
    return Target(path, "run_dir", log, before if after else None, after)


def resolve_targets(paths: list[str]) -> list[Target]:
    """Turn the CLI's PATH arguments into analysis targets, in order."""
    targets: list[Target] = []
    i = 0
    while i < len(paths):
        path = paths[i]
        if os.path.isdir(path):
            targets.append(_run_dir(path))
        elif path.endswith(".prom"):
            _check_file(path)
            if i + 1 < len(paths) and paths[i + 1].endswith(".prom"):
                _check_file(paths[i + 1])
                targets.append(Target(f"{path} → {paths[i + 1]}", "metrics_pair", before=path, after=paths[i + 1]))
                i += 1
            else:
                targets.append(Target(path, "metrics", after=path))
        else:
            _check_file(path)
            if os.path.isdir(path):
                raise ParseError(path, None, "expected a file")
            targets.append(Target(path, "log", log=path))
        i += 1
    return targets


def file_sha256(path: str) -> str:
    """sha256 of a whole file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class ThreadedDigest:
    """sha256 of blocks fed in order, computed on a second thread (hashlib releases the GIL on
    large updates). The queue is bounded, so memory stays flat if hashing falls behind."""

    def __init__(self) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)  # 8 MiB ahead at most
        self._digest = hashlib.sha256()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (block := self._queue.get()) is not None:
            self._digest.update(block)

    def feed(self, block: bytes) -> None:
        self._queue.put(block)

    def hexdigest(self) -> str:
        self._queue.put(None)
        self._thread.join()
        return self._digest.hexdigest()
