"""The layout of the `acceptance_analysis.txt` that speculator eval scripts have written for
years, reproduced byte for byte (numpy's array printing included), from the report's legacy
numbers of each path's primary log source."""

from __future__ import annotations

from analyzers.report import Legacy, Report

RULE = "=" * 70


class LegacyUnavailable(ValueError):
    """The path has no V1 log intervals, so the legacy numbers do not exist."""


def _array(values: list[float | None] | None) -> str:
    if values is None:
        return "n/a"
    import numpy as np  # only this layout needs numpy's array printing; other formats skip the import

    return str(np.round(np.array([np.nan if v is None else v for v in values], dtype=float), decimals=3))


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


def render_legacy(report: Report) -> str:
    blocks = []
    for t in report.targets:
        logs = [s for s in t.sources if s.log is not None and s.log.legacy is not None]
        if not logs:
            raise LegacyUnavailable(f"{t.path}: no SpecDecoding log intervals to compute the legacy layout from "
                                    "(it needs a vLLM V1 log); use --format text")
        preferred = t.source(t.primary)
        source = preferred if preferred in logs else logs[-1]
        assert source.log is not None and source.log.legacy is not None
        blocks.append(legacy_block(source.log.legacy))
    return "\n\n".join(blocks) + "\n"
