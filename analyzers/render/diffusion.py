"""The diffusion section of a target as tables (text, Markdown) and CSV rows."""

from __future__ import annotations

from speclens.analyzers.acceptance.models import TargetReport
from speclens.analyzers.diffusion.models import DiffusionSection, DiffusionSource
from speclens.analyzers.render.tables import NA, Table, fmt

CSV_HEAD = ["path", "source", "kind", "primary", "committed_tokens", "denoising_steps", "canvas_positions",
            "steps_from", "committed_per_step", "steps_per_canvas", "canvas_positions_per_step", "committed_throughput",
            "committed_throughput_basis"]


def _row(s: DiffusionSource, primary: str | None) -> list[str]:
    c, m = s.counts, s.metrics
    steps = fmt(c.denoising_steps) + ("" if c.steps_from == "counter" else " †")
    return [s.id + (" *" if s.id == primary else ""), s.scope, fmt(c.committed_tokens), steps,
            fmt(c.canvas_positions), fmt(m.committed_per_step), fmt(m.steps_per_canvas),
            fmt(m.canvas_positions_per_step), fmt(m.committed_throughput, 2)]


def diffusion_tables(t: TargetReport) -> list[Table]:
    """Sources, per-engine counts and agreement of the target's diffusion section (none without one)."""
    d = t.diffusion
    if d is None:
        return []
    notes = [("* primary source. committed per step = committed / denoising steps (the counterpart of mean acceptance "
              "length); steps per canvas = canvas positions / committed (vLLM's 'Mean denoising steps per canvas'); "
              "width = canvas positions / denoising steps. Counts are exact integers.")]
    if any(s.counts.steps_from != "counter" for s in d.sources):
        notes.append("† vllm bench's own step count: the counter's steps minus one commit step per canvas, truncated; "
                     "its per-step and per-canvas rates are its own and are shown as it wrote them.")
    notes += [f"{s.id} throughput: {s.metrics.committed_throughput_basis}" for s in d.sources
              if s.metrics.committed_throughput_basis]
    tables = [Table(f"{t.path}: diffusion decoding", ["source", "scope", "committed", "denoising steps", "canvas positions",
                                                      "committed/step", "steps/canvas", "width", "committed tok/s"],
                    [_row(s, d.primary) for s in d.sources], notes)]
    engines = [(s, name, c) for s in d.sources for name, c in s.per_engine.items()]
    if engines:
        tables.append(Table("Diffusion counts per engine", ["source", "engine", "committed", "denoising steps",
                                                            "canvas positions", "committed/step"],
                            [[s.id, name, fmt(c.committed_tokens), fmt(c.denoising_steps), fmt(c.canvas_positions),
                              fmt(c.committed_tokens / c.denoising_steps if c.denoising_steps else None)]
                             for s, name, c in engines]))
    if d.agreements:
        tables.append(Table("Diffusion agreement (b − a)", ["a", "b", "committed", "canvas positions", "denoising steps",
                                                            "agree"],
                            [[g.a, g.b, f"{g.committed_tokens_diff:+d}", f"{g.canvas_positions_diff:+d}",
                              NA if g.denoising_steps_diff is None else f"{g.denoising_steps_diff:+d}",
                              "yes" if g.agree else "NO"] for g in d.agreements],
                            [g.note for g in d.agreements if g.note]))
    return tables


def diffusion_csv_rows(path: str, d: DiffusionSection) -> list[list[object]]:
    """One CSV row per diffusion source, in `CSV_HEAD` order (None: unknown or undefined)."""
    return [[path, s.id, s.kind, s.id == d.primary, s.counts.committed_tokens, s.counts.denoising_steps,
             s.counts.canvas_positions, s.counts.steps_from, s.metrics.committed_per_step, s.metrics.steps_per_canvas,
             s.metrics.canvas_positions_per_step, s.metrics.committed_throughput, s.metrics.committed_throughput_basis]
            for s in d.sources]
