"""`speclens compare PATH...`: one row per run directory (analyzers.compare.row), sortable.

PATHs are expanded by `expand_run_dirs`: a run directory (`parsers.run_dir.detect`: it holds
a vLLM log, a /metrics scrape, run.json or guidellm_results.json) or a folder holding any
`*.json` file is a row; its `baseline/` belongs to it (the speedup reference); its other
subfolders and any folder of run folders are searched in turn (down to MAX_DEPTH levels). In a
folder that is not a run directory, each file read on its own by content (a server log, a scrape,
vllm bench console output, under any name: `analyzers.inputs.loose_inputs`, the detection
`compare FILE` uses) is a row too, and so is each client result JSON (found by content:
`analyzers.inputs.client_jsons`; e.g. the speculative-thinking tool's `benchmark_results/`, the LoRA
suite's working folder); the folder itself is then a row only for its other JSON files. A folder
with nothing readable is listed once in `skipped`, not as a row.
Every directory is summarized independently (in worker processes for large sets), so hundreds
of directories take seconds. A row with an `error` is still shown, and makes the exit status 2.
"""

from __future__ import annotations

import functools
import os
import sys
from multiprocessing import Pool
from typing import Literal

from pydantic import BaseModel
from speclens.analyzers.commands import EXIT_BAD_INPUT, EXIT_OK, emit, input_boundary
from speclens.analyzers.compare.cells import by_category, cell_paths, grid_cells
from speclens.analyzers.compare.keys import SORT_KEYS
from speclens.analyzers.compare.row import CompareRow, Skipped, summarize
from speclens.analyzers.render.console import fail, warn
from speclens.analyzers.inputs import client_jsons, loose_inputs
from speclens.parsers.files import note_read
from speclens.parsers.run_cells import CELLS
from speclens.parsers.run_dir import BASELINE, detect

__all__ = ["SORT_KEYS", "CompareReport", "CompareRow", "Skipped", "compare_runs", "expand_run_dirs", "sort_rows"]

PARALLEL_FROM = 32
MAX_DEPTH = 6
NO_RUN_FILES = "no vLLM log, /metrics scrape, run.json or JSON file, here or in its subfolders"


class CompareReport(BaseModel):
    # 3: a client result row's ratios moved from `speedup` (now run directories' output throughput
    # ratio only) to pooled_tps_speedup / latency_speedup / mean_tps_speedup; `speclens render`
    # refuses a version-2 file with "re-run speclens compare" rather than mislabel its numbers
    schema_version: Literal[3] = 3
    tool: str = "speclens compare"
    speclens_version: str
    sort: str | None
    rows: list[CompareRow]
    skipped: list[Skipped]


def _walk(path: str, depth: int, seen: set[str], found: list[str], skipped: list[Skipped]) -> bool:
    """Add the run directories at or under `path`; True when any was found."""
    real = os.path.realpath(path)
    if real in seen:
        return True  # already listed (a symlink or a repeated argument): not "nothing readable"
    seen.add(real)
    here = detect(path)
    if here.error is not None:
        found.append(path)  # summarize reports why it cannot be read
        return True
    # a run directory's files are its row's; elsewhere files are read by content: client result
    # JSONs and loose logs/scrapes are rows of their own, other JSON files make the folder a row
    clients = [] if here.kind == "run_dir" else client_jsons(path, here.json_files)
    is_run = here.kind == "run_dir" or len(here.json_files) > len(clients)
    start = len(found)
    cells = grid_cells(path) if here.kind == "run_dir" else []
    if cells:  # a multi-phase run: one row per cell, in the grid's order (analyzers.compare.cells)
        found += [p for p in cell_paths(path, cells) if os.path.realpath(p) not in seen]
        seen.update(os.path.realpath(p) for p in cell_paths(path, cells))
    elif is_run:
        found.append(path)
    if here.kind != "run_dir":
        files, unreadable = loose_inputs(path)
        found += sorted(clients + files)
        skipped += [Skipped(path=p, reason=why) for p, why in unreadable]
    empty: list[str] = []
    for sub in (os.path.join(path, name) for name in here.subdirs
                if not name.startswith(".") and not (is_run and name == BASELINE) and not (cells and name == CELLS)):
        if depth >= MAX_DEPTH:
            reason = f"more than {MAX_DEPTH} levels below the argument; pass it directly"
            skipped.append(Skipped(path=sub, reason=reason))
        elif not _walk(sub, depth + 1, seen, found, skipped):
            empty.append(sub)
    got = len(found) > start
    if got and not is_run:  # empty subfolders of a run directory (report_plots/, tmp/) are not news
        skipped += [Skipped(path=e, reason=NO_RUN_FILES) for e in empty]
    return got


def expand_run_dirs(paths: list[str]) -> tuple[list[str], list[Skipped]]:
    """The run directories (and files) to summarize, in argument order, and the folders skipped."""
    found: list[str] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            if not _walk(path, 0, seen, found, skipped):
                skipped.append(Skipped(path=path, reason=NO_RUN_FILES))
        elif path not in found:
            found.append(path)  # a file, or a missing path (summarize makes it an error row)
    return found, skipped


def compare_runs(paths: list[str], force: bool = False) -> tuple[list[CompareRow], list[Skipped]]:
    """Rows in the order given, and the folders that held nothing readable; large sets are
    summarized by a pool of worker processes (rows come back whole, `files_read` included).
    `force`: speedups over DIR/baseline also for pairs that are not comparable (as speedup --force)."""
    workers = os.cpu_count() or 1
    one = functools.partial(summarize, force=force)
    if len(paths) < PARALLEL_FROM or workers < 2:
        entries = [one(p) for p in paths]
    else:  # leaving the block, Ctrl-C included, terminates the workers (they ignore SIGINT: _worker_gc)
        with Pool(processes=workers, initializer=_worker_gc) as pool:  # chunks of ~1/16 per worker: no long tail
            entries = pool.map(one, paths, chunksize=max(1, len(paths) // (16 * workers)))
    rows = [e for e in entries if isinstance(e, CompareRow)]
    _note_parents(rows)
    return rows, [e for e in entries if isinstance(e, Skipped)]


def _worker_gc() -> None:
    """A worker makes many short-lived objects per directory (its parsed load-driver JSON): the heap it
    inherits is frozen and the young generation collected less often (~5% of a directory's CPU). Ctrl-C
    (SIGINT to the whole process group) is the parent's to handle: it stops the pool and says so once."""
    import gc
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _note_parents(rows: list[CompareRow]) -> None:
    """A folder that is a row and also holds run folders (e.g. the server log of several load
    runs above their folders) says that its row covers its own files only."""
    parents: set[str] = set()
    for row in rows:
        folder = os.path.dirname(os.path.normpath(row.run))
        for _ in range(MAX_DEPTH + 1):
            parents.add(folder)
            folder = os.path.dirname(folder)
    for row in rows:
        if os.path.isdir(row.run) and os.path.normpath(row.run) in parents:
            row.notes.append("this row is the folder's own files; the run folders inside it are rows of their own")


def _list_key(values: list[float | None], descending: bool) -> tuple[tuple[int, float], ...]:
    """Element by element; an n/a element after every number, whichever the direction."""
    return tuple((1, 0.0) if v is None else (0, -v if descending else v) for v in values)


def sort_rows(rows: list[CompareRow], key: str | None) -> list[CompareRow]:
    """Sort by a row field (SORT_KEYS); a leading '-' sorts descending. Rows whose value is n/a
    go last either way; lists (per_position, conditional) compare element by element. Stable."""
    if not key:
        return rows
    field, descending = key.removeprefix("-"), key.startswith("-")
    if field not in SORT_KEYS:
        raise ValueError(f"--sort {key!r}: expected one of {', '.join(SORT_KEYS)} (prefix - for descending)")
    present = [r for r in rows if getattr(r, field) is not None]
    missing = [r for r in rows if getattr(r, field) is None]
    if field in ("per_position", "conditional"):
        present.sort(key=lambda r: _list_key(getattr(r, field), descending))
    else:
        present.sort(key=lambda r: getattr(r, field), reverse=descending)
    return present + missing


@input_boundary
def run_compare(paths: list[str], fmt: str, output: str | None, sort: str | None, force: bool = False,
                category: str | None = None) -> int:
    """`speclens compare PATH...`: the command body. Rows with an error are printed with the
    others, each error is also one stderr line, and the exit status is then 2."""
    from speclens.analyzers import __version__
    from speclens.analyzers.render.compare import COMPARE_RENDERERS

    if sort == "help":
        sys.stdout.write("speclens compare --sort keys (prefix - for descending; n/a sorts last):\n"
                         + "".join(f"  {key}\n" for key in SORT_KEYS))
        return EXIT_OK
    if sort:
        sort_rows([], sort)  # an unknown key is an error before any work
    candidates, skipped = expand_run_dirs(paths)
    rows, empty = compare_runs(candidates, force)
    if category is not None and rows:
        rows = by_category(rows, category)  # a category no row has: one error line
    skipped = sorted(skipped + empty, key=lambda s: s.path)
    if not rows:
        told = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:3]) + (
            f"; and {len(skipped) - 3} more" if len(skipped) > 3 else "")
        raise ValueError(f"no run directories found: {told}; pass run directories, a folder of them, or client "
                         "result / load-driver JSON files")
    report = CompareReport(speclens_version=__version__, sort=sort, rows=sort_rows(rows, sort), skipped=skipped)
    read = sorted({p for entry in (*rows, *skipped) for p in entry.files_read})
    note_read(*read)  # worker processes read these; the parent's record (parsers.files) must know them
    emit(COMPARE_RENDERERS[fmt](report), output, read)
    if fmt == "csv":  # CSV holds rows only; the skipped folders are told here
        for s in skipped:
            warn(f"skipped {s.path}: {s.reason}")
    failed = [r for r in report.rows if r.error]
    for r in failed:
        fail(r.error or "")
    return EXIT_BAD_INPUT if failed else EXIT_OK
