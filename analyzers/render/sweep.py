"""Renderings of a `SweepReport` (analyzers.sweep): text, Markdown, JSON. Undefined numbers are n/a."""

from __future__ import annotations

from speclens.analyzers.render.plain import text_and_markdown
from speclens.analyzers.render.tables import NA, Table, fmt
from speclens.analyzers.sweep.models import KAcceptance, MetricSpeedup, SweepReport


def _ci(low: float | None, high: float | None) -> str:
    return NA if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def _speed(m: MetricSpeedup | None) -> list[str]:
    if m is None:
        return [NA, NA, "n/a"]
    return [NA if m.speedup is None else f"{m.speedup:.3f}x", _ci(m.ci_low, m.ci_high), m.verdict]


def _model(row: KAcceptance) -> str:
    if row.model_verdict == "model off" and row.model_off_by is not None:
        return f"model off by {row.model_off_by:+.3f} tokens/step"
    return row.model_verdict if row.model_verdict != "n/a" else f"n/a ({row.model_note})"


def sweep_tables(r: SweepReport) -> list[Table]:
    acc = Table("Acceptance per k (counts pooled over the k's cells) beside the chain model from the other k", [
        "k", "cells", "drafts", "accepted/drafted", "mean acceptance length", "95% CI", "per-position (accepted)",
        "conditional (accepted/of)", "model (from k)", "model band", "model"], [
        [str(a.k), str(len(a.cells)), fmt(a.drafts), f"{a.accepted_tokens}/{a.draft_tokens}", fmt(a.mean_acceptance_length),
         _ci(a.mal_ci_low, a.mal_ci_high),
         ", ".join(f"{fmt(p.per_position)} ({p.accepted})" for p in a.positions) or NA,
         ", ".join(f"{fmt(p.conditional)} ({p.accepted}/{p.conditional_of})" for p in a.positions) or NA,
         fmt(a.model_mean_acceptance_length) + (f" ({', '.join(map(str, a.model_from_k))})" if a.model_from_k else ""),
         _ci(a.model_band_low, a.model_band_high), _model(a)] for a in r.acceptance],
        ["mean acceptance length = 1 + accepted / drafts (bonus token included); its interval treats verification "
         "steps as independent (a lower bound on the spread)",
         "model: chain model E = 1 + Σ_i Π_(j≤i) c_j with the other k's pooled conditional rates; band: its predictions "
         "from each other k alone; 'model holds' when the measured interval overlaps the band (block-parallel "
         "drafters such as DFlash/DSpark do not follow the chain: measure them per k)"])
    speed = Table("Speedup per k and load vs the baseline cell of the same load (95% intervals)", [
        "category", "load", "k", "output_throughput", "95% CI", "verdict", "per_request_speed", "95% CI", "verdict",
        "note"], [
        [s.category or "all", s.load, str(s.k), *_speed(s.output_throughput), *_speed(s.per_request_speed),
         s.summary or ""] for s in r.speedups],
        ["speedup = spec / baseline (> 1: speculation better); output_throughput: system output tokens / benchmark "
         "window; per_request_speed: mean of each request's own output tokens / latency",
         f"verdicts: faster (interval above 1), slower (below 1), not distinguishable (around 1); {r.methods['speedup']}"])
    best = Table(f"Best k per load by {r.primary}", ["category", "load", "best k", "ties", "speedup", "95% CI", "verdict",
                                                      "note"], [
        [b.category or "all", b.load, NA if b.best_k is None else str(b.best_k), ", ".join(map(str, b.ties)) or "none",
         NA if b.speedup is None else f"{b.speedup:.3f}x", _ci(b.ci_low, b.ci_high), b.verdict or "n/a", b.note]
        for b in r.best_k], [e.text for e in r.break_even] + r.summary)
    tables = [acc, speed, best]
    if r.missing:
        tables.append(Table("Cells not used", ["cell", "role", "why"], [[m.id, m.role, m.why] for m in r.missing]))
    return tables


render_sweep_text, render_sweep_markdown = text_and_markdown("sweep report", sweep_tables)


def render_sweep_json(r: SweepReport) -> str:
    return r.model_dump_json(indent=2) + "\n"


SWEEP_RENDERERS = {"text": render_sweep_text, "md": render_sweep_markdown, "json": render_sweep_json}
