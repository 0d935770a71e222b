"""Renderings of a `CompareReport`: text, Markdown, CSV, JSON."""

from __future__ import annotations

import csv
import io

from analyzers.compare import CompareReport
from analyzers.render.plain import tables_to_markdown, tables_to_text
from analyzers.render.tables import Table, fmt, vector

HEADERS = ["run", "model", "method", "k", "dataset", "load", "mean acc. length", "per-position", "conditional",
           "acceptance", "accuracy", "output tok/s", "latency s", "TPOT ms", "speedup", "error"]


def compare_table(r: CompareReport) -> Table:
    rows = [[row.run, row.model or "", row.method or "", fmt(row.k), row.dataset or "", row.load or "",
             fmt(row.mean_acceptance_length), vector(row.per_position), vector(row.conditional),
             fmt(row.draft_acceptance_rate), fmt(row.accuracy), fmt(row.output_tokens_per_s, 1), fmt(row.mean_latency_s), fmt(row.mean_tpot_ms, 2),
             fmt(row.speedup), row.error or ""] for row in r.rows]
    return Table(f"{len(r.rows)} run directories" + (f", sorted by {r.sort}" if r.sort else ""), HEADERS, rows,
                 ["acceptance: primary source of `speclens acceptance`; load numbers: successful requests of the "
                  "first benchmark; speedup: output tok/s over DIR/baseline's."])


def render_compare_text(r: CompareReport) -> str:
    return tables_to_text(f"speclens {r.speclens_version} compare (schema {r.schema_version})", [compare_table(r)])


def render_compare_markdown(r: CompareReport) -> str:
    return tables_to_markdown("speclens compare", f"speclens {r.speclens_version}, schema {r.schema_version}",
                              [compare_table(r)])


def render_compare_csv(r: CompareReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = list(r.rows[0].model_dump()) if r.rows else ["run"]
    writer.writerow(fields)
    for row in r.rows:
        data = row.model_dump()
        writer.writerow([" ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                         for v in (data[f] for f in fields)])
    return out.getvalue()


COMPARE_RENDERERS = {"text": render_compare_text, "md": render_compare_markdown, "csv": render_compare_csv,
                     "json": lambda r: r.model_dump_json(indent=2) + "\n"}
