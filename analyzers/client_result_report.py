"""`speclens report CLIENT_RESULT.json`: a client's result JSON (clients/) re-read offline into
Markdown tables: its configuration and summary, plus the per-mode statistics where it has them."""

from __future__ import annotations

from speclens.analyzers import __version__
from speclens.analyzers.render.plain import tables_to_markdown
from speclens.analyzers.render.tables import Table, fmt
from speclens.parsers.client_results import (
    AccuracyResult,
    DraftVerifyResult,
    LosslessnessResult,
    SpecThinkingResult,
    ThreeModeResult,
    read_client_result,
)


def _cell(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return fmt(value)
    return str(value)


def _pairs(title: str, values: dict) -> Table:
    rows = [[str(k), _cell(v)] for k, v in values.items() if not isinstance(v, (dict, list))]
    return Table(title, ["field", "value"], rows)


def client_tables(path: str) -> list[Table]:
    result = read_client_result(path)
    config = getattr(result, "config", None) or getattr(result, "metadata", {}) or {}
    tables = [_pairs(f"{type(result).__name__}: configuration", config)]
    if isinstance(result, DraftVerifyResult):
        tables.append(_pairs("Summary (pooled over all draft tokens unless named avg_)", {
            "avg_acceptance_rate": result.avg_acceptance_rate, "avg_speed": result.avg_speed,
            "total_tokens": result.total_tokens, "total_draft_generated": result.total_draft_generated,
            "total_draft_accepted": result.total_draft_accepted, "draft_efficiency": result.draft_efficiency,
            "speculation_rounds": result.speculation_rounds, "speedup": result.speedup}))
    elif isinstance(result, AccuracyResult):
        tables.append(_pairs("Accuracy", {"accuracy": result.accuracy, "correct": result.correct, "total": result.total}))
    elif isinstance(result, SpecThinkingResult):
        tables.append(_pairs("Comparison", {"speedup": result.speedup, "throughput_improvement":
                                            result.throughput_improvement,
                                            "large_model_reduction": result.large_model_reduction}))
    elif isinstance(result, ThreeModeResult):
        modes = sorted(result.summary)
        keys = sorted({k for m in modes for k, v in result.summary[m].items() if not isinstance(v, (dict, list))})
        tables.append(Table("Per mode", ["metric", *modes], [[k, *(_cell(result.summary[m].get(k)) for m in modes)]
                                                            for k in keys]))
        tables.append(_pairs("Speedup vs target only", result.speedup_vs_target))
    elif isinstance(result, LosslessnessResult):
        tables.append(_pairs("Losslessness", {"identity_rate": result.identity_rate,
                                              "accuracy_equal": result.accuracy_equal, "lossless": result.lossless}))
    return tables


def client_markdown(path: str) -> str:
    return tables_to_markdown(f"speclens report: {path}", f"speclens {__version__}", client_tables(path))
