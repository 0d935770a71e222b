"""One `speclens compare` row per run directory, client result JSON, load-driver JSON or log.

Acceptance is the primary source of `speclens acceptance`. Load numbers are those of the first
benchmark of the folder's load-driver JSON, over successful requests (analyzers.speedup.load_metrics):
`output_throughput` = Σ output tokens / benchmark duration (system tok/s), `request_output_tps`
= mean of per-request tok/s. A diffusion LM's run gets method "diffusion" and its primary diffusion
source's committed per step, steps per canvas and committed throughput as a note.
`speedup` and `speedup_verdict` (run directories only) are those of `speclens speedup DIR/baseline DIR`
(analyzers.speedup.report, one verdict: analyzers.speedup.comparability.judge) at the load level of
the row's benchmark: the ratio of output_throughput (spec / baseline), null when the pair is not
comparable or no baseline level has that load (`speedup_verdict` then says why, e.g. "not comparable:
temperature differs"), unless forced.
A client result's own speedup goes to the column that names its ratio (pooled_tps_speedup,
latency_speedup, mean_tps_speedup), never to `speedup`.
Each part of a row is read on its own: a corrupt file becomes the row's `error` and the other
parts still fill their columns. `files_read` lists every file opened (outputs must not replace
them); it is not rendered.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer
from speclens.analyzers.compare.cells import CELL_FIELDS, cell_marks, cell_of, not_run_note
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.diffusion.models import DiffusionSection
from speclens.analyzers.speedup.load_metrics import load_label, output_throughput, request_output_tps
from speclens.analyzers.render.tables import fmt
from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import LoadRun
from speclens.parsers.json_file import read_json
from speclens.analyzers.traps.registry import trap_codes
from speclens.parsers.load_results import FolderLoadResults, find_load_results, load_driver, parse_load_results
from speclens.parsers.run_dir import (
    LOGS,
    MANIFEST,
    METRICS_AFTER,
    METRICS_BEFORE,
    Detected,
    detect,
    read_manifest,
)

NOTHING_READABLE = "no vLLM log, /metrics scrape, run.json or load-driver JSON"


class Skipped(BaseModel):
    """A folder that holds nothing compare can read: listed once, not as a row."""

    path: str
    reason: str
    files_read: list[str] = Field(default_factory=list, exclude=True)


class CompareRow(BaseModel):
    run: str
    # a cell of a multi-phase run (analyzers.compare.cells): its grid's category, id (RUN/cells/<id>/) and status
    # in run.json; dumped only for a cell's row (the serializer below), so plain runs' rows keep their keys
    category: str | None = Field(None, exclude=True)
    cell: str | None = Field(None, exclude=True)
    cell_status: str | None = Field(None, exclude=True)
    role: str | None = Field(None, exclude=True)  # the cell's role in the grid: spec or baseline
    load_profile: str | None = Field(None, exclude=True)  # the cell's load as guidellm's --profile value
    model: str | None = None
    method: str | None = None
    k: int | None = None
    dataset: str | None = None
    load: str | None = None
    source: str | None = None
    mean_acceptance_length: float | None = None
    draft_acceptance_rate: float | None = None
    per_position: list[float | None] | None = None
    conditional: list[float | None] | None = None
    speculation_rounds: int | None = None
    committed_per_step: float | None = None
    accuracy: float | None = None
    output_throughput: float | None = None
    request_output_tps: float | None = None
    mean_latency_s: float | None = None
    mean_tpot_ms: float | None = None
    speedup: float | None = None
    speedup_verdict: str | None = None  # speedup's level verdict, or why there is none ("not comparable: ...")
    flags: list[str] = Field(default_factory=list)  # the run's measurement-trap codes (analyzers.traps), in trap order
    # client result rows: each ratio its own column, one definition each (analyzers/client_results/<kind>.py)
    pooled_tps_speedup: float | None = None  # draft/verify: Σ tokens / Σ s with drafting ÷ the target alone's
    pooled_tps_speedup_ci_low: float | None = None  # its 95% interval, paired over questions (the file's)
    pooled_tps_speedup_ci_high: float | None = None
    latency_speedup: float | None = None  # speculative thinking: mean latency large alone ÷ speculative thinking
    latency_speedup_ci_low: float | None = None  # its 95% interval over runs (the file's; paired when both modes
    latency_speedup_ci_high: float | None = None  # completed the same runs)
    mean_tps_speedup: float | None = None  # LoRA suite: mean over prompts of tok/s, the mode ÷ target_only
    mean_tps_speedup_ci_low: float | None = None  # its 95% interval, paired over prompts (the file's)
    mean_tps_speedup_ci_high: float | None = None
    mean_large_model_token_ratio: float | None = None  # speculative thinking: mean over runs of large / all tokens
    load_file: str | None = None
    notes: list[str] = Field(default_factory=list)
    error: str | None = None
    files_read: list[str] = Field(default_factory=list, exclude=True)

    @model_serializer(mode="wrap")
    def _cell_keys_of_cells_only(self, handler: SerializerFunctionWrapHandler) -> dict:
        """A cell's row carries the CELL_FIELDS right after `run`; other rows are as before."""
        data = handler(self)
        if self.cell is None or not isinstance(data, dict):
            return data
        return {"run": data.pop("run"), **{key: getattr(self, key) for key in CELL_FIELDS}, **data}


def describe(err: BaseException) -> str:
    """One line for an input error (ParseError's own text; OSError as `file: reason`)."""
    if isinstance(err, OSError) and not isinstance(err, ParseError):
        return f"{err.filename or ''}: {err.strerror or err}"
    return str(err)


def _acceptance(row: CompareRow, path: str, found: FolderLoadResults | None = None,
                here: Detected | None = None) -> None:
    """The acceptance columns, and (a run directory: `found`, its load results, parsed once) the flags.
    Compare shows no per-request section and no input digests: build_report makes neither."""
    loads = {path: found if found.run is not None else None} if found is not None else None
    target = build_report([path], Window(), per_request=False, load_results=loads, digests=False,
                          listed=here).targets[0]
    row.flags = trap_codes(target.notices)
    seg = target.segments[-1] if target.segments else None
    row.model, row.method = (seg.model, seg.spec_method) if seg else (None, None)
    source = target.source(target.primary)
    if source is not None:
        row.source, row.k = source.id, source.counts.k
        m = source.metrics
        row.mean_acceptance_length, row.draft_acceptance_rate = m.mean_acceptance_length, m.draft_acceptance_rate
        row.per_position, row.conditional = m.per_position, m.conditional
    _diffusion(row, target.diffusion)


def _diffusion(row: CompareRow, section: DiffusionSection | None) -> None:
    """A diffusion LM's primary diffusion source, as the row's method and one note."""
    source = section.source(section.primary) if section is not None else None
    if source is None:
        return
    row.method = row.method or "diffusion"
    m = source.metrics
    row.committed_per_step = m.committed_per_step
    row.notes.append(f"diffusion ({source.id}): committed/step {fmt(m.committed_per_step)}, steps/canvas "
                     f"{fmt(m.steps_per_canvas)}, committed tok/s {fmt(m.committed_throughput, 2)}, committed tokens "
                     f"{source.counts.committed_tokens}")


def _manifest(row: CompareRow, path: str) -> None:
    manifest = read_manifest(path)
    config = manifest.require_config(path) if manifest is not None else None
    if config is not None:
        row.dataset = config.dataset or None
        row.method = row.method or config.method or None


def _load(row: CompareRow, run: LoadRun) -> None:
    row.model = row.model or run.model
    if not run.benchmarks:
        row.notes.append(f"{os.path.basename(run.path)} holds no benchmarks")
        return
    b = run.benchmarks[0]
    ok = [r for r in b.requests if r.status == "successful"]
    lat = [r.latency_s for r in ok if r.latency_s is not None]
    tpot = [r.tpot_ms for r in ok if r.tpot_ms is not None]
    row.load = load_label(b)
    row.output_throughput, row.request_output_tps = output_throughput(b), request_output_tps(b)
    row.mean_latency_s = sum(lat) / len(lat) if lat else None
    row.mean_tpot_ms = sum(tpot) / len(tpot) if tpot else None
    if len(run.benchmarks) > 1:
        row.notes.append(f"load numbers are benchmark 1 of {len(run.benchmarks)}; "
                         "`speclens speedup` compares every level")


def _baseline(row: CompareRow, folder: str, spec: LoadRun | None, spec_folder: str, errors: list[str],
              force: bool) -> None:
    """The row's speedup over `folder` (DIR/baseline), as `speclens speedup` gives it for the
    load level of the row's benchmark."""
    from speclens.analyzers import __version__
    from speclens.analyzers.speedup.comparability import LOAD_DIFFERS, run_context, summary
    from speclens.analyzers.speedup.report import build_speedup
    from speclens.analyzers.speedup.metrics import METRICS
    from speclens.analyzers.traps.pairs import PAIR_CODES

    found = find_load_results(folder)
    row.files_read += found.read
    errors += [str(e) for e in found.errors]
    if found.run is None or not found.run.benchmarks:
        if not found.errors:
            row.notes.append(f"{folder} holds no load-driver JSON: no speedup")
        return
    if spec is None or not spec.benchmarks:
        return
    contexts = run_context(found.run, folder), run_context(spec, spec_folder)
    row.files_read += [p for ctx in contexts for p in ctx.files_read if p not in row.files_read]
    report = build_speedup(*contexts, __version__, [], force, METRICS[:1])  # output_throughput: the deciding one
    first = spec.benchmarks[0]
    level = next((lvl for lvl in report.levels if lvl.spec_benchmark == first.index), None)
    runs = report.comparability
    row.flags += [c for c in trap_codes(report.notices) if c in PAIR_CODES and c not in row.flags]  # traps 4, 11
    if level is None:
        row.speedup_verdict = summary(runs.short_reasons + [LOAD_DIFFERS])
        row.notes.append(f"no speedup over {folder}: " + "; ".join(runs.reasons + [
            f"it has no {load_label(first)} level (it ran {', '.join(report.baseline.levels) or 'none'}); "
            "`speclens speedup` pairs levels by load"]))
        return
    row.speedup = level.comparisons[0].speedup
    row.speedup_verdict = level.verdict if level.comparable else (
        f"{level.verdict} (forced; {level.summary})" if force else level.summary)
    if not level.comparable:
        row.notes.append((f"speedup over {folder} given anyway (--force): " if force else f"no speedup over {folder}: ")
                         + "; ".join(runs.reasons + level.reasons) + ("" if force else " (pass --force to compare anyway)"))


def _server_files(here: Detected) -> list[str]:
    """The run directory's logs and scrapes that `speclens acceptance` reads (before only with after)."""
    names = [*LOGS, METRICS_BEFORE, METRICS_AFTER] if METRICS_AFTER in here.present else [*LOGS]
    return [p for p in map(here.file, names) if p]


def summarize_dir(path: str, here: Detected | None = None, force: bool = False) -> CompareRow | Skipped:
    """The row of one run directory, or `Skipped` when it holds nothing readable."""
    row, errors = CompareRow(run=path), []
    here = here or detect(path)
    row.files_read = _server_files(here)
    # read once (lean: what the LoadRun needs, not per-request texts): the load columns, and the traps of the
    # acceptance report
    found = find_load_results(path, here, lean=True)
    if row.files_read:
        try:
            _acceptance(row, path, found, here)
        except (ParseError, OSError, ValueError) as err:
            errors.append(describe(err))
    manifest = here.file(MANIFEST)
    if manifest is not None:
        row.files_read.append(manifest)
        try:
            _manifest(row, manifest)
        except (ParseError, OSError) as err:
            errors.append(describe(err))
    own_files = bool(row.files_read)
    row.files_read += found.read
    errors += [str(e) for e in found.errors]
    if not (own_files or found.used or errors):
        from speclens.analyzers.inputs import client_jsons

        clients = set(client_jsons(path, tuple(map(os.path.basename, found.other_json))))
        others = ", ".join(os.path.basename(p) for p in found.other_json if p not in clients)
        why = f" ({others}: not guidellm or vllm bench serve results, nor a speclens client result)"
        return Skipped(path=path, files_read=row.files_read, reason=NOTHING_READABLE + (why if others else ""))
    if found.run is not None:
        row.load_file = found.used
        _load(row, found.run)
    if found.unused:
        row.notes.append(f"also load-driver results, not used: {', '.join(map(os.path.basename, found.unused))}")
    if here.run is not None and os.path.isdir(baseline := here.run.baseline.root):
        _baseline(row, baseline, found.run, path, errors, force)
    row.error = "; ".join(errors) or None
    return row


def summarize_client(path: str, doc: object) -> CompareRow:
    """The compare row of a client result JSON (clients/): its own summary numbers, filled by its
    kind's module (analyzers/client_results/<kind>.py)."""
    from speclens.analyzers.client_results.kinds import view
    from speclens.parsers.client_results import parse_client_result

    row = CompareRow(run=path, files_read=[path])
    result = parse_client_result(path, doc)
    config = result.configuration()
    row.model = next((config[key] for key in ("target_model", "model", "model_name", "large_model")
                      if isinstance(config.get(key), str) and config[key]), None)
    kind = view(result)
    row.method = kind.METHOD
    kind.fill_row(row, result)
    return row


def summarize_file(path: str) -> CompareRow:
    """A file argument: a client result or load-driver JSON, else a vLLM log or a scrape."""
    row = CompareRow(run=path, files_read=[path])
    try:
        if not path.lower().endswith(".json"):
            _acceptance(row, path)
            return row
        doc = read_json(path)
        if load_driver(doc) is None:
            try:
                return summarize_client(path, doc)
            except ParseError as err:
                if not err.expected.startswith("expected a speclens client result"):
                    raise
                raise ParseError(path, err.lineno, "expected guidellm or vllm bench serve results, or "
                                 + err.expected.removeprefix("expected "), err.hint) from None
        row.load_file = path
        _load(row, parse_load_results(path, doc))
    except (ParseError, OSError, ValueError) as err:
        row.error = describe(err)
    return row


def summarize(path: str, force: bool = False) -> CompareRow | Skipped:
    """The row of one PATH (run directory or file); input problems become the row's `error`.
    `force`: the speedup over DIR/baseline even when the pair is not comparable."""
    cell = cell_of(path)
    if cell is not None:  # a cell of a multi-phase run (analyzers.compare.cells)
        marks = cell_marks(cell)
        if (why := not_run_note(cell, path)) is not None:
            return CompareRow(run=path, notes=[why], k=cell.num_speculative_tokens, **marks)
        entry = summarize_dir(path, None, force)
        if isinstance(entry, CompareRow):  # k: the measured one, else the k the grid ran the cell with
            return entry.model_copy(update={**marks, "k": entry.k if entry.k is not None else cell.num_speculative_tokens})
        return entry
    here = detect(path)
    if here.is_dir:  # one that cannot be listed: its row says why (find_load_results)
        return summarize_dir(path, here, force)
    if here.exists:
        return summarize_file(path)
    return CompareRow(run=path, error=f"{path}: {here.what.description}; check the path", files_read=[])
