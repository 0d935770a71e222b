"""Any load driver's result file as a `LoadRun`: guidellm JSON (every schema generation) or
`vllm bench serve` JSON, told apart by their content, whatever the file is called.

`load_driver(doc)` names the driver of a parsed JSON document (cheap: a few key look-ups);
`find_load_results(folder)` finds a run folder's load-driver JSON: the run directory's own
(`parsers.run_dir.LOAD_RESULTS`, guidellm_results.json) when it exists, else the first `*.json`
by name whose content is load results (`guidellm.json`, `benchmarks.json`,
`vllm-bench-serve.json`, ...). Client result JSONs (parsers/client_results.py) and the run's
manifest (run.json) are not load results. This is the one detection every command uses (speedup,
compare, report); further load-driver files in the folder are returned as `unused`, and each
command names them as not used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import LoadRun, parse_guidellm
from speclens.parsers.json_file import read_json
from speclens.parsers.run_dir import LOAD_RESULTS, Detected, detect
from speclens.parsers.vllm_bench import is_vllm_bench, parse_vllm_bench

GUIDELLM, VLLM_BENCH = "guidellm", "vllm-bench-serve"


def load_driver(doc: Any) -> str | None:
    """`vllm-bench-serve` (parsers.vllm_bench.is_vllm_bench: per-request lists or the aggregate
    keys), `guidellm` (an object with a `benchmarks` list, the first rule of
    parsers.guidellm.detect_schema; unsupported guidellm generations count, so that reading them
    gives guidellm's own error), or None for anything else."""
    if is_vllm_bench(doc):
        return VLLM_BENCH
    if isinstance(doc, dict) and isinstance(doc.get("benchmarks"), list):
        return GUIDELLM
    return None


def is_load_results(doc: Any) -> bool:
    return load_driver(doc) is not None


def parse_load_results(path: str, doc: Any) -> LoadRun:
    """A parsed load-driver document as a `LoadRun` (ParseError if it is neither driver's)."""
    if load_driver(doc) == VLLM_BENCH:
        return parse_vllm_bench(path, doc)[0]
    return parse_guidellm(path, doc)


def read_load_results(path: str) -> LoadRun:
    """A guidellm result JSON (any generation) or a `vllm bench serve` result JSON."""
    return parse_load_results(path, read_json(path))


@dataclass
class FolderLoadResults:
    """What `find_load_results` found. `read`: every file it opened; `unused`: further files
    holding load results; `other_json`: JSON files that are not load results; `errors`: files
    that could not be read (bad JSON, unreadable, unsupported schema)."""

    used: str | None = None
    run: LoadRun | None = None
    doc: Any = field(default=None, repr=False)  # the used file's parsed JSON (read once, also for per-request data)
    read: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    other_json: list[str] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def _read(path: str, found: FolderLoadResults, lean: bool = False) -> Any:
    found.read.append(path)
    try:
        if lean:
            from speclens.parsers.guidellm_lean import read_load_json  # msgspec: loaded by compare only

            return read_load_json(path)
        return read_json(path)
    except OSError as err:
        found.errors.append(ParseError(path, None, f"cannot read the file ({err.strerror or err})",
                                       "check its permissions"))
    except ParseError as err:
        found.errors.append(err)
    return None


def _use(path: str, doc: Any, found: FolderLoadResults) -> None:
    try:
        found.run, found.used, found.doc = parse_load_results(path, doc), path, doc
    except ParseError as err:
        found.errors.append(err)


def find_load_results(folder: str, here: Detected | None = None, lean: bool = False) -> FolderLoadResults:
    """The load-driver JSON of a run folder. Its guidellm_results.json is preferred and, when it
    exists, the only file read; otherwise every other `*.json` (not run.json) is read in name
    order and the first holding load results is used. Never raises for bad files: see `errors`.
    `here`: the folder's `detect` when the caller has it (listed once). `lean`: a guidellm file's `doc` is
    only what its `run` is built from (parsers.guidellm_lean: `speclens compare`), not its per-request data."""
    found = FolderLoadResults()
    here = here if here is not None and here.path == folder else detect(folder)
    why = here.error or (None if here.is_dir else "Not a directory" if here.exists else "No such file or directory")
    if why is not None:
        found.errors.append(ParseError(folder, None, f"cannot list the folder ({why})"))
        return found
    preferred = here.file(LOAD_RESULTS)
    if preferred is not None:
        doc = _read(preferred, found, lean)
        if not found.errors:
            _use(preferred, doc, found)
        return found
    for path in (os.path.join(folder, name) for name in here.json_files):
        failed = len(found.errors)
        doc = _read(path, found, lean)
        if len(found.errors) > failed:
            continue
        if not is_load_results(doc):
            found.other_json.append(path)
        elif found.used is None:
            _use(path, doc, found)
        else:
            found.unused.append(path)
    return found
