"""PNG plots of the per-request acceptance section (`speclens report`): mean acceptance length per
prompt-length, output-length and output-position bin (n per bin, the pooled value as a line), and
the pooled histogram P(j accepted). `per_request_plots` lists the ones the section has data for."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from speclens.analyzers.acceptance.per_request_models import Binned, PerRequestSection, PooledHistogram
from speclens.analyzers.render.plots import _figure, _save

PlotSpec = tuple[str, str, Callable[[str], str]]  # (alt text, file name, writer), as render.run_dir.Plot
MIN_BINS = 2  # one bin is the pooled value again: no plot
_FILES = (("by_prompt_length", "prompt-length bin", "per-request-by-prompt-length.png"),
          ("by_output_length", "output-length bin", "per-request-by-output-length.png"),
          ("by_output_position", "output-position band", "per-request-by-output-position.png"))


def plot_bins(binned: Binned, pooled: float | None, k: int | None, path: str) -> str:
    """One bar per bin: its step-weighted mean acceptance length (1 + Σ accepted / Σ steps of the bin),
    labelled with the bin's n (requests) and steps; an undefined value (no steps) is no bar, marked n/a."""
    plt, fig, ax = _figure()
    xs = list(range(len(binned.bins)))
    values = [b.mean_acceptance_length for b in binned.bins]
    ax.bar([x for x, v in zip(xs, values) if v is not None], [v for v in values if v is not None], width=0.6,
           label="bin: 1 + Σ accepted / Σ steps")
    top = (k + 1) if k else max([v for v in values if v is not None] + [pooled or 1.0, 1.0])
    for x, b, v in zip(xs, binned.bins, values):
        ax.text(x, (v or 0.0) + 0.03 * top, "n/a" if v is None else f"{v:.2f}", ha="center", va="bottom",
                fontsize=8, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.text(x, 0.04 * top, f"n={b.requests}\n{b.steps} steps", ha="center", va="bottom", fontsize=7,
                color="white" if v else "black")
    if pooled is not None:
        ax.axhline(pooled, color="black", linestyle="--", linewidth=1, label=f"pooled (all requests) {pooled:.2f}")
    if k:
        ax.axhline(k + 1, color="grey", linestyle=":", label=f"k + 1 = {k + 1}")
    ax.set(xticks=xs, xlabel=binned.by + (" (band)" if binned.by == "output position" else " (bin, inclusive)"),
           ylabel="mean acceptance length", ylim=(0, top * 1.45),
           title=f"Acceptance length by {binned.by} (step-weighted per bin)")
    ax.set_xticklabels([b.label for b in binned.bins], fontsize=8)
    ax.legend(fontsize=7, loc="upper center", ncol=3)
    return _save(plt, fig, path)


def plot_histogram(h: PooledHistogram, requests: int, path: str) -> str:
    """P(j accepted) = H_j / Σ H for j = 0..k, pooled over the verification steps of every request."""
    plt, fig, ax = _figure()
    xs = list(range(len(h.counts)))
    ps = list(h.probability)
    ax.bar([x for x, p in zip(xs, ps) if p is not None], [p for p in ps if p is not None], width=0.6)
    for x, p, c in zip(xs, ps, h.counts):
        ax.text(x, (p or 0.0) + 0.02, f"{'n/a' if p is None else f'{p:.3f}'}\n{c} steps", ha="center",
                va="bottom", fontsize=7)
    ax.set(xticks=xs, xlabel="j = draft tokens accepted in a step (bonus token excluded)",
           ylabel="P(j accepted) = H_j / Σ H", ylim=(0, 1.15),
           title=f"Pooled acceptance histogram (k={h.k if h.k is not None else '?'}, {sum(h.counts)} steps, "
                 f"{requests} requests)")
    return _save(plt, fig, path)


def per_request_plots(s: PerRequestSection | None, k: int | None = None) -> list[PlotSpec]:
    """The section's plots: each binning with at least MIN_BINS bins, and the histogram when it has steps."""
    if s is None or s.summary is None:
        return []
    k = s.histogram.k if s.histogram is not None and s.histogram.k is not None else k
    pooled = s.summary.mean_acceptance_length_step_weighted
    plots: list[PlotSpec] = []
    for attribute, what, name in _FILES:
        binned = getattr(s, attribute)
        if binned is not None and len(binned.bins) >= MIN_BINS:
            plots.append((f"acceptance length per {what}", name, partial(plot_bins, binned, pooled, k)))
    if s.histogram is not None and sum(s.histogram.counts):
        plots.append(("pooled acceptance histogram P(j accepted)", "per-request-histogram.png",
                      partial(plot_histogram, s.histogram, s.summary.requests)))
    return plots
