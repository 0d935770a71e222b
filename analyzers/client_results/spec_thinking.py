"""`speclens compare` row and `speclens report` tables of the speculative-thinking benchmark's JSON.

Row: model = the large model, method names the small one, speedup = the JSON's comparison.speedup
(mean latency large alone / mean latency speculative thinking), accuracy = speculative thinking's
(correct / runs; the large model's when only it ran), mean_latency_s of the same mode. A mode's
written accuracy that disagrees with its own correct / runs is noted (client_cells.recount)."""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, cell, pairs, recount
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_result_spec_thinking import SpecThinkingResult

METHOD = "client speculative thinking"
FIELDS = (("mean_latency_s", "mean latency (s)"), ("mean_throughput", "mean tok/s per answer"),
          ("mean_total_tokens", "mean tokens per answer"), ("mean_large_model_ratio", "mean large-model token ratio"),
          ("accuracy", "accuracy (correct / runs)"), ("correct", "correct"), ("runs", "runs"),
          ("timed_out", "timed out"))
NAMES = {"large_model": "Large Model", "speculative_thinking": "Spec Thinking"}


def _main_mode(result: SpecThinkingResult) -> str | None:
    return next((m for m in ("speculative_thinking", "large_model") if result.modes.get(m)), None)


def accuracy(result: SpecThinkingResult, name: str) -> Recount:
    """correct / runs of mode `name` (its written accuracy when it has no counts)."""
    m = result.modes[name]
    return recount(f"{name}.accuracy.accuracy", m.accuracy, "correct / runs", m.correct, m.runs)


def fill_row(row, result: SpecThinkingResult) -> None:
    row.speedup = result.speedup
    if result.speculative_model and result.modes.get("speculative_thinking"):
        row.method = f"{METHOD} (small {result.speculative_model})"
    name = _main_mode(result)
    if name is not None:
        acc = accuracy(result, name)
        row.accuracy, row.mean_latency_s = acc.value, result.modes[name].mean_latency_s
        row.notes += [acc.note] if acc.note else []


def tables(result: SpecThinkingResult) -> list[Table]:
    modes = [m for m in NAMES if m in result.modes]
    acc = {m: accuracy(result, m) for m in modes}
    value = lambda m, key: acc[m].value if key == "accuracy" else getattr(result.modes[m], key)
    out = [Table("Per mode", ["metric", *(NAMES[m] for m in modes)],
                 [[label, *(cell(value(m, key)) for m in modes)] for key, label in FIELDS],
                 [a.note for a in acc.values() if a.note])]
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
