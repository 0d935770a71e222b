"""`speclens compare` row and `speclens report` tables of the seed-000 draft/verify client's JSON.

Derived from what the file holds (the seed's own file has only the five summary keys):
  draft efficiency = total_draft_accepted / total_draft_generated (pooled over draft tokens; the
      seed's "Overall Acceptance"), from the integer totals whether or not the file wrote it (a
      written summary.draft_efficiency that disagrees is noted: client_cells.recount);
  speculation rounds = summary.speculation_rounds, else Σ of the per-question `rounds` (ours) or
      `speculation_rounds` (the seed's) when every question has one;
  mean acceptance length = 1 + Σ accepted / Σ rounds (each round is one target verification,
      as a vLLM draft is; the last round of an answer may draft fewer than k);
  accuracy = correct / questions when every question has `correct` (a summary.accuracy that
      disagrees is noted), else summary.accuracy.
"""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, pairs, recount
from speclens.analyzers.acceptance.metrics import v1_mean_acceptance_length
from speclens.analyzers.render.tables import Table
from speclens.base.formulas import acceptance_rate
from speclens.parsers.client_results import DraftVerifyResult

METHOD = "client draft/verify"


def draft_efficiency(result: DraftVerifyResult) -> Recount:
    """Σ accepted / Σ drafted; e.g. the seed's example 4845 / 5733 = 0.8451."""
    s = result.summary
    return recount("summary.draft_efficiency", s.draft_efficiency, "total_draft_accepted / total_draft_generated",
                   s.total_draft_accepted, s.total_draft_generated, rate=acceptance_rate)


def _per_question_sum(result: DraftVerifyResult, *keys: str) -> int | None:
    values = [next((getattr(q, k) for k in keys if getattr(q, k) is not None), None) for q in result.results]
    if not values or None in values:
        return None
    return sum(values)


def speculation_rounds(result: DraftVerifyResult) -> int | None:
    if result.summary.speculation_rounds is not None:
        return result.summary.speculation_rounds
    return _per_question_sum(result, "rounds", "speculation_rounds")


def accuracy(result: DraftVerifyResult) -> Recount:
    """Correct questions / questions from the per-question marks when every question has one."""
    marks = [q.correct for q in result.results]
    if not marks or None in marks:
        return Recount(result.summary.accuracy)
    return recount("summary.accuracy", result.summary.accuracy, "correct questions / questions", sum(marks), len(marks))


def mean_acceptance_length(result: DraftVerifyResult) -> float | None:
    """1 + Σ accepted / Σ rounds; e.g. 1465 accepted in 348 rounds → 1 + 1465 / 348 = 5.210."""
    return v1_mean_acceptance_length(result.summary.total_draft_accepted, speculation_rounds(result))


def fill_row(row, result: DraftVerifyResult) -> None:
    """acceptance rate: pooled over draft tokens (as for server runs), not the per-question mean,
    which goes to the notes."""
    row.k, row.dataset = result.config.num_draft_tokens, result.config.dataset or None
    efficiency, acc = draft_efficiency(result), accuracy(result)
    row.draft_acceptance_rate, row.accuracy = efficiency.value, acc.value
    row.notes += [note for note in (efficiency.note, acc.note) if note]
    row.mean_acceptance_length = mean_acceptance_length(result)
    row.request_output_tps = result.summary.avg_speed  # mean per-question tok/s
    row.pooled_tps_speedup = result.speedup  # Σ tokens / Σ s with drafting ÷ the target alone's (not `speedup`)
    row.speculation_rounds = speculation_rounds(result)
    mean_q = "n/a" if result.summary.avg_acceptance_rate is None else f"{result.summary.avg_acceptance_rate:.3f}"
    row.notes.append(f"acceptance rate mean over questions {mean_q} (the acceptance rate column is pooled over "
                     "draft tokens)")


def tables(result: DraftVerifyResult) -> list[Table]:
    efficiency, acc, s = draft_efficiency(result), accuracy(result), result.summary
    out = [pairs("Summary (avg_ = mean over questions; draft_efficiency pooled over draft tokens)", {
        "avg_acceptance_rate": s.avg_acceptance_rate, "avg_speed": s.avg_speed,
        "total_tokens": s.total_tokens, "total_draft_generated": s.total_draft_generated,
        "total_draft_accepted": s.total_draft_accepted, "draft_efficiency": efficiency.value,
        "speculation_rounds": speculation_rounds(result), "mean_acceptance_length": mean_acceptance_length(result),
        "accuracy": acc.value, "speedup": result.speedup}, [efficiency.note, acc.note])]
    if s.acceptance_distribution:
        rows = [[b.label if b.label is not None else key, "n/a" if b.count is None else str(b.count),
                 _fraction(b.fraction)] for key, b in s.acceptance_distribution.items()]
        out.append(Table("Acceptance rate distribution (questions by their own acceptance rate)",
                         ["bucket", "questions", "fraction"], rows))
    e = result.expected_speedup
    if e is not None and e.model_dump(exclude_unset=True):  # an empty object: no table
        out.append(pairs(f"Speedup: measured vs the seed's formula {e.formula or ''}", {
            "measured speedup": result.speedup, "expected speedup": e.value, "acceptance": e.acceptance,
            "speed_draft tok/s": e.speed_draft, "speed_target tok/s": e.speed_target,
            "draft_speed_ratio": e.draft_speed_ratio, "the formula ignores": e.ignores}))
    return out


def _fraction(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
