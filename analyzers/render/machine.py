"""JSON (the report itself) and CSV (one row per target and source) renderings."""

from __future__ import annotations

import csv
import io

from speclens.analyzers.acceptance.models import Report


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


def _cell(value: object) -> object:
    return "" if value is None else value


def render_csv(report: Report) -> str:
    """Columns: identity, integer counts with their origin (drafts_min/max: the range when drafts
    is estimated), pooled metrics (rates are fractions 0..1; the mean acceptance length's formula),
    then per position i: accepted_pos_i, per_position_i, conditional_i (as many as the widest
    source has). Empty cell: unknown or undefined. When a target has a diffusion section, a second
    table follows after one empty line: one row per diffusion source (`render.diffusion.CSV_HEAD`)."""
    rows = [(t, s) for t in report.targets for s in t.sources]
    width = max((len(s.counts.accepted_per_position or s.metrics.per_position or []) for _, s in rows), default=0)
    head = ["path", "source", "kind", "primary", "k", "drafts", "draft_tokens", "accepted_tokens", "emitted_tokens",
            "drafts_from", "per_position_from", "mean_acceptance_length", "draft_acceptance_rate",
            "mean_acceptance_length_formula", "drafts_min", "drafts_max"]
    for i in range(width):
        head += [f"accepted_pos_{i}", f"per_position_{i}", f"conditional_{i}"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    for t, s in rows:
        c, m = s.counts, s.metrics
        row = [t.path, s.id, s.kind, s.id == t.primary, c.k, c.drafts, c.draft_tokens, c.accepted_tokens,
               c.emitted_tokens, c.drafts_from, c.per_position_from, m.mean_acceptance_length, m.draft_acceptance_rate,
               m.mean_acceptance_length_formula, *(c.drafts_range or (None, None))]
        for i in range(width):
            for seq in (c.accepted_per_position, m.per_position, m.conditional):
                row.append(seq[i] if seq is not None and i < len(seq) else None)
        writer.writerow([_cell(v) for v in row])
    diffusion = [(t.path, t.diffusion) for t in report.targets if t.diffusion is not None]
    if diffusion:
        from speclens.analyzers.render.diffusion import CSV_HEAD, diffusion_csv_rows

        writer.writerow([])
        writer.writerow(CSV_HEAD)
        for path, section in diffusion:
            for row in diffusion_csv_rows(path, section):
                writer.writerow([_cell(v) for v in row])
    return out.getvalue()
