"""How many worker processes may scan one large plain log (`parsers.log_scan`'s fork/pipe pool):
`SPECLENS_SCAN_WORKERS`.

By default (`auto`) one per usable CPU, none on a single-CPU machine; `0`: everything in this process;
`N`: N. The pool is used only for plain files of at least `log_scan.PARALLEL_MIN` bytes. Measured on
this 2-core machine kind (docs/performance.md, 1 GB logs, page-cached): on an idle machine it cut the
wall time 22% on a dense log (1.93 s against 2.49) and 6% on a sparse one (1.02 against 1.09), for 17-26%
more CPU; on a machine whose cores are busy with other work it was slower (wall +17%), so set 0 there.
"""

from __future__ import annotations

import os

DEFAULT = "auto"


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def scan_workers() -> int:
    """Worker processes to fork for a large plain log (0: read it in this process)."""
    value = os.environ.get("SPECLENS_SCAN_WORKERS", DEFAULT).strip() or DEFAULT
    if value == "auto":
        cpus = usable_cpus()
        return cpus if cpus > 1 else 0
    try:
        return max(0, int(value))
    except ValueError:
        return 0
