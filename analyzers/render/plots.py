"""PNG plots for `speclens report` (matplotlib, headless Agg). Each takes finished report data and
a path, writes the PNG atomically and returns its file name."""

from __future__ import annotations

import io
import os

from speclens.analyzers.acceptance.models import IntervalPoint, SourceResult
from speclens.analyzers.acceptance.advice import Advice
from speclens.analyzers.atomic import write_output
from speclens.analyzers.speedup.models import SpeedupReport


def _figure():  # noqa: ANN202
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=110)
    return plt, fig, ax


def _save(plt, fig, path: str) -> str:  # noqa: ANN001
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png")
    plt.close(fig)
    write_output(path, png.getvalue())  # the one -o guard and atomic writer, as for every output
    return os.path.basename(path)


def plot_positions(source: SourceResult, path: str) -> str:
    plt, fig, ax = _figure()
    pp = [v if v is not None else 0.0 for v in source.metrics.per_position or []]
    ca = [v if v is not None else 0.0 for v in source.metrics.conditional or []]
    xs = range(len(pp))
    ax.bar([x - 0.2 for x in xs], pp, width=0.4, label="per-position (accepted at i / drafts)")
    ax.bar([x + 0.2 for x in xs], ca, width=0.4, label="conditional (PP_i / PP_i-1)")
    ax.set(xlabel="draft position", ylabel="acceptance", ylim=(0, 1.3), xticks=list(xs),
           title=f"Acceptance by position ({source.id}, k={source.counts.k})")
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    return _save(plt, fig, path)


def plot_series(series: list[IntervalPoint], k: int | None, path: str) -> str:
    plt, fig, ax = _figure()
    ys = [p.mean_acceptance_length for p in series]
    ax.plot(range(1, len(ys) + 1), [y if y is not None else float("nan") for y in ys], marker="o")
    if k:
        ax.axhline(k + 1, color="grey", linestyle=":", label=f"k + 1 = {k + 1}")
        ax.legend(fontsize=8)
    ax.set(xlabel="log interval (first = warm-up)", ylabel="mean acceptance length",
           title="Acceptance length per log interval")
    return _save(plt, fig, path)


def plot_speedup(report: SpeedupReport, path: str) -> str:
    """Speedup of output_throughput (the metric that decides each level's verdict) and of
    request_output_tps per load level, with their 95% intervals; levels without an interval are
    drawn as points, and not-comparable levels are marked in the tick label."""
    plt, fig, ax = _figure()
    labels = [lvl.label + ("\n(not comparable)" if not lvl.comparable else "") for lvl in report.levels]
    for offset, metric, marker in ((-0.08, "output_throughput", "o"), (0.08, "request_output_tps", "s")):
        xs, ys, low, high = [], [], [], []
        for i, level in enumerate(report.levels):
            c = next((c for c in level.comparisons if c.metric == metric), None)
            if c is None or c.speedup is None:
                continue
            xs.append(i + offset)
            ys.append(c.speedup)
            low.append(c.speedup - c.ci_low if c.ci_low is not None else 0.0)
            high.append(c.ci_high - c.speedup if c.ci_high is not None else 0.0)
        name = ("output_throughput (system tok/s; decides the verdict)" if metric == "output_throughput"
                else "request_output_tps (mean per-request tok/s)")
        ax.errorbar(xs, ys, yerr=[low, high], fmt=marker, capsize=4, label=name)
    ax.axhline(1.0, color="grey", linestyle=":")
    ax.set(xticks=list(range(len(labels))), xlabel="load", ylabel="speedup (spec / baseline)",
           title="Speedup vs load, 95% intervals (batch means; see report)")
    ax.set_xticklabels(labels, rotation=20, fontsize=8)
    ax.set_xlim(-0.5, max(len(labels), 1) - 0.5)
    ax.legend(fontsize=7)
    if not report.comparability.comparable:
        ax.text(0.01, 0.02, "NOT COMPARABLE: " + "; ".join(report.comparability.reasons)[:120], transform=ax.transAxes,
                fontsize=6, color="red")
    return _save(plt, fig, path)


def plot_advice(advice: Advice, path: str) -> str:
    plt, fig, ax = _figure()
    ks = [r.k for r in advice.rows]
    ax.plot(ks, [r.expected_acceptance_length for r in advice.rows], marker="o", label="expected acceptance length")
    if advice.cost_ratio is not None:
        ax.plot(ks, [r.modeled_speedup for r in advice.rows], marker="s", label=f"modeled speedup (c={advice.cost_ratio:.3f})")
    ax.axvline(advice.measured_k, color="grey", linestyle=":", label=f"measured k = {advice.measured_k}")
    ax.set(xlabel="num_speculative_tokens k", title="Model per k (from measured conditional rates)")
    ax.legend(fontsize=8)
    return _save(plt, fig, path)
