"""What a PATH argument holds for `speclens acceptance`: a run directory, a vLLM log, one
scrape, or a before/after pair; what each path is comes from `parsers.run_dir.detect`.

A run directory is read for its server log (`vllm_server.log` or `.log.gz`) and its
`metrics_before.prom` / `metrics_after.prom` (the before scrape only with the after one). A file
is read for what its content is (a `.prom` file is a scrape by its name): a vLLM log (plain or
gzip), a /metrics scrape (two consecutive scrapes form a before/after pair, in that order), a
`vllm bench serve` result JSON or console output, a guidellm result JSON or raw OpenAI responses
(JSON, JSON array or JSON Lines) whose requests carry vLLM's per-request spec-decode metrics
(kind `requests`: parsers.sniff says which do; one without them is refused with what is missing and
how to get it); text with no vLLM line is refused as "not a vLLM server log" (`not_a_log`: by its
head when that is all of it, else by the log scan, `confirm_log`); anything else (empty, binary, a
guidellm JSON, ...) is refused with one line naming what it looks like and which command reads it
(with `keep_going`, that line is kept as an `unreadable` target instead, and the other paths are read).
Inputs are fingerprinted (`analyzers.digest`: BLAKE3, named in the value) for provenance; a plain
log is hashed on a second thread while it is scanned, so it is read once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from speclens.parsers.errors import ParseError, input_error_line
from speclens.parsers.run_cells import CELLS
from speclens.parsers.run_dir import LOG, METRICS_AFTER, METRICS_BEFORE, Detected, detect
from speclens.parsers.sniff import HEAD_BYTES

if TYPE_CHECKING:
    from speclens.analyzers.log.source import LogFold


@dataclass(frozen=True, slots=True)
class Target:
    path: str
    kind: str  # run_dir | log | metrics_pair | metrics | bench_json | bench_console | requests | unreadable
    log: str | None = None
    before: str | None = None
    after: str | None = None
    results: str | None = None  # a vllm bench serve result JSON or console text, or the per-request metrics file
    error: str | None = None  # why an unreadable path cannot be read (its one stderr line)
    unproven: bool = False  # a log by no line of its head (parsers.sniff head_only): `confirm_log` after its scan


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise ParseError(path, None, "no such file or directory", "check the path")
    if not os.access(path, os.R_OK):
        raise ParseError(path, None, "file is not readable", "check its permissions")


def _holds(here: Detected, shown: int = 3) -> str:
    """"it holds a.json (what its content is; the command that reads it), ..." for a folder's JSON
    files, each described by parsers.sniff (through `detect`), the first `shown` of them."""
    described = []
    for name in here.json_files[:shown]:
        try:
            what = detect(os.path.join(here.path, name)).what
            described.append(f"{name} ({what.hint() if what.reader else what.description})")
        except OSError as err:
            described.append(f"{name} (unreadable: {err.strerror or err})")
    more = len(here.json_files) - shown
    if not described:
        return ""
    return "it holds " + ", ".join(described) + (f" and {more} more JSON files" if more > 0 else "")


def _run_dir(here: Detected) -> Target:
    if here.error is not None:
        raise ParseError(here.path, None, f"cannot list the directory ({here.error})", "check its permissions")
    log, before, after = here.log, here.file(METRICS_BEFORE), here.file(METRICS_AFTER)
    if not here.has_server_data and not os.path.isdir(os.path.join(here.path, CELLS)):  # cells: parsers.run_cells
        raise ParseError(here.path, None, f"expected a run directory holding {LOG} and/or {METRICS_AFTER}",
                         _holds(here) or "point at a speclens run directory, a vLLM log file or .prom scrapes")
    for file in (log, before, after):
        if file:
            _check_file(file)
    return Target(here.path, "run_dir", log, before if after else None, after)


_ACCEPTS = "a vLLM server log, a /metrics scrape (.prom), a run directory or a vllm bench serve result"
_TARGET_KINDS = {"vllm_log": "log", "unknown_text": "log", "prometheus": "metrics", "vllm_bench_json": "bench_json",
                 "vllm_bench_console": "bench_console", "guidellm_json": "requests",
                 "openai_responses": "requests"}  # unknown text: a log only when its head was not all of it (not_a_log)
_PREFIX_EXAMPLE = '"INFO 12-07 12:43:02 [file.py:N]"'
NOT_A_LOG_FIX = "pass the server's log, a /metrics scrape, a load-driver JSON or a run directory"
NO_REQUEST_SPECS = ("rerun with `run_eval.sh --per-request-metrics summary` (or detailed), or start vLLM with "
                    "--per-request-spec-decode-metrics summary|detailed; `speclens speedup` and `compare` read its timings")


def not_a_log(path: str, scanned: bool = False) -> ParseError:
    """The refusal of a text file that is no vLLM server log: from its head when that was all of it
    (parsers.sniff), else after the log scan found none of the lines it reads (`confirm_log`)."""
    if scanned:
        seen = (f"no line of its first {HEAD_BYTES >> 10} KB carries vLLM's log prefix such as {_PREFIX_EXAMPLE}, "
                "and no line in it is a vLLM SpecDecoding metrics, stats or engine-start line")
    else:
        seen = (f"no line in it carries vLLM's log prefix such as {_PREFIX_EXAMPLE} and none is a SpecDecoding "
                "metrics, stats or engine-start line")
    return ParseError(path, None, f"not a vLLM server log ({seen})", NOT_A_LOG_FIX)


def confirm_log(target: Target, fold: LogFold) -> None:
    """Raise `not_a_log` for a target read as a log on no evidence of its head (`unproven`) whose scan
    found no vLLM line either (the fold's own records: no second pass over the file)."""
    if target.unproven and not fold.has_vllm_lines:
        raise not_a_log(target.log or target.path, scanned=True)


def client_jsons(folder: str, json_files: tuple[str, ...]) -> list[str]:
    """The `json_files` of `folder` (names, as `detect` lists them) whose content is a speclens
    client result (parsers.sniff `client_json`: its "client" field or the original tools' top-level
    keys), whatever their name. A file that cannot be read or parsed is not one: it stays with the
    folder's own row, which reports it."""
    found = []
    for path in (os.path.join(folder, name) for name in json_files):
        try:
            if detect(path).kind == "client_json":
                found.append(path)
        except OSError:
            continue
    return found


def loose_inputs(folder: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The files directly in `folder` (not a run directory) that are read on their own, found by
    content as a file argument is (`detect(...).what`, the kinds `_TARGET_KINDS` reads; text of no
    known format is read when named, never picked from a folder), sorted by name; and the
    (path, why) of files that could not be looked at. JSON files are not among them: client result
    JSONs are found by `client_jsons`, the others (and per-request metrics files, kind `requests`) are
    the folder's own row's."""
    found: list[str] = []
    unreadable: list[tuple[str, str]] = []
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.is_file() and not e.name.startswith("."))
    for name in names:
        if name.lower().endswith(".json"):
            continue
        path = os.path.join(folder, name)
        try:
            kind = detect(path).kind
        except OSError as err:
            unreadable.append((path, f"cannot be read ({err.strerror or err})"))
            continue
        if kind != "unknown_text" and _TARGET_KINDS.get(kind, "requests") != "requests":
            found.append(path)
    return found, unreadable


def _file_target(here: Detected) -> Target:
    """The target of one file argument, by what the file holds (a .prom file: by its name)."""
    path = here.path
    _check_file(path)
    kind = _TARGET_KINDS.get(here.kind)
    if kind is None:
        raise ParseError(path, None, f"this is {here.what.hint()}", f"speclens acceptance reads {_ACCEPTS}")
    if kind == "requests" and not here.what.request_specs:
        raise ParseError(path, None, f"this is {here.what.description}: speclens acceptance needs vLLM's per-request "
                         "spec-decode metrics in it (each response's metrics.speculative_decoding), and none of its requests "
                         "carries them", NO_REQUEST_SPECS)
    if here.kind == "unknown_text":  # text of no known format: a log only if a vLLM line comes after the head
        if not here.what.head_only:
            raise not_a_log(path)
        return Target(path, kind, log=path, unproven=True)
    if kind == "log":
        return Target(path, kind, log=path)
    return Target(path, kind, after=path) if kind == "metrics" else Target(path, kind, results=path)


def resolve_targets(paths: list[str], keep_going: bool = False, listed: Detected | None = None) -> list[Target]:
    """Turn the CLI's PATH arguments into analysis targets, in order. Two consecutive scrapes
    (by content or a .prom name) form a before/after pair, in that order. A path that cannot be
    read raises its ParseError/OSError, or with `keep_going` becomes an `unreadable` target (which
    also keeps the scrapes on either side of it from pairing). `listed`: a path's `detect` the caller holds."""
    targets: list[Target] = []
    for path in paths:
        try:
            here = listed if listed is not None and listed.path == path else detect(path)
            target = _run_dir(here) if here.is_dir else _file_target(here)
        except (ParseError, OSError) as err:
            if not keep_going:
                raise
            targets.append(Target(path, "unreadable", error=input_error_line(err)))
            continue
        previous = targets[-1] if targets else None
        if target.kind == "metrics" and previous is not None and previous.kind == "metrics":
            targets[-1] = Target(f"{previous.after} → {path}", "metrics_pair", before=previous.after, after=path)
        else:
            targets.append(target)
    return targets
