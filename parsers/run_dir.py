"""The one owner of a run directory's layout: every file and folder name `run_eval.sh` writes
(`RunFiles`, also for its `baseline/` sub-run), the typed `run.json` (`RunManifest`, read by
`read_manifest`), and `detect(path)`: what a PATH argument is, for every command.

    RUN/vllm_server.log[.gz] vllm_server.pid metrics_before.prom metrics_after.prom
        guidellm_results.json guidellm_output.log run.json acceptance_analysis.txt speedup.md
        report.md report_plots/ tmp/ baseline/ (the same files for the target alone)
        cells/<id>/ (one complete run directory per phase of a multi-phase run: parsers/run_cells.py)

`python -m speclens.parsers.run_dir --bash` prints these names as bash variables; the committed
launchers/run_files.sh is that output (tests/parsers/test_run_dir.py keeps them equal).

run.json (written by launchers/manifest.py through `RunManifest`): `schema_version` 2 since its
config is typed (`RunConfig`: numbers, booleans and null where schema 1 had bash's text, and the
resolved load settings in both phases); schema 1 (and older files without `schema_version`:
steps without times, `config.model` without `config.target`) reads as `LegacyRunManifest`, its
config as the text it holds (`LegacyRunConfig`). Unknown keys are kept, so a file of any schema
reads and rewrites unchanged.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError
from speclens.parsers.errors import ParseError
from speclens.parsers.files import note_input_dir
from speclens.parsers.json_file import read_json
from speclens.parsers.run_cells import CELLS, Cell

if TYPE_CHECKING:
    from speclens.parsers.sniff import FileKind

LOG = "vllm_server.log"
LOG_GZ = f"{LOG}.gz"  # a compressed log reads like the plain one
PID = "vllm_server.pid"
METRICS_BEFORE, METRICS_AFTER = "metrics_before.prom", "metrics_after.prom"
LOAD_RESULTS, LOAD_OUTPUT = "guidellm_results.json", "guidellm_output.log"
MANIFEST = "run.json"
LEGACY = "acceptance_analysis.txt"
SPEEDUP, REPORT = "speedup.md", "report.md"
TMP, BASELINE = "tmp", "baseline"
SCRAPE_SUFFIX = ".prom"  # a file so named is a /metrics scrape, whatever else it holds
PLOTS_SUFFIX = "_plots"  # report.md's plots go to report_plots/

LOGS = (LOG, LOG_GZ)  # the plain log first: it is the one read when both exist
RUN_DIR_MARKERS = frozenset((*LOGS, METRICS_BEFORE, METRICS_AFTER, LOAD_RESULTS, MANIFEST))  # any: a run directory
FILES = (*LOGS, PID, METRICS_BEFORE, METRICS_AFTER, LOAD_RESULTS, LOAD_OUTPUT, MANIFEST, LEGACY, SPEEDUP, REPORT)
BASH_VARIABLES = (("RUN_FILE_LOG", LOG), ("RUN_FILE_PID", PID), ("RUN_FILE_METRICS_BEFORE", METRICS_BEFORE),
                  ("RUN_FILE_METRICS_AFTER", METRICS_AFTER), ("RUN_FILE_LOAD_RESULTS", LOAD_RESULTS),
                  ("RUN_FILE_LOAD_OUTPUT", LOAD_OUTPUT), ("RUN_FILE_MANIFEST", MANIFEST), ("RUN_FILE_LEGACY", LEGACY),
                  ("RUN_FILE_SPEEDUP", SPEEDUP), ("RUN_FILE_REPORT", REPORT), ("RUN_DIR_TMP", TMP),
                  ("RUN_DIR_BASELINE", BASELINE), ("RUN_DIR_CELLS", CELLS))


def plots_dir(report_path: str) -> str:
    """Where a Markdown report's plots go: `report.md` -> `report_plots/`, next to it."""
    return os.path.splitext(report_path)[0] + PLOTS_SUFFIX


def _at(name: str) -> property:
    return property(lambda self: os.path.join(self.root, name), doc=f"ROOT/{name}")


@dataclass(frozen=True, slots=True)
class RunFiles:
    """The paths of one run directory's files (whether they exist or not: see `detect`). `load_results`
    is where run_eval.sh writes its guidellm JSON; which file of a folder holds its load-driver results
    (any name, by content) is decided in one place for every command: parsers.load_results.find_load_results."""

    root: str
    log, log_gz, pid = _at(LOG), _at(LOG_GZ), _at(PID)
    metrics_before, metrics_after = _at(METRICS_BEFORE), _at(METRICS_AFTER)
    load_results, load_output, manifest = _at(LOAD_RESULTS), _at(LOAD_OUTPUT), _at(MANIFEST)
    legacy, speedup, report, tmp = _at(LEGACY), _at(SPEEDUP), _at(REPORT), _at(TMP)

    @property
    def report_plots(self) -> str:
        return plots_dir(self.report)

    @property
    def baseline(self) -> RunFiles:
        """The target-alone phase of `run_eval.sh --baseline`: the same layout one level down."""
        return RunFiles(os.path.join(self.root, BASELINE))


class _Lenient(BaseModel):
    """Unknown keys are kept (and written back); numbers where text is expected are read as text."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, protected_namespaces=())


class Step(_Lenient):
    name: str
    exit_status: int | None = None
    seconds: float | None = None
    started_at: str | None = None  # local time with year and offset; absent before the log window was scoped
    ended_at: str | None = None
    command: list[str] = []


class RunConfig(_Lenient):
    """run.json's `config` (schema 2): what run_eval.sh resolved, typed by launchers/manifest.py
    from its `config KEY=VALUE` pairs (bash's "" is null for every non-text key). Both phases of
    `run_eval.sh --baseline` record the settings of the server and load they ran: `target`,
    `speculative_config`, `temperature`, `data_spec`, `prompt_tokens`, `output_tokens`, `endpoint`,
    `profile`, `max_requests`, `max_seconds` (the baseline phase: these, the two commands, `vllm`,
    `vllm_version` and `failure`); the speculative phase records every key. Field order is
    schema 1's, so `LegacyRunConfig` rewrites old files byte for byte."""

    model: str | None = None  # what -m named; older files name the served model only here
    target: str | None = None  # the model served (a speculators checkpoint: see model_format)
    method: str | None = None
    num_speculative_tokens: int | None = None
    speculative_config: str | None = None  # --speculative-config JSON; null: the server had none
    dataset: str | None = None
    data_spec: str | None = None  # guidellm's --data
    profile: str | None = None  # guidellm's --profile
    max_requests: int | None = None  # 0: no request cap
    max_seconds: float | None = None
    tensor_parallel_size: int | None = None
    host: str | None = None
    port: int | None = None
    temperature: float | None = None  # null: the server's default (no --override-generation-config)
    tiny_pair: str | None = None  # "" when not the tiny pair
    baseline: bool | None = None  # a baseline phase was run
    api_key_set: bool | None = None
    server_command: str | None = None  # shell-quoted argv, for people: settings are read from the typed keys
    load_command: str | None = None
    failure: str | None = None
    # since issue 13 (absent in older files): how MODEL was served and what the load read
    model_format: str | None = None  # "speculators": a checkpoint served directly; "" otherwise
    speculators_algorithm: str | None = None  # speculators_model_type of that checkpoint
    verifier: str | None = None  # its speculators_config.verifier.name_or_path, as resolved
    baseline_target: str | None = None  # what the baseline phase serves (the verifier for a checkpoint)
    tokenizer: str | None = None  # guidellm's --tokenizer model
    data_file: str | None = None  # the local .json/.jsonl a dataset resolved to ("" for synthetic data)
    data_column: str | None = None  # the prompt column of that file
    data_args: str | None = None  # every guidellm data argument (shell-quoted argv)
    vllm: str | None = None  # the vLLM install used (--vllm / SPECLENS_VLLM, else the project's python)
    vllm_version: str | None = None  # its version ("" = unreadable)
    # since schema 2
    prompt_tokens: int | None = None  # synthetic data's tokens per prompt; null: a dataset's own prompts
    output_tokens: int | None = None  # synthetic data's output tokens per request; null: a dataset's
    endpoint: str | None = None  # the request format guidellm sent (its backend's request_format)
    # since issue 23 (absent in older files): the --per-request-spec-decode-metrics level the server ran with
    # (summary | detailed), else why none ("off: the target alone", "off", "unsupported: vLLM ...")
    per_request_metrics: str | None = None
    # since issue 23/24 (absent in older files): what a cell of a multi-phase run ran (parsers/run_cells.py)
    category: str | None = None  # the data subset this phase ran; null: the whole dataset
    # since issue 25 (absent in older files): VLLM_LOG_STATS_INTERVAL the server ran with (seconds between
    # its stats / SpecDecoding log lines; vLLM's default is 10, the launchers' 5)
    log_stats_interval_s: float | None = None


class LegacyRunConfig(RunConfig):
    """`config` of schema 1 and unversioned files: every value the text bash passed ("" for
    temperature = the server's default); the baseline phase has only the two commands (and
    `failure`), so its settings are read back from them (parsers.run_manifest)."""

    num_speculative_tokens: str | None = None  # type: ignore[assignment]
    max_requests: str | None = None  # type: ignore[assignment]
    max_seconds: str | None = None  # type: ignore[assignment]
    port: str | None = None  # type: ignore[assignment]
    tensor_parallel_size: str | None = None  # type: ignore[assignment]
    temperature: str | None = None  # type: ignore[assignment]
    baseline: str | None = None  # type: ignore[assignment]
    api_key_set: str | None = None  # type: ignore[assignment]


class Hardware(_Lenient):
    machine: str | None = None
    processor: str | None = None
    cpus: int | None = None
    memory_gib: float | None = None
    gpus: list[str] = []


class Versions(_Lenient):
    python: str | None = None
    speclens: str | None = None
    vllm: str | None = None
    guidellm: str | None = None
    torch: str | None = None


MANIFEST_SCHEMA_VERSION = 2  # 1: config text as bash passed it (LegacyRunConfig)
_WRITTEN_BY = "was it written by run_eval.sh (launchers/manifest.py)?"


class RunManifest(_Lenient):
    """run.json. Written with `manifest_json`: only the keys that were set, so a file reads and
    rewrites byte for byte."""

    schema_version: int | None = None  # None: written before run.json had a version
    tool: str | None = None
    argv: list[str] = []
    started_at: str | None = None
    ended_at: str | None = None
    status: int | None = None
    config: RunConfig | None = None
    steps: list[Step] = []
    git_commit: str | None = None
    hardware: Hardware | None = None
    versions: Versions | None = None
    cells: list[Cell] = []  # a multi-phase run's grid (parsers/run_cells.py); each cell is RUN/cells/<id>/

    def step(self, name: str) -> Step | None:
        """The first step called `name`."""
        return next((s for s in self.steps if s.name == name), None)

    def require_config(self, path: str) -> RunConfig:
        """`config`, or ParseError (`path`: where this was read) when the file has none."""
        if self.config is None:
            raise ParseError(path, None, f"expected a {MANIFEST} object with a 'config' object", _WRITTEN_BY)
        return self.config


class LegacyRunManifest(RunManifest):
    """run.json before schema 2 (`schema_version` 1 or none): its config as text."""

    config: LegacyRunConfig | None = None  # type: ignore[assignment]


def parse_manifest(path: str, doc: object) -> RunManifest:
    """A parsed run.json document as a `RunManifest` (ParseError naming the first bad key)."""
    if not isinstance(doc, dict):
        raise ParseError(path, None, f"expected a {MANIFEST} object, found {type(doc).__name__}", _WRITTEN_BY)
    version = doc.get("schema_version")
    typed = isinstance(version, int) and not isinstance(version, bool) and version >= 2
    try:
        return (RunManifest if typed else LegacyRunManifest).model_validate(doc)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise ParseError(path, None, f"expected {MANIFEST} '{where}' to be valid ({first['msg']})",
                         _WRITTEN_BY) from None


def read_manifest(path: str) -> RunManifest | None:
    """The run.json at `path`, or None when there is none; ParseError when it cannot be read."""
    if not os.path.isfile(path):
        return None
    return parse_manifest(path, read_json(path))


def manifest_json(manifest: RunManifest) -> str:
    """The text of run.json: the keys that were set, in model order, indented by 2."""
    return json.dumps(manifest.model_dump(mode="json", exclude_unset=True), indent=2) + "\n"


@dataclass(frozen=True)
class Detected:
    """What a path is. A directory: the run-directory files it holds (`present`), its `*.json`
    files other than run.json, and its subfolders, by name. A file: what its content looks like (`what`, from
    parsers.sniff, read on first use), except that a `.prom` file is a scrape by its name (the
    Prometheus parser then names the exact line that is wrong)."""

    path: str
    exists: bool
    is_dir: bool = False
    present: frozenset[str] = frozenset()
    json_files: tuple[str, ...] = ()
    subdirs: tuple[str, ...] = ()
    run: RunFiles | None = None  # a directory's layout
    error: str | None = None  # why a directory could not be listed (then it lists nothing)

    @cached_property
    def what(self) -> FileKind:
        from speclens.parsers.sniff import file_kind, sniff  # sniff reads this module's names

        if not self.exists:
            return file_kind("missing", "no such file or directory")
        if self.error is not None:
            return file_kind("unlistable", f"a directory that cannot be listed ({self.error})")
        if self.is_dir:
            return (file_kind("run_dir", "a run directory") if self.present & RUN_DIR_MARKERS
                    else file_kind("directory", "a directory with no run-directory files"))
        if self.path.endswith(SCRAPE_SUFFIX):
            return file_kind("prometheus", "a Prometheus /metrics scrape")
        return sniff(self.path)

    @property
    def kind(self) -> str:
        return self.what.kind

    def file(self, name: str) -> str | None:
        """The path of the run-directory file `name` when it exists here."""
        return os.path.join(self.path, name) if name in self.present else None

    @property
    def log(self) -> str | None:
        """The server log (the plain one when both it and a .gz exist)."""
        return next((p for p in map(self.file, LOGS) if p), None)

    @property
    def has_server_data(self) -> bool:
        """A server log or an after scrape: what acceptance numbers come from."""
        return self.log is not None or METRICS_AFTER in self.present


def detect(path: str) -> Detected:
    """What `path` is. A directory is listed once (`error` says why it could not be); a file is
    not opened until `.what` is asked (sniff raises OSError for an unreadable one)."""
    if not os.path.isdir(path):
        return Detected(path, os.path.exists(path))
    files: list[str] = []
    subdirs: list[str] = []
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir():
                    subdirs.append(entry.name)
                elif entry.is_file():
                    files.append(entry.name)
    except OSError as err:
        return Detected(path, True, True, run=RunFiles(path), error=err.strerror or str(err))
    json_files = sorted(n for n in files if n.lower().endswith(".json") and n != MANIFEST)
    present = frozenset(files) & frozenset(FILES)
    if present & RUN_DIR_MARKERS:
        note_input_dir(path)  # its files are raw data: no -o of this command may replace them
    return Detected(path, True, True, present, tuple(json_files), tuple(sorted(subdirs)), RunFiles(path))


def bash_variables() -> str:
    """launchers/run_files.sh: the names as bash variables (the values need no quoting)."""
    head = ("# launchers/run_files.sh: the file names of a run directory, for the bash launchers (sourced by\n"
            "# launchers/lib.sh). GENERATED from speclens.parsers.run_dir (the one owner of the layout) by\n"
            "#   .venv/bin/python -m speclens.parsers.run_dir --bash > launchers/run_files.sh\n"
            "# and checked equal to it by tests/parsers/test_run_dir.py. Do not edit by hand.\n"
            "# shellcheck shell=bash\n"
            "# shellcheck disable=SC2034  # read by the scripts that source this file\n")
    return head + "".join(f"{name}={value}\n" for name, value in BASH_VARIABLES)


def configured_temperature(manifest_path: str) -> float | None:
    """The sampling temperature the run's run.json records (None: none recorded, the server's
    default, or no readable run.json)."""
    try:
        manifest = read_manifest(manifest_path)
    except ParseError:
        return None
    value = manifest.config.temperature if manifest is not None and manifest.config is not None else None
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


if __name__ == "__main__":
    if sys.argv[1:] != ["--bash"]:
        print("usage: python -m speclens.parsers.run_dir --bash   (prints launchers/run_files.sh)", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(bash_variables())

