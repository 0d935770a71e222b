"""`speclens compare` row and `speclens report` tables of the speculative-thinking benchmark's JSON.

Row: model = the large model, method names the small one, or says "large model alone" when only
it ran: accuracy (correct / runs) and mean_latency_s are that mode's (speculative thinking's when it
ran; the other mode's are in a note); latency_speedup = the JSON's comparison.speedup (mean latency
large alone / mean latency speculative thinking); mean_large_model_token_ratio = speculative
thinking's statistics.large_model_ratio.mean (mean over runs of large-model tokens / all tokens). A
mode's written accuracy that disagrees with its own correct / runs is noted (client_cells.recount)."""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, cell, pairs, recount, spanned, times, warmup_table
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_results import SpecThinkingResult
from speclens.parsers.client_results.spec_thinking import Mode

METHOD = "client speculative thinking"
FIELDS = (("mean_latency_s", "mean latency (s)"), ("mean_throughput", "mean tok/s per answer"),
          ("mean_total_tokens", "mean tokens per answer"), ("mean_large_model_ratio", "mean large-model token ratio"),
          ("accuracy", "accuracy (correct / runs)"), ("correct", "correct"), ("runs", "runs"),
          ("timed_out", "timed out"))
NAMES = {"large_model": "Large Model", "speculative_thinking": "Spec Thinking"}
MEANS = {"mean_latency_s": "latency", "mean_throughput": "throughput", "mean_total_tokens": "total_tokens",
         "mean_large_model_ratio": "large_model_ratio"}  # row key -> statistics.<key>.mean


def _main_mode(result: SpecThinkingResult) -> str | None:
    return next((m for m in ("speculative_thinking", "large_model") if m in result.modes), None)


def _value(mode: Mode, key: str) -> object:
    """A FIELDS entry of one mode: a statistics mean, or an accuracy count (None when absent)."""
    if key in MEANS:
        return mode.mean(MEANS[key])
    return None if mode.accuracy is None else getattr(mode.accuracy, key)


def accuracy(result: SpecThinkingResult, name: str) -> Recount:
    """correct / runs of mode `name` (its written accuracy when it has no counts)."""
    m = result.modes[name]
    return recount(f"{name}.accuracy.accuracy", _value(m, "accuracy"), "correct / runs", _value(m, "correct"),
                   _value(m, "runs"))


def fill_row(row, result: SpecThinkingResult) -> None:
    row.latency_speedup = result.comparison.speedup
    ci = result.comparison.speedup_interval
    if ci is not None:
        row.latency_speedup_ci_low, row.latency_speedup_ci_high = ci.ci_low, ci.ci_high
        row.notes.append(f"latency speedup {spanned(row.latency_speedup, ci, times)}")
    small = result.config.speculative_model
    spec = result.modes.get("speculative_thinking")
    if spec is not None:
        row.method = f"{METHOD} (small {small})" if small else row.method
        row.mean_large_model_token_ratio = spec.mean("large_model_ratio")
    elif "large_model" in result.modes:
        row.method = f"{METHOD} (large model alone)"
    name = _main_mode(result)
    if name is None:
        return
    acc = accuracy(result, name)
    row.accuracy, row.mean_latency_s = acc.value, result.modes[name].mean("latency")
    row.notes += [acc.note] if acc.note else []
    row.notes.append(f"accuracy, latency s: {NAMES[name]}'s" + "".join(
        f"; {NAMES[o]}: accuracy {cell(accuracy(result, o).value)}, latency s {cell(result.modes[o].mean('latency'))}"
        for o in result.modes if o != name))


def tables(result: SpecThinkingResult) -> list[Table]:
    modes = [m for m in NAMES if m in result.modes]
    acc = {m: accuracy(result, m) for m in modes}
    value = lambda m, key: acc[m].value if key == "accuracy" else _value(result.modes[m], key)
    out = [Table("Per mode", ["metric", *(NAMES[m] for m in modes)],
                 [[label, *(cell(value(m, key)) for m in modes)] for key, label in FIELDS],
                 [a.note for a in acc.values() if a.note])]
    c = result.comparison
    comparison = {"speedup": c.speedup, "throughput_improvement": c.throughput_improvement,
                  "large_model_reduction": c.large_model_reduction}
    for key, ci in (("speedup", c.speedup_interval), ("throughput_improvement", c.throughput_improvement_interval)):
        if ci is not None:  # files written before the intervals keep their table as it was
            comparison[f"{key} (95% interval)"] = spanned(comparison[key], ci, times)
    out.append(pairs("Comparison", comparison))
    spec = result.modes.get("speculative_thinking")
    calls = None if spec is None else spec.large_model_calls
    if calls is not None and (calls.model_fields_set or calls.model_extra):  # written and not {}
        kinds = {k: getattr(calls, k) for k in ("begin", "cue", "recap", "verify")}
        rows = [[k, cell(n.calls), cell(n.tokens)] for k, n in kinds.items() if n is not None]
        out.append(Table(f"Large model calls (triggers {cell(calls.triggers)}, cues {cell(calls.cues)})",
                         ["kind", "calls", "tokens"], rows))
    if result.config.warmup_requests is not None:
        out.append(warmup_table(result.config.warmup_requests))
    return out
