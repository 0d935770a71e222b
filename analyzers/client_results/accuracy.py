"""`speclens compare` row and `speclens report` tables of the GSM8K accuracy client's JSON.

accuracy = metrics.correct / metrics.total (the file's own counts); a metrics.accuracy that
disagrees with them is noted (client_cells.recount). Row: dataset = config.dataset, per-request
tok/s = metrics.avg_tokens_per_second (mean over questions of completion tokens / generation time),
mean_latency_s = metrics.avg_generation_time (mean over questions); the pooled tok/s (Σ tokens / Σ
generation time) is in the report's Performance table. The SDAR benchmark's own file has none of these: n/a.
Files of issue 22 on: the diffusion knobs' verdict (diffusion_knobs: applied yes / no / unknown, and
its evidence) in a table and the row's notes, and the warm-up requests in a table."""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, cell, pairs, recount, warmup_table
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_results import AccuracyResult
from speclens.parsers.client_results.accuracy import DiffusionKnobs

METHOD = "client accuracy"


def accuracy(result: AccuracyResult) -> Recount:
    m = result.metrics
    return recount("metrics.accuracy", m.accuracy, "correct / total", m.correct, m.total)


PERFORMANCE = {"avg_tokens_per_second": "mean over questions of completion tokens / generation time (tok/s)",
               "pooled_tokens_per_second": "Σ completion tokens / Σ generation time (tok/s)",
               "avg_generation_time": "mean generation time per question (s)",
               "total_generation_time": "Σ generation time (s)"}


def fill_row(row, result: AccuracyResult) -> None:
    acc, m = accuracy(result), result.metrics
    row.accuracy, row.dataset = acc.value, result.config.dataset or None
    row.request_output_tps, row.mean_latency_s = m.avg_tokens_per_second, m.avg_generation_time
    if acc.note:
        row.notes.append(acc.note)
    d = result.server_diffusion
    if d is not None:
        row.notes.append(f"diffusion (server /metrics delta): committed/step {cell(d.committed_per_step)}, "
                         f"steps/canvas {cell(d.steps_per_canvas)}, committed tokens {cell(d.committed_tokens)}")
    if result.diffusion_knobs is not None:
        row.notes.append(f"diffusion knobs {knobs_line(result.diffusion_knobs)}")


APPLIED = {True: "yes", False: "no", None: "unknown"}


def knobs_line(knobs: DiffusionKnobs) -> str:
    """E.g. `block_length 8, denoising_steps 3 requested; applied: no (not sent ...)`, from diffusion_knobs."""
    asked = ", ".join(f"{k} {v}" for k, v in (knobs.requested or {}).items()) or "none"
    return f"{asked} requested; applied: {APPLIED[knobs.applied]}" + (f" ({knobs.evidence})" if knobs.evidence else "")


def tables(result: AccuracyResult) -> list[Table]:
    acc = accuracy(result)
    m = result.metrics
    out = [pairs("Accuracy (correct / total)", {"accuracy": acc.value, "correct": m.correct, "total": m.total},
                 [acc.note])]
    written = {key: getattr(m, key) for key in PERFORMANCE}
    if any(v is not None for v in written.values()):
        out.append(Table("Performance (per question, one request each)", ["field", "value", "definition"],
                         [[key, cell(v), PERFORMANCE[key]] for key, v in written.items()]))
    if result.server_diffusion is not None:
        out.append(pairs("Diffusion counters of the run (server /metrics after − before)",
                         result.server_diffusion.model_dump(mode="json", exclude_unset=True)))
    k = result.diffusion_knobs
    if k is not None:
        out.append(pairs("Diffusion knobs (requested in config; applied judged from the server's vllm:diffusion_* "
                         "counters)", {**{f"requested {n}": v for n, v in (k.requested or {}).items()},
                                       "applied": APPLIED[k.applied], "evidence": k.evidence}))
    if result.config.warmup_requests is not None:
        out.append(warmup_table({"server": result.config.warmup_requests}))
    return out
