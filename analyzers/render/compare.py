"""Renderings of a `CompareReport`: text, Markdown, CSV, JSON.

Every column of the JSON rows is in every rendering. Text and Markdown add the per-row notes
and a "skipped" table below the rows. CSV holds the rows only (one header line, one line per
row; lists space-separated with n/a for an undefined element, notes joined by "; ", an
undefined value as an empty cell); the command tells the
skipped folders on stderr instead.
"""

from __future__ import annotations

import csv
import io
import os

from speclens.analyzers.compare.cells import CELL_FIELDS
from speclens.analyzers.compare.table import CompareReport, CompareRow
from speclens.analyzers.acceptance.mal_formula import per_source as mal_per_source
from speclens.analyzers.render.plain import text_and_markdown
from speclens.analyzers.render.tables import NA, Table, fmt, vector

HEADERS = ["run", "model", "method", "k", "dataset", "load", "source", "mean acc. length", "acceptance rate",
           "per-position", "conditional", "rounds", "committed/step", "accuracy", "output throughput tok/s", "per-request tok/s", "latency s",
           "TPOT ms", "speedup", "speedup verdict", "flags", "pooled tok/s speedup", "pooled tok/s speedup CI low",
           "pooled tok/s speedup CI high", "latency speedup", "latency speedup CI low", "latency speedup CI high",
           "mean tok/s speedup", "mean tok/s speedup CI low",
           "mean tok/s speedup CI high",
           "mean large-model token ratio", "load file", "error"]
FORMULAS = [
    "acceptance: the primary source of `speclens acceptance` (source: metrics_delta = /metrics after − before, "
    "metrics_scrape = counters since server start, log:N = server lifetime N of the log); " + mal_per_source() +
    "; acceptance rate = accepted / draft tokens (pooled over draft tokens); per-position = accepted at i / drafts; "
    "conditional = PP_i / PP_i-1.",
    "load: the first benchmark of the load-driver JSON (load file), successful requests only. output throughput = "
    "Σ output tokens / benchmark duration (system tokens/s); per-request tok/s = mean of each request's own "
    "output tokens/s as the driver measured it (request-weighted, what one user sees; not system throughput); "
    "latency s, TPOT ms = means over requests.",
    "speedup = output throughput / DIR/baseline's output throughput at the same load, and speedup verdict, as "
    "`speclens speedup DIR/baseline DIR` gives them for the load level of the row's benchmark: n/a with the reason when "
    "the pair is not comparable (model, temperature, tokens, endpoint or load differ) or the spec run never speculated "
    "(0 drafts counted), unless --force; run directories only.",
    "Client rows (method client ...) carry the client's own numbers, each ratio in the column that names it: "
    "pooled tok/s speedup (client draft/verify) = Σ tokens / Σ seconds with drafting ÷ the same of the target "
    "alone on the same questions; latency speedup (client speculative thinking) = mean latency of the large model "
    "alone ÷ mean latency with speculative thinking; mean tok/s speedup (client three-mode, the LoRA suite) = mean "
    "over prompts of tokens / time to last token of the mode ÷ the same of target_only; mean large-model token "
    "ratio (speculative thinking) = mean over runs of large-model tokens / all tokens. CI low / CI high: the "
    "file's 95% interval of that speedup, paired over the questions or prompts both sides ran (n/a with the reason "
    "in the row's notes when the file has none). Client draft/verify: "
    "per-request tok/s = its avg_speed (mean over questions), acceptance rate = total_draft_accepted / "
    "total_draft_generated (benchmark_gsm8k.py's draft efficiency), rounds = its speculation rounds (draft -> verify "
    "cycles), mean acc. length = 1 + accepted / rounds; k, dataset, accuracy from the file. Client accuracy: "
    "per-request tok/s = metrics.avg_tokens_per_second, latency s = metrics.avg_generation_time (means over "
    "questions). Client speculative thinking: accuracy and latency s are those of the mode its method names.",
    "committed/step (diffusion LMs) = committed tokens / denoising steps of the primary diffusion source "
    "(the counterpart of mean acc. length).",
    "flags: the measurement traps that fired for the run (trap-* notice codes of `speclens acceptance`, README "
    "\"Measurement traps\"), comma-separated; - when none (run directories only).",
]

CELLS_NOTE = ("category, cell, cell status, role, load profile: a run directory whose run.json lists cells (a "
              "multi-phase run: run_eval.sh --categories, a k x load sweep) is one row per cell, RUN/cells/<id>/, read "
              "as a run directory of its own; role (spec or baseline), load profile (guidellm's --profile value) and "
              "category are the grid's, and so is k where the cell measured none; n/a: not a cell (a plain run). "
              "--category NAME keeps the rows of one category.")


def _text(value: str | None) -> str:
    return NA if value is None else value


def _load_file(row: CompareRow) -> str:
    if row.load_file is None:
        return NA
    if row.load_file == row.run:  # a load-driver JSON given as a file
        return os.path.basename(row.load_file)
    inside = row.load_file.startswith(row.run.rstrip(os.sep) + os.sep)
    return os.path.relpath(row.load_file, row.run) if inside else row.load_file


def _flags(codes: list[str]) -> str:
    """The row's measurement-trap codes (analyzers.traps), comma-separated; "-" when none fired."""
    return ",".join(codes) or "-"


def _cells(row: CompareRow) -> list[str]:
    return [row.run, _text(row.model), _text(row.method), fmt(row.k), _text(row.dataset), _text(row.load),
            _text(row.source), fmt(row.mean_acceptance_length), fmt(row.draft_acceptance_rate),
            vector(row.per_position), vector(row.conditional), fmt(row.speculation_rounds),
            fmt(row.committed_per_step), fmt(row.accuracy), fmt(row.output_throughput, 1),
            fmt(row.request_output_tps, 1), fmt(row.mean_latency_s), fmt(row.mean_tpot_ms, 2), fmt(row.speedup),
            _text(row.speedup_verdict), _flags(row.flags), fmt(row.pooled_tps_speedup), fmt(row.pooled_tps_speedup_ci_low),
            fmt(row.pooled_tps_speedup_ci_high), fmt(row.latency_speedup), fmt(row.latency_speedup_ci_low),
            fmt(row.latency_speedup_ci_high), fmt(row.mean_tps_speedup),
            fmt(row.mean_tps_speedup_ci_low), fmt(row.mean_tps_speedup_ci_high), fmt(row.mean_large_model_token_ratio),
            _load_file(row), row.error or ""]


def _with_cells(r: CompareReport) -> bool:
    """The category / cell / cell status columns are shown only when a row is a cell of a multi-phase run."""
    return any(row.cell is not None for row in r.rows)


CELL_HEADERS = ["category", "cell", "cell status", "role", "load profile"]  # CELL_FIELDS as headers


def _shown(values: list, cells: list[str] | None) -> list:
    """`values` (a row's cells or the headers) with the cell columns after `run` when a row is a cell."""
    return values if cells is None else [values[0], *cells, *values[1:]]


def compare_tables(r: CompareReport) -> list[Table]:
    noun = "run" if len(r.rows) == 1 else "runs"
    cells = _with_cells(r)
    notes = [f"{row.run}: {note}" for row in r.rows for note in row.notes] + FORMULAS + ([CELLS_NOTE] if cells else [])
    tables = [Table(f"{len(r.rows)} {noun}" + (f", sorted by {r.sort}" if r.sort else ""),
                    _shown(HEADERS, CELL_HEADERS if cells else None),
                    [_shown(_cells(row), [_text(getattr(row, f)) for f in CELL_FIELDS] if cells else None)
                     for row in r.rows], notes)]
    if r.skipped:
        noun = "folder" if len(r.skipped) == 1 else "folders"
        tables.append(Table(f"Skipped: {len(r.skipped)} {noun} with nothing to compare", ["folder", "why"],
                            [[s.path, s.reason] for s in r.skipped]))
    return tables


render_compare_text, render_compare_markdown = text_and_markdown("compare", compare_tables)


def _csv_cell(field: str, value: object) -> object:
    if value is None:
        return ""
    if field == "flags":
        return _flags(value)  # type: ignore[arg-type]
    if isinstance(value, list):
        return ("; " if field == "notes" else " ").join(NA if v is None else str(v) for v in value)
    return value


def table_fields(r: CompareReport) -> list[str]:
    """The columns of the CSV and Parquet tables: the row's fields, the CELL_FIELDS after `run` when a row is a cell."""
    fields = [name for name, info in CompareRow.model_fields.items() if not info.exclude]
    return _shown(fields, list(CELL_FIELDS) if _with_cells(r) else None)


def render_compare_csv(r: CompareReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = table_fields(r)
    writer.writerow(fields)
    for row in r.rows:
        data = {**dict.fromkeys(CELL_FIELDS), **row.model_dump()}
        writer.writerow([_csv_cell(f, data[f]) for f in fields])
    return out.getvalue()


def render_compare_parquet(r: CompareReport) -> bytes:
    from speclens.analyzers.render.compare_parquet import parquet_bytes  # polars: imported only for Parquet

    return parquet_bytes(r.rows, table_fields(r))


COMPARE_RENDERERS = {"text": render_compare_text, "md": render_compare_markdown,
                     "json": lambda r: r.model_dump_json(indent=2) + "\n", "csv": render_compare_csv,
                     "parquet": render_compare_parquet}
