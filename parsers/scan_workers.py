"""How many extra processes may read one log: `SPECLENS_SCAN_WORKERS` (one owner for the scan pool,
`parsers.log_scan`, and the gzip inflate process, `parsers.inflate_child`).

By default 0: everything in this process. Measured on this 2-core machine kind while it was busy
(docs/performance.md), both cost more CPU and more wall time than one process; on an idle machine
they can use the second core. `auto`: one per usable CPU (none on a single-CPU machine); `N`: N.
"""

from __future__ import annotations

import os


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def scan_workers() -> int:
    """Worker processes to fork for a large log (0: read it in this process)."""
    value = os.environ.get("SPECLENS_SCAN_WORKERS", "0").strip() or "0"
    if value == "auto":
        cpus = usable_cpus()
        return cpus if cpus > 1 else 0
    try:
        return max(0, int(value))
    except ValueError:
        return 0
