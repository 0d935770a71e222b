"""`speclens compare` row and `speclens report` tables of the speculative-thinking benchmark's JSON.

Row: model = the large model, method names the small one, speedup = the JSON's comparison.speedup
(mean latency large alone / mean latency speculative thinking), accuracy = speculative thinking's
(correct / runs; the large model's when only it ran), mean_latency_s of the same mode."""

from __future__ import annotations

from speclens.analyzers.client_cells import cell, pairs
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_spec_thinking import SpecThinkingResult

METHOD = "client speculative thinking"
FIELDS = (("mean_latency_s", "mean latency (s)"), ("mean_throughput", "mean tok/s per answer"),
          ("mean_total_tokens", "mean tokens per answer"), ("mean_large_model_ratio", "mean large-model token ratio"),
          ("accuracy", "accuracy (correct / runs)"), ("correct", "correct"), ("runs", "runs"),
          ("timed_out", "timed out"))
NAMES = {"large_model": "Large Model", "speculative_thinking": "Spec Thinking"}


def _main_mode(result: SpecThinkingResult):
    return result.modes.get("speculative_thinking") or result.modes.get("large_model")


def fill_row(row, result: SpecThinkingResult) -> None:
    row.speedup = result.speedup
    if result.speculative_model and result.modes.get("speculative_thinking"):
        row.method = f"{METHOD} (small {result.speculative_model})"
    mode = _main_mode(result)
    if mode is not None:
        row.accuracy = mode.accuracy
        row.mean_latency_s = mode.mean_latency_s


def tables(result: SpecThinkingResult) -> list[Table]:
    modes = [m for m in NAMES if m in result.modes]
    out = [Table("Per mode", ["metric", *(NAMES[m] for m in modes)],
                 [[label, *(cell(getattr(result.modes[m], key)) for m in modes)] for key, label in FIELDS])]
    out.append(pairs("Comparison", {"speedup": result.speedup, "throughput_improvement": result.throughput_improvement,
                                    "large_model_reduction": result.large_model_reduction}))
    calls = result.modes.get("speculative_thinking")
    if calls is not None and calls.large_model_calls:
        c = calls.large_model_calls
        rows = [[k, cell(c[k].get("calls")), cell(c[k].get("tokens"))] for k in ("begin", "cue", "recap", "verify")
                if isinstance(c.get(k), dict)]
        out.append(Table(f"Large model calls (triggers {cell(c.get('triggers'))}, cues {cell(c.get('cues'))})",
                         ["kind", "calls", "tokens"], rows))
    return out
