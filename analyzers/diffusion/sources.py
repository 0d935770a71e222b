"""Diffusion sources (`analyzers.diffusion.models.DiffusionSource`) of each input kind, and how
two of one target agree.

Kinds: `log_intervals` (one segment's DiffusionDecoding lines in the window, summed),
`metrics_delta` / `metrics_scrape` (the vllm:diffusion_* counters: after − before, or since the
server started), `bench_serve` / `bench_console` (vllm bench serve's diffusion keys or block, whose
step count excludes each canvas's commit step: `parsers.vllm_bench`). Metrics are computed here
from the integers (`diffusion_metrics`), except a vllm bench result's, which are its own
definitions and are taken as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from speclens.analyzers.diffusion.fold import DiffusionTaken
from speclens.analyzers.diffusion.models import (
    DiffusionAgreement,
    DiffusionCounts,
    DiffusionMetrics,
    DiffusionSource,
)
from speclens.base.formulas import ratio
from speclens.parsers.diffusion_scrape import DiffusionCounters, DiffusionScrape

if TYPE_CHECKING:  # the vllm bench parsers are imported with a vllm bench input (start-up, issue 26)
    from speclens.parsers.vllm_bench import BenchDiffusion
    from speclens.parsers.vllm_bench_console import BenchConsoleDiffusion

BENCH_STEPS = "vllm bench (commit steps excluded, truncated)"


def diffusion_metrics(c: DiffusionCounts, throughput: float | None = None, basis: str | None = None) -> DiffusionMetrics:
    """Pooled rates of `c` (None where a denominator is 0); the throughput and its basis as given."""
    return DiffusionMetrics(committed_per_step=ratio(c.committed_tokens, c.denoising_steps),
                            steps_per_canvas=ratio(c.canvas_positions, c.committed_tokens),
                            canvas_positions_per_step=ratio(c.canvas_positions, c.denoising_steps),
                            committed_throughput=throughput, committed_throughput_basis=basis)


def _counts(committed: int, steps: int, positions: int) -> DiffusionCounts:
    return DiffusionCounts(committed_tokens=committed, denoising_steps=steps, canvas_positions=positions)


def log_diffusion_source(path: str, segment: int, d: DiffusionTaken, scope_note: str = "") -> DiffusionSource | None:
    """The source of one segment's diffusion lines in the window (None when none was taken)."""
    if not d.used:
        return None
    counts = _counts(d.committed, d.denoising_steps, d.canvas_positions)
    if d.timed_seconds > 0:
        left = f"; {d.untimed_intervals} interval(s) with a 0.00 rate left out" if d.untimed_intervals else ""
        throughput = d.timed_committed / d.timed_seconds
        basis = (f"Σ committed / Σ (committed_i / printed throughput_i) over the {d.timed_intervals} logged "
                 f"interval(s) that committed tokens{left}")
    else:
        throughput, basis = None, "no logged interval with committed tokens and a non-zero printed rate"
    times = f", {d.first_time or '?'} → {d.last_time or '?'}" if d.first_time or d.last_time else ""
    note = f"; {scope_note}" if scope_note else ""
    scope = (f"log segment {segment}, {d.used} DiffusionDecoding interval{'s' if d.used != 1 else ''} "
             f"(lines {d.first_line}–{d.last_line}{times}){note}")
    engines = {name: _counts(*sums) for name, sums in d.per_engine.items()}
    return DiffusionSource(id=f"diffusion:log:{segment}", kind="log_intervals", scope=scope, files=[path],
                           counts=counts, metrics=diffusion_metrics(counts, throughput, basis), per_engine=engines,
                           intervals_used=d.used)


def _from_counters(c: DiffusionCounters) -> DiffusionCounts:
    return _counts(c.committed or 0, c.denoising_steps or 0, c.canvas_positions or 0)


def scrape_diffusion_source(kind: str, scope: str, files: list[str], scrape: DiffusionScrape) -> DiffusionSource:
    """A source from per-engine diffusion counters (a scrape or a delta): summed, kept per engine."""
    counts = _from_counters(scrape.total())
    engines = {name: _from_counters(e) for name, e in sorted(scrape.engines.items())} if len(scrape.engines) > 1 else {}
    metrics = diffusion_metrics(counts, None, "a /metrics scrape carries no time span")
    return DiffusionSource(id=f"diffusion:{kind}", kind=kind, scope=scope, files=files,  # type: ignore[arg-type]
                           counts=counts, metrics=metrics, per_engine=engines)


def bench_diffusion_source(path: str, b: BenchDiffusion | BenchConsoleDiffusion, index: int = 0,
                           runs: int = 1) -> DiffusionSource | None:
    """The source of a vllm bench result's diffusion keys or console block (None without its integers)."""
    from speclens.parsers.vllm_bench_console import BenchConsoleDiffusion

    if b.committed_tokens is None or b.canvas_positions is None or b.denoising_steps_excluding_commit is None:
        return None
    counts = DiffusionCounts(committed_tokens=b.committed_tokens, denoising_steps=b.denoising_steps_excluding_commit,
                             canvas_positions=b.canvas_positions, steps_from=BENCH_STEPS)
    console = isinstance(b, BenchConsoleDiffusion)
    metrics = DiffusionMetrics(committed_per_step=b.committed_per_step, steps_per_canvas=b.steps_per_canvas,
                               canvas_positions_per_step=None, committed_throughput=b.committed_throughput,
                               committed_throughput_basis="vllm bench: committed tokens / benchmark duration"
                               + (" (printed, 2 dp)" if console else ""))
    which = f" run {index + 1} of {runs}," if runs > 1 else ""
    where = (f"vllm bench serve console,{which} Diffusion Decoding block (line {b.lineno})" if console
             else "vllm bench serve result (diffusion_* keys)")
    return DiffusionSource(id="diffusion:bench" + (f":{index}" if runs > 1 else ""),
                           kind="bench_console" if console else "bench_serve",
                           scope=f"{where}: /metrics delta over its run, steps as vllm bench counts them",
                           files=[path], counts=counts, metrics=metrics)


def diffusion_agreement(a: DiffusionSource, b: DiffusionSource, note: str = "") -> DiffusionAgreement:
    """b − a, count by count; steps only when both count them the same way."""
    ca, cb = a.counts, b.counts
    steps = cb.denoising_steps - ca.denoising_steps if ca.steps_from == cb.steps_from else None
    diffs = [cb.committed_tokens - ca.committed_tokens, cb.canvas_positions - ca.canvas_positions, steps or 0]
    return DiffusionAgreement(a=a.id, b=b.id, committed_tokens_diff=diffs[0], canvas_positions_diff=diffs[1],
                              denoising_steps_diff=steps, agree=not any(diffs), note=note)
