"""The layout of the `acceptance_analysis.txt` that speculator eval scripts have written for
years, reproduced byte for byte (numpy's array printing included), from the report's legacy
numbers of each path's primary log source (or of the segments `--segment` names), labelled
outside the block when it is a slice (see `render_legacy`)."""

from __future__ import annotations

import re

from speclens.analyzers.acceptance.models import Legacy, Report, SourceResult, TargetReport

RULE = "=" * 70
_NAN = re.compile(r"\bnan\b")  # report values are finite or None (analyzers.acceptance.metrics), so nan is None


class LegacyUnavailable(ValueError):
    """The path has no V1 log intervals, so the legacy numbers do not exist."""


def _array(values: list[float | None] | None) -> str:
    """numpy's printing of the rounded values, with `n/a` (as wide as numpy's `nan`, so the layout
    is numpy's) for an undefined element (None: a 0/0 rate), where the old script printed nan."""
    if values is None:
        return "n/a"
    import numpy as np  # only this layout needs numpy's array printing; other formats skip the import

    text = str(np.round(np.array([np.nan if v is None else v for v in values], dtype=float), decimals=3))
    return _NAN.sub("n/a", text)


def legacy_block(legacy: Legacy) -> str:
    avg = legacy.average_drafted_tokens
    return "\n".join([
        RULE, "Speculative Decoding Acceptance Analysis", RULE,
        f"\nTotal samples: {legacy.samples}",
        f"Total drafted tokens: {legacy.drafted_tokens}",
        f"Average drafted tokens: {'n/a' if avg is None else f'{avg:.2f}'}",
        "\nWeighted per-position acceptance rates:",
        _array(legacy.weighted_per_position),
        "\nConditional acceptance rates:",
        _array(legacy.conditional),
        RULE,
    ])


def _label(t: TargetReport, s: SourceResult, shown: list[SourceResult], logs: list[SourceResult]) -> str:
    """The line saying which slice a block is: file, segment, window (outside the block)."""
    assert s.log is not None
    parts = [f"# {t.path}: {s.scope}"]
    if len(t.segments) > 1:
        others = [str(o.log.segment) for o in logs if o not in shown and o.log is not None]
        hint = (f"; the other{'s' if len(others) > 1 else ''} with data: --segment {' | '.join(others)}, every one: "
                "--segment all") if others else ""
        parts.append(f"segment {s.log.segment} of {len(t.segments)} server lifetimes in the log{hint}")
    left = s.log.intervals_skipped_warmup + s.log.intervals_outside_window
    if left:
        parts.append(f"{left} spec line(s) of this segment left out ({s.log.intervals_skipped_warmup} by --skip-first, "
                     f"{s.log.intervals_outside_window} by the time window)")
    return "; ".join(parts)


def render_legacy(report: Report) -> str:
    """One block per path (per segment with `--segment all`): the primary log source's, else the
    last segment's. A label line goes above a block only when it is needed to say which slice it
    is (several paths or segments, or lines left out), so one log with one lifetime prints
    exactly what the old script printed."""
    blocks = []
    for t in report.targets:
        if t.kind == "unreadable":  # named on stderr by the command; no block
            continue
        logs = [s for s in t.sources if s.log is not None and s.log.legacy is not None]
        if not logs:
            which = f"segment {report.window.segment} has " if isinstance(report.window.segment, int) else ""
            what = ("; its diffusion counters are shown by every other format" if t.diffusion is not None
                    else " (it needs a vLLM V1 log)")
            raise LegacyUnavailable(f"{t.path}: {which}no SpecDecoding log intervals to compute the legacy layout from"
                                    f"{what}; use --format text")
        preferred = t.source(t.primary)
        shown = logs if report.window.segment == "all" else [preferred if preferred in logs else logs[-1]]
        for source in shown:
            assert source.log is not None and source.log.legacy is not None
            block = legacy_block(source.log.legacy)
            left = source.log.intervals_skipped_warmup + source.log.intervals_outside_window
            if len(report.targets) > 1 or len(t.segments) > 1 or len(shown) > 1 or left:
                block = _label(t, source, shown, logs) + "\n" + block
            blocks.append(block)
    return "\n\n".join(blocks) + "\n"
