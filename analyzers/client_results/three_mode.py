"""`speclens compare` row and `speclens report` tables of the three-mode suite's JSON
(clients/speclora/three_mode.py, `speclens.clients.speclora benchmark-suite`).

Compare row: the suite's headline mode, spec_lora when it ran, else spec_base. Its acceptance rate
is pooled (Σ accepted / Σ draft tokens over the prompts, exact counts; from the mode's
draft_tokens/accepted_tokens, else its pooled_acceptance_rate; a pooled_acceptance_rate that disagrees
with the counts is noted: client_cells.recount), per-request tok/s is the mode's
avg_tokens_per_second (mean over prompts of tokens / TTLT), mean_tps_speedup its speedup_vs_target
(that mean of the mode / that mean of target_only), model the target model the servers served
(metadata.models: target_only's, else the headline mode's); the notes carry the other mode's numbers
and the LoRA-over-base line.
Fields of issue 22, shown only when the file has them: each speedup and the LoRA-over-Base gain
with its 95% interval (paired over prompts), the benchmark prompts found in the adapter's training
data (a warning when some were measured on), the warm-up requests per mode's server.
"""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, cell, pairs, recount, spanned, times, warmup_table
from speclens.analyzers.render.tables import Table
from speclens.base.formulas import acceptance_rate
from speclens.parsers.client_results.three_mode import ModeSummary, ThreeModeResult

METHOD = "client three-mode"
LABELS = {"target_only": "Target Only", "spec_base": "Spec Dec (Base)", "spec_lora": "Spec Dec (LoRA)"}


def pooled_acceptance(summary: ModeSummary, mode: str) -> Recount:
    """accepted_tokens / draft_tokens (e.g. 227 / 312 = 0.7276), else the file's pooled_acceptance_rate."""
    return recount(f"summary.{mode}.pooled_acceptance_rate", summary.pooled_acceptance_rate,
                   "accepted_tokens / draft_tokens", summary.accepted_tokens, summary.draft_tokens,
                   rate=acceptance_rate)


def speedups(result: ThreeModeResult) -> dict[str, float | None]:
    """The file's comparison.speedup_vs_target ({} when the file has none)."""
    return dict((result.comparison and result.comparison.speedup_vs_target) or {})


def lora_vs_base(result: ThreeModeResult) -> dict | None:
    """The file's comparison.lora_vs_base as written; an older file's acceptance_gain is also shown
    as acceptance_difference (its current name)."""
    gain = result.comparison and result.comparison.lora_vs_base
    if gain is None:
        return None
    written = gain.model_dump(mode="json", exclude_unset=True)
    if "acceptance_difference" not in written and "acceptance_gain" in written:
        written["acceptance_difference"] = written["acceptance_gain"]
    return written


def headline(result: ThreeModeResult) -> str | None:
    return next((m for m in ("spec_lora", "spec_base") if m in result.summary), None)


def _signed(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{100 * value:+.1f}{unit}"


def lora_line(gain: dict | None) -> str | None:
    """The suite's "LoRA improvement over Base: +15.2% tok/s, +13.9 pts acceptance" line, from its
    lora_vs_base block (the client's console footer prints the same line)."""
    if not gain:
        return None
    return (f"LoRA improvement over Base: {_signed(gain.get('tokens_per_second_gain'), '%')} tok/s, "
            f"{_signed(gain.get('acceptance_difference'), ' pts')} acceptance")


def speedup_line(speedup_vs_target: dict) -> str | None:
    """The suite's "Speedup vs Target: Base=1.38x, LoRA=1.59x" line, from its speedup_vs_target block."""
    names = {"spec_base": "Base", "spec_lora": "LoRA"}
    parts = [f"{names.get(m, m)}={'n/a' if v is None else f'{v:.2f}x'}" for m, v in speedup_vs_target.items()]
    return "Speedup vs Target: " + ", ".join(parts) if parts else None


def speedup(result: ThreeModeResult, mode: str) -> float | None:
    """The file's speedup_vs_target, else the suite's own formula from its summary: avg tok/s of
    the mode / avg tok/s of target_only (the original suite's example: 71.8 / 45.2 = 1.588, its "LoRA=1.59x")."""
    written = speedups(result).get(mode)
    if written is not None:
        return written
    mine = result.summary[mode].avg_tokens_per_second
    target = result.summary.get("target_only")
    base = target and target.avg_tokens_per_second
    return mine / base if isinstance(mine, (int, float)) and isinstance(base, (int, float)) and base else None


def fill_row(row, result: ThreeModeResult) -> None:
    mode = headline(result)
    if mode is None:
        return
    s = result.summary[mode]
    row.method = f"{METHOD} ({mode})"
    pooled = pooled_acceptance(s, mode)
    row.draft_acceptance_rate = pooled.value
    row.notes += [pooled.note] if pooled.note else []
    if row.draft_acceptance_rate is None and s.avg_acceptance_rate is not None:
        row.draft_acceptance_rate = s.avg_acceptance_rate
        row.notes.append("acceptance rate = the file's avg_acceptance_rate (mean over prompts of accepted / "
                         "draft tokens; the file has no token counts to pool)")
    row.request_output_tps = s.avg_tokens_per_second
    row.mean_tps_speedup = speedup(result, mode)
    spans = speedup_intervals(result)
    if spans is not None:
        span = spans.get(mode)
        row.mean_tps_speedup_ci_low, row.mean_tps_speedup_ci_high = (span.ci_low, span.ci_high) if span else (None, None)
        row.notes.append(f"mean tok/s speedup {spanned(row.mean_tps_speedup, span, times)}")
    models = result.metadata.models or {}
    row.model = row.model or models.get("target_only") or models.get(mode)
    for other in ("spec_base",) if mode == "spec_lora" and "spec_base" in result.summary else ():
        o = result.summary[other]
        row.notes.append(f"{other}: acceptance {cell(pooled_acceptance(o, other).value)} pooled, "
                         f"{cell(o.avg_tokens_per_second)} tok/s, mean tok/s speedup "
                         f"{cell(speedup(result, other))}")
    row.notes += footer_lines(result) + [note for note in (overlap_note(result),) if note]


def speedup_intervals(result: ThreeModeResult) -> dict | None:
    """The file's comparison.speedup_vs_target_interval (None when the file has none)."""
    return result.comparison and result.comparison.speedup_vs_target_interval


def speedup_cells(result: ThreeModeResult) -> dict:
    """Each mode's speedup vs target_only, with its 95% interval when the file has intervals."""
    spans = speedup_intervals(result)
    if spans is None:
        return speedups(result)
    return {m: spanned(v, spans.get(m), times) for m, v in speedups(result).items()}


def gain_intervals(result: ThreeModeResult) -> dict:
    """The LoRA-over-Base gain and acceptance difference with their 95% intervals, when written."""
    g = result.comparison.lora_vs_base  # type: ignore[union-attr]  # lora_vs_base(result) was not None
    out = {}
    if g is not None and g.tokens_per_second_gain_interval is not None:
        out["tokens_per_second_gain (95% interval)"] = spanned(
            g.tokens_per_second_gain, g.tokens_per_second_gain_interval, lambda x: f"{100 * x:+.1f}%")
    if g is not None and g.acceptance_difference_interval is not None:
        out["acceptance_difference (95% interval)"] = spanned(
            g.acceptance_difference, g.acceptance_difference_interval, lambda x: f"{100 * x:+.1f} pts")
    return out


def overlap_note(result: ThreeModeResult) -> str | None:
    """What the benchmark prompts had to do with the adapter's training prompts, when the file says
    and it matters: kept training prompts (a warning), dropped ones, or an unknown overlap."""
    m = result.metadata
    if m.training_prompt_overlap is None:
        return f"overlap with the adapter's training prompts {m.training_prompts_source}" \
            if m.training_prompts_source else None
    kept = m.training_prompt_overlap - (m.training_prompts_dropped or 0)
    if kept > 0:
        return (f"warning: measured on {kept} training prompt(s) of the adapter (kept, --allow-train-overlap): "
                "the LoRA-over-Base gain may come from them")
    if m.training_prompt_overlap > 0:
        return (f"{m.training_prompt_overlap} benchmark prompt(s) found in the adapter's training data were "
                "dropped: measured on held-out prompts only")
    return None


def held_out_tables(result: ThreeModeResult) -> list[Table]:
    """The training-prompt overlap (with its note) and the warm-up per mode, when the file has them."""
    m, out = result.metadata, []
    if "training_prompt_overlap" in m.model_fields_set:
        overlap, dropped = m.training_prompt_overlap, m.training_prompts_dropped
        kept = None if overlap is None else overlap - (dropped or 0)
        out.append(pairs("Benchmark prompts in the adapter's training data",
                         {"found (training_prompt_overlap)": overlap, "dropped (training_prompts_dropped)": dropped,
                          "kept (measured on)": kept}, [overlap_note(result)]))
    if m.warmup_requests is not None:
        out.append(warmup_table(m.warmup_requests))
    return out


def footer_lines(result: ThreeModeResult) -> list[str]:
    return [line for line in (speedup_line(speedups(result)), lora_line(lora_vs_base(result))) if line]


def tables(result: ThreeModeResult) -> list[Table]:
    modes = [m for m in LABELS if m in result.summary] + sorted(set(result.summary) - set(LABELS))
    written = {m: result.summary[m].as_written() for m in modes}
    keys = list(dict.fromkeys(k for m in modes for k, v in written[m].items()
                              if not isinstance(v, (dict, list)) and k != "mode"))
    pooled = {m: pooled_acceptance(result.summary[m], m) for m in modes}
    value = lambda m, k: pooled[m].value if k == "pooled_acceptance_rate" else written[m].get(k)
    out = [Table("SpecLoRA Benchmark Summary (avg_ = mean over prompts; pooled = Σ accepted / Σ draft tokens)",
                 ["metric", *(LABELS.get(m, m) for m in modes)],
                 [[k, *(cell(value(m, k)) for m in modes)] for k in keys],
                 [p.note for p in pooled.values() if p.note]),
           pairs("Speedup vs target only (avg tok/s of the mode / avg tok/s of target_only)",
                 speedup_cells(result), [result.comparison and result.comparison.interval_method])]
    gain = lora_vs_base(result)
    if gain:
        out.append(pairs("LoRA over base (tokens_per_second_gain = ratio − 1; acceptance_difference in rate units)",
                         {**gain, **gain_intervals(result)}))
    out += held_out_tables(result)
    lines = footer_lines(result)
    if lines:
        out.append(Table("Footer", ["line"], [[line] for line in lines]))
    return out
