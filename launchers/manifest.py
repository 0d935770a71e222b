"""Write a run directory's `run.json`: argv, resolved configuration, versions, hardware, git
commit, start/end times and every step's command, exit status, seconds and start/end time (the
steps `metrics-before` .. `metrics-after` bound the window the /metrics delta covers), through
the typed `speclens.parsers.run_dir.RunManifest` (the layout's one owner), never by shell string
interpolation. Secrets never enter it: values of --api-key/--hf-token style options and of
*_API_KEY / *_TOKEN variables are replaced by "***". Every write is atomic
(`speclens.analyzers.atomic.write_atomic`). A run.json that cannot be read or written is one
line on stderr and exit 2.

usage (from bash):
  python launchers/manifest.py init RUN_DIR -- ARGV...
  python launchers/manifest.py config RUN_DIR KEY=VALUE...
  python launchers/manifest.py step RUN_DIR NAME STATUS STARTED_EPOCH ENDED_EPOCH -- COMMAND...
  python launchers/manifest.py finish RUN_DIR STATUS
  python launchers/manifest.py cell RUN_DIR ID KEY=VALUE...           (adds or updates one cell of `cells`)
  python launchers/manifest.py argv RUN_DIR                           (prints the run's recorded argv, NUL-separated)
  python launchers/manifest.py spec-config METHOD K [DRAFT_MODEL]     (prints --speculative-config JSON)
  python launchers/manifest.py gen-config TEMPERATURE                 (prints --override-generation-config JSON)
"""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time

from pydantic import ValidationError
from speclens.analyzers.atomic import write_atomic
from speclens.base.probes import gpus, installed_version
from speclens.parsers.errors import ParseError
from speclens.parsers.run_cells import Cell
from speclens.parsers.run_dir import (
    MANIFEST_SCHEMA_VERSION,
    Hardware,
    RunConfig,
    RunFiles,
    RunManifest,
    Step,
    Versions,
    manifest_json,
    parse_manifest,
)

_SECRET_OPTION = re.compile(r"^--?(api[-_]?key|hf[-_]?token|token|password)$", re.IGNORECASE)
_SECRET_INLINE = re.compile(r"((?:api_key|token|password)=)[^,\s]+", re.IGNORECASE)


def redact(argv: list[str]) -> list[str]:
    out, hide_next = [], False
    for arg in argv:
        if hide_next:
            out.append("***")
            hide_next = False
            continue
        name, eq, _ = arg.partition("=")
        if _SECRET_OPTION.match(name):
            out.append(f"{name}=***" if eq else arg)
            hide_next = not eq
            continue
        out.append(_SECRET_INLINE.sub(r"\1***", arg))
    return out


def load(run_dir: str) -> RunManifest:
    """The run.json being updated (opened directly: it is this script's own output, not an input)."""
    path = RunFiles(run_dir).manifest
    with open(path, encoding="utf-8") as handle:
        try:
            doc = json.load(handle)
        except json.JSONDecodeError as err:
            raise ParseError(path, err.lineno, f"invalid JSON ({err.msg})",
                             "the file is truncated or not JSON") from None
    return parse_manifest(path, doc)


def save(run_dir: str, manifest: RunManifest) -> None:
    write_atomic(RunFiles(run_dir).manifest, manifest_json(manifest))


def _now(epoch: float | None = None) -> str:
    """Local time with year and UTC offset (`2026-11-22T23:54:22+0000`): the digits match the
    server log's `MM-DD HH:MM:SS` (vLLM prints local time), so analyzers can scope the log."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(epoch))


def _git_commit() -> str | None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        out = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _hardware() -> dict:
    mem_kib = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            mem_kib = int(handle.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return {"machine": platform.machine(), "processor": platform.processor() or None, "cpus": os.cpu_count(),
            "memory_gib": round(mem_kib / 1048576, 1) if mem_kib else None, "gpus": gpus()}


def spec_config(method: str, k: int, model: str | None) -> str:
    config: dict[str, object] = {"num_speculative_tokens": k}
    if method == "ngram":
        config.update(method="ngram", prompt_lookup_max=3, prompt_lookup_min=1)
    else:
        config.update(method=method, model=model)
    return json.dumps(config, separators=(",", ":"))


def main(argv: list[str]) -> int:
    command, rest = argv[0], argv[1:]
    if command == "gen-config":
        print(json.dumps({"temperature": float(rest[0])}))
        return 0
    if command == "spec-config":
        print(spec_config(rest[0], int(rest[1]), rest[2] if len(rest) > 2 else None))
        return 0
    if command not in _UPDATES:
        print(f"manifest.py: unknown command {command!r}", file=sys.stderr)
        return 2
    try:
        _UPDATES[command](rest[0], rest[1:])
    except IndexError:
        print(f"manifest.py {command}: missing arguments (usage: the top of launchers/manifest.py)", file=sys.stderr)
        return 2
    except (ParseError, OSError, ValueError) as err:  # ValueError: OutputRefused, a bad number
        text = f"{err.filename}: {err.strerror}" if isinstance(err, OSError) and err.filename else str(err)
        print(f"manifest.py {command}: {text}", file=sys.stderr)
        return 2
    return 0


def _init(run_dir: str, rest: list[str]) -> None:
    save(run_dir, RunManifest(schema_version=MANIFEST_SCHEMA_VERSION, tool="speclens run_eval.sh",
                              argv=redact(rest[1:]), started_at=_now(), ended_at=None, status=None,
                              config=RunConfig(), steps=[]))


# config keys whose "" from bash is null: every non-text key, and speculative_config ("" = none)
_NULL_WHEN_EMPTY = frozenset({name for name, field in RunConfig.model_fields.items() if field.annotation != str | None}
                             | {"speculative_config"})


def _config(run_dir: str, rest: list[str]) -> None:
    """Adds bash's KEY=VALUE pairs to config, typed by `RunConfig` ("20" -> 20, "yes" -> true,
    "" -> null for the keys of _NULL_WHEN_EMPTY); a value that is not its key's type is refused."""
    manifest = load(run_dir)
    values = manifest.config.model_dump(exclude_unset=True) if manifest.config else {}
    for item in rest:
        key, _, value = item.partition("=")
        if _SECRET_OPTION.match(f"--{key}"):
            value = "***"
        values[key] = None if value == "" and key in _NULL_WHEN_EMPTY else value
    try:
        manifest.config = RunConfig.model_validate(values)
    except ValidationError as err:
        first = err.errors()[0]
        raise ValueError(f"config {'.'.join(map(str, first['loc']))}={first['input']!r}: {first['msg']}") from None
    save(run_dir, manifest)


def _step(run_dir: str, rest: list[str]) -> None:
    name, status, started, ended = rest[0], int(rest[1]), float(rest[2]), float(rest[3])
    manifest = load(run_dir)
    manifest.steps = [*manifest.steps, Step(name=name, exit_status=status, seconds=round(ended - started, 3),
                                            started_at=_now(started), ended_at=_now(ended), command=redact(rest[5:]))]
    save(run_dir, manifest)


def _cell(run_dir: str, rest: list[str]) -> None:
    """Adds cell ID to the top run.json's `cells` (parsers/run_cells.py), or updates it: KEY=VALUE typed by
    `Cell` ("" is null, `command` a shell-quoted string split like the shell); a value not its type is refused."""
    manifest = load(run_dir)
    cell_id, cells = rest[0], list(manifest.cells)
    found = next((i for i, c in enumerate(cells) if c.id == cell_id), None)
    values = cells[found].model_dump(exclude_unset=True) if found is not None else {"id": cell_id}
    for item in rest[1:]:
        key, _, value = item.partition("=")
        values[key] = shlex.split(value) if key == "command" else (value if value != "" else None)
    try:
        cell = Cell.model_validate(values)
    except ValidationError as err:
        first = err.errors()[0]
        raise ValueError(f"cell {cell_id}: {'.'.join(map(str, first['loc']))}={first.get('input')!r}: {first['msg']}") from None
    if found is None:
        cells.append(cell)
    else:
        cells[found] = cell
    manifest.cells = cells
    save(run_dir, manifest)


def _finish(run_dir: str, rest: list[str]) -> None:
    manifest = load(run_dir)
    manifest.ended_at, manifest.status, manifest.git_commit = _now(), int(rest[0]), _git_commit()
    manifest.hardware = Hardware.model_validate(_hardware())
    used = manifest.config.vllm_version if manifest.config else None  # the install the servers ran (--vllm)
    source = manifest.config.vllm if manifest.config else None
    own = not source or os.path.abspath(source) == os.path.abspath(sys.executable)
    manifest.versions = Versions(python=platform.python_version(), speclens=installed_version("speclens"),
                                 vllm=(used or None) if used is not None else installed_version("vllm"),
                                 guidellm=installed_version("guidellm"),
                                 torch=installed_version("torch") if own else None)  # another install's: unknown
    save(run_dir, manifest)


def _argv(run_dir: str, rest: list[str]) -> None:
    """The command line run_eval.sh recorded (run_eval.sh --resume reads its options back), NUL-separated."""
    del rest
    sys.stdout.write("".join(arg + "\0" for arg in load(run_dir).argv))


_UPDATES = {"init": _init, "config": _config, "step": _step, "finish": _finish, "cell": _cell, "argv": _argv}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
