"""One row per run directory, for `speclens compare`: what ran, acceptance, throughput, speedup.

Every run directory is summarized independently (in parallel worker processes for large sets),
so hundreds of directories take seconds. Acceptance numbers are those of the primary source of
`speclens acceptance`; throughput and latency are guidellm's, over successful requests of the
first benchmark; speedup is spec/baseline output tokens per second when DIR/baseline exists.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor

from pydantic import BaseModel

from analyzers.acceptance import build_report
from analyzers.commands import EXIT_OK, emit, input_boundary
from analyzers.inputs import AFTER_NAME, LOG_NAMES
from analyzers.report import Window
from parsers.errors import ParseError
from parsers.guidellm import LoadRun
from parsers.load_results import read_load_results

PARALLEL_FROM = 32


class CompareRow(BaseModel):
    """Acceptance from the primary source; load numbers over successful requests of benchmark 0."""

    run: str
    model: str | None = None
    method: str | None = None
    k: int | None = None
    dataset: str | None = None
    load: str | None = None
    source: str | None = None
    mean_acceptance_length: float | None = None
    per_position: list[float | None] | None = None
    conditional: list[float | None] | None = None
    output_tokens_per_s: float | None = None
    mean_latency_s: float | None = None
    mean_tpot_ms: float | None = None
    speedup: float | None = None
    draft_acceptance_rate: float | None = None
    accuracy: float | None = None
    error: str | None = None


def _throughput(run: LoadRun) -> tuple[str | None, float | None, float | None, float | None]:
    if not run.benchmarks:
        return None, None, None, None
    b = run.benchmarks[0]
    ok = [r for r in b.requests if r.status == "successful"]
    starts = [r.start for r in ok if r.start is not None and r.latency_s is not None]
    window = max(r.start + r.latency_s for r in ok if r.start is not None and r.latency_s is not None) - min(starts) \
        if starts else None
    tokens = sum(r.output_tokens or 0 for r in ok)
    tps = tokens / window if window else None
    lat = [r.latency_s for r in ok if r.latency_s is not None]
    tpot = [r.tpot_ms for r in ok if r.tpot_ms is not None]
    load = b.strategy if b.rate is None else f"{b.strategy}@{b.rate:g}"
    return load, tps, (sum(lat) / len(lat) if lat else None), (sum(tpot) / len(tpot) if tpot else None)


def summarize_client(path: str) -> CompareRow:
    """The compare row of a client result JSON (clients/): its own summary numbers."""
    from parsers.client_results import (
        AccuracyResult, DraftVerifyResult, LosslessnessResult, SpecThinkingResult, ThreeModeResult, read_client_result,
    )

    row = CompareRow(run=path)
    try:
        result = read_client_result(path)
    except (ParseError, OSError) as err:
        row.error = str(err)
        return row
    config = getattr(result, "config", {}) or {}
    row.model = config.get("target_model") or config.get("model") or config.get("large_model")
    row.method = {DraftVerifyResult: "client draft/verify", AccuracyResult: "client accuracy",
                  SpecThinkingResult: "client speculative thinking", ThreeModeResult: "client three-mode",
                  LosslessnessResult: "client losslessness"}[type(result)]
    if isinstance(result, DraftVerifyResult):
        row.draft_acceptance_rate, row.output_tokens_per_s, row.speedup = (
            result.avg_acceptance_rate, result.avg_speed, result.speedup)
    elif isinstance(result, AccuracyResult):
        row.accuracy = result.accuracy
    elif isinstance(result, SpecThinkingResult):
        row.speedup = result.speedup
    elif isinstance(result, ThreeModeResult):
        row.speedup = next((v for k, v in result.speedup_vs_target.items() if v is not None and "lora" not in k), None)
    return row


def summarize_run(path: str) -> CompareRow:
    """The compare row of one run directory (or client result JSON); input problems become `error`."""
    if path.endswith(".json") and os.path.isfile(path):
        return summarize_client(path)
    row = CompareRow(run=path)
    try:
        if not os.path.isdir(path):
            raise ParseError(path, None, "expected a run directory")
        has_server_data = any(os.path.isfile(os.path.join(path, name)) for name in (*LOG_NAMES, AFTER_NAME))
        target = build_report([path], Window()).targets[0] if has_server_data else None
        seg = target.segments[-1] if target and target.segments else None
        source = target.source(target.primary) if target else None
        row.model, row.method = (seg.model, seg.spec_method) if seg else (None, None)
        if source is not None:
            row.source, row.k = source.id, source.counts.k
            row.mean_acceptance_length = source.metrics.mean_acceptance_length
            row.per_position, row.conditional = source.metrics.per_position, source.metrics.conditional
        manifest = os.path.join(path, "run.json")
        if os.path.isfile(manifest):
            with open(manifest, encoding="utf-8") as handle:
                config = json.load(handle).get("config", {})
            row.dataset = config.get("dataset") or None
            row.method = row.method or config.get("method") or None
        results = os.path.join(path, "guidellm_results.json")
        if os.path.isfile(results):
            row.load, row.output_tokens_per_s, row.mean_latency_s, row.mean_tpot_ms = _throughput(read_load_results(results))
        baseline = os.path.join(path, "baseline", "guidellm_results.json")
        if os.path.isfile(baseline) and row.output_tokens_per_s:
            base_tps = _throughput(read_load_results(baseline))[1]
            row.speedup = row.output_tokens_per_s / base_tps if base_tps else None
    except (ParseError, OSError, ValueError) as err:
        row.error = str(err)
    return row


def expand_run_dirs(paths: list[str]) -> list[str]:
    """Each PATH that is itself a run directory stays; a directory of run directories is expanded."""
    markers = (*LOG_NAMES, AFTER_NAME, "guidellm_results.json", "run.json")
    out: list[str] = []
    for path in paths:
        if path.endswith(".json") and os.path.isfile(path):
            out.append(path)  # a client result JSON
            continue
        if not os.path.isdir(path):
            raise ParseError(path, None, "expected a run directory or a client result JSON",
                             "pass run directories, a folder of them, or files written by clients/")
        if any(os.path.exists(os.path.join(path, m)) for m in markers):
            out.append(path)
            continue
        children = sorted(os.path.join(path, c) for c in os.listdir(path) if os.path.isdir(os.path.join(path, c)))
        if not children:
            raise ParseError(path, None, "expected a run directory or a folder of run directories; it holds neither")
        out += children
    return out


def compare_runs(paths: list[str]) -> list[CompareRow]:
    """Rows in the order given; large sets are summarized by a pool of worker processes."""
    if len(paths) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return [summarize_run(p) for p in paths]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        return list(pool.map(summarize_run, paths, chunksize=max(1, len(paths) // (4 * (os.cpu_count() or 1)))))


class CompareReport(BaseModel):
    schema_version: int = 1
    tool: str = "speclens compare"
    speclens_version: str
    sort: str | None
    rows: list[CompareRow]


def sort_rows(rows: list[CompareRow], key: str | None) -> list[CompareRow]:
    """Sort by a row field; a leading '-' sorts descending. Missing values go last either way."""
    if not key:
        return rows
    field = key.lstrip("-")
    if field not in CompareRow.model_fields:
        raise ValueError(f"--sort {key!r}: expected one of {', '.join(CompareRow.model_fields)} (prefix - for descending)")
    present = [r for r in rows if getattr(r, field) is not None]
    missing = [r for r in rows if getattr(r, field) is None]
    return sorted(present, key=lambda r: getattr(r, field), reverse=key.startswith("-")) + missing


@input_boundary
def run_compare(paths: list[str], fmt: str, output: str | None, sort: str | None) -> int:
    """`speclens compare PATH...`: the command body."""
    from analyzers import __version__
    from analyzers.render.compare import COMPARE_RENDERERS

    rows = sort_rows(compare_runs(expand_run_dirs(paths)), sort)
    emit(COMPARE_RENDERERS[fmt](CompareReport(speclens_version=__version__, sort=sort, rows=rows)), output, [])
    return EXIT_OK
