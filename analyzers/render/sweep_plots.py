"""PNG plots of a `SweepReport` for `speclens sweep RUN_DIR --format md -o FILE`, written next to FILE
through the one -o guard (analyzers.render.plots._save): acceptance length vs k (measured points with
their intervals, the chain model's curve), speedup vs load with interval bands (one line per k) and a
k x load heatmap of the primary speedup (n/a cells blank)."""

from __future__ import annotations

import math
import os

from speclens.analyzers.render.plots import _figure, _save
from speclens.analyzers.acceptance.advice import expected_acceptance_length
from speclens.analyzers.sweep.models import SweepReport

NAN = float("nan")
SHORT = {"not distinguishable": "not distinguishable\n(interval spans 1)", "not comparable": "not comparable"}


def plot_acceptance(r: SweepReport, path: str) -> str:
    plt, fig, ax = _figure()
    rows = [a for a in r.acceptance if a.mean_acceptance_length is not None]
    ks = [a.k for a in rows]
    ys = [a.mean_acceptance_length for a in rows]
    low = [y - a.mal_ci_low if a.mal_ci_low is not None else 0.0 for a, y in zip(rows, ys)]
    high = [a.mal_ci_high - y if a.mal_ci_high is not None else 0.0 for a, y in zip(rows, ys)]
    ax.errorbar(ks, ys, yerr=[low, high], fmt="o", capsize=4, label="measured (95% CI)")
    model = [(a.k, a.model_mean_acceptance_length) for a in r.acceptance if a.model_mean_acceptance_length is not None]
    if model:
        ax.plot([k for k, _ in model], [v for _, v in model], "s--", label="chain model from the other k")
    rates = _all_rates(r)
    if rates and ks:
        grid = list(range(1, max(ks) + 2))
        ax.plot(grid, [expected_acceptance_length(rates, k) for k in grid], ":", color="grey",
                label="chain model, all k pooled")
    ax.set_xticks(list(range(1, max(ks or [1]) + 2)))
    ax.set(xlabel="num_speculative_tokens k", ylabel="mean acceptance length (tokens/step)",
           title="Acceptance length vs k")
    ax.legend(fontsize=7)
    return _save(plt, fig, path)


def _all_rates(r: SweepReport) -> list[float]:
    """Conditional rates pooled over every k (the counts in the report)."""
    width = max((len(a.positions) for a in r.acceptance), default=0)
    out = []
    for i in range(width):
        have = [a.positions[i] for a in r.acceptance if i < len(a.positions)]
        den = sum(p.conditional_of for p in have)
        if not den:
            break
        out.append(sum(p.accepted for p in have) / den)
    return out


def _col(s) -> str:  # noqa: ANN001 - a CellSpeedup: its load, and category when it has one
    return f"{s.load} ({s.category})" if s.category else s.load


def _loads(r: SweepReport) -> list[str]:
    return list(dict.fromkeys(_col(s) for s in r.speedups))


def plot_speedup_vs_load(r: SweepReport, path: str) -> str:
    plt, fig, ax = _figure()
    loads = _loads(r)
    for k in sorted({s.k for s in r.speedups}):
        pts = [(loads.index(_col(s)), s.metric(r.primary)) for s in r.speedups if s.k == k]
        pts = [(x, m) for x, m in pts if m is not None and m.speedup is not None]
        if not pts:
            continue
        xs = [x for x, _ in pts]
        line, = ax.plot(xs, [m.speedup for _, m in pts], marker="o", label=f"k={k}")
        lo = [m.ci_low if m.ci_low is not None else NAN for _, m in pts]
        hi = [m.ci_high if m.ci_high is not None else NAN for _, m in pts]
        ax.fill_between(xs, lo, hi, alpha=0.2, color=line.get_color())
    ax.axhline(1.0, color="grey", linestyle=":")
    ax.set(xticks=list(range(len(loads))), xlabel="load", ylabel=f"speedup of {r.primary}",
           title="Speedup vs load, 95% interval bands")
    ax.set_xticklabels(loads, rotation=15, fontsize=8)
    ax.set_xlim(-0.5, max(len(loads), 1) - 0.5)
    ax.legend(fontsize=7)
    return _save(plt, fig, path)


def plot_heatmap(r: SweepReport, path: str) -> str:
    plt, fig, ax = _figure()
    loads, ks = _loads(r), sorted({s.k for s in r.speedups})
    grid = [[NAN] * len(loads) for _ in ks]
    verdicts = [[""] * len(loads) for _ in ks]
    for s in r.speedups:
        m = s.metric(r.primary)
        if m is not None and m.speedup is not None:
            grid[ks.index(s.k)][loads.index(_col(s))] = m.speedup
            verdicts[ks.index(s.k)][loads.index(_col(s))] = SHORT.get(m.verdict, m.verdict)
    finite = [v for row in grid for v in row if not math.isnan(v)] or [1.0]
    spread = max(abs(max(finite) - 1.0), abs(1.0 - min(finite)), 0.05)
    image = ax.imshow(grid, cmap="RdYlGn", vmin=1.0 - spread, vmax=1.0 + spread, aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, "n/a" if math.isnan(v) else f"{v:.2f}\n{verdicts[i][j]}", ha="center", va="center", fontsize=8)
    ax.set(xticks=list(range(len(loads))), yticks=list(range(len(ks))), xlabel="load", ylabel="k",
           title=f"Speedup of {r.primary} (k x load)")
    ax.set_xticklabels(loads, fontsize=8)
    ax.set_yticklabels([str(k) for k in ks])
    fig.colorbar(image, ax=ax)
    return _save(plt, fig, path)


def write_plots(r: SweepReport, output: str) -> list[str]:
    """The three PNGs next to `output` (its name without extension, plus a suffix); their paths."""
    stem = os.path.splitext(output)[0]
    out = []
    for suffix, plot in (("acceptance_vs_k", plot_acceptance), ("speedup_vs_load", plot_speedup_vs_load),
                         ("speedup_heatmap", plot_heatmap)):
        path = f"{stem}_{suffix}.png"
        plot(r, path)
        out.append(path)
    return out
