"""`speclens compare` row and `speclens report` tables of OPT draft/verify client's JSON (and benchmark_gsm8k.py's own).

Derived from what the file holds (benchmark_gsm8k.py's own file has only the five summary keys):
  draft efficiency = total_draft_accepted / total_draft_generated (pooled over draft tokens; the
      benchmark_gsm8k.py's "Overall Acceptance"), from the integer totals whether or not the file wrote it (a
      written summary.draft_efficiency that disagrees is noted: client_cells.recount);
  speculation rounds = summary.speculation_rounds, else Σ of the per-question `rounds` (ours) or
      `speculation_rounds` (benchmark_gsm8k.py's) when every question has one;
  mean acceptance length = 1 + Σ accepted / Σ rounds (each round is one target verification,
      as a vLLM draft is; the last round of an answer may draft fewer than k);
  accuracy = correct / questions when every question has `correct` (a summary.accuracy that
      disagrees is noted), else summary.accuracy.
Fields of issue 22, shown only when the file has them (`measured`): the speedup with its 95%
interval (paired over questions), tokens per round, Σ target tokens, the answers differing from the
target alone (a near-tie note naming the questions), the warm-up questions (config.warmup_questions).
"""

from __future__ import annotations

from speclens.analyzers.client_results.cells import Recount, pairs, recount, spanned, times, warmup_table
from speclens.analyzers.acceptance.metrics import v1_mean_acceptance_length
from speclens.analyzers.render.tables import Table
from speclens.base.formulas import acceptance_rate
from speclens.parsers.client_results import DraftVerifyResult

METHOD = "client draft/verify"


def draft_efficiency(result: DraftVerifyResult) -> Recount:
    """Σ accepted / Σ drafted; e.g. benchmark_gsm8k.py's example 4845 / 5733 = 0.8451."""
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
    ci = result.speedup_interval
    if ci is not None:
        row.pooled_tps_speedup_ci_low, row.pooled_tps_speedup_ci_high = ci.ci_low, ci.ci_high
    if "speedup_interval" in result.model_fields_set:
        row.notes.append(f"pooled tok/s speedup {speedup_cell(result)}")
    row.notes += [note for note in (near_ties(result),) if note]
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
        "accuracy": acc.value, "speedup": result.speedup, **measured(result)},
        [efficiency.note, acc.note, near_ties(result), _interval_formula(result)])]
    if s.acceptance_distribution:
        rows = [[b.label if b.label is not None else key, "n/a" if b.count is None else str(b.count),
                 _fraction(b.fraction)] for key, b in s.acceptance_distribution.items()]
        out.append(Table("Acceptance rate distribution (questions by their own acceptance rate)",
                         ["bucket", "questions", "fraction"], rows))
    e = result.expected_speedup
    if e is not None and e.model_dump(exclude_unset=True):  # an empty object: no table
        out.append(pairs(f"Speedup: measured vs benchmark_gsm8k.py's expected-speedup formula {e.formula or ''}", {
            "measured speedup": result.speedup, "expected speedup": e.value, "acceptance": e.acceptance,
            "speed_draft tok/s": e.speed_draft, "speed_target tok/s": e.speed_target,
            "draft_speed_ratio": e.draft_speed_ratio, "the formula ignores": e.ignores}))
    n = result.config.warmup_questions
    if n is not None:
        out.append(warmup_table({"draft and target, every timed path (with drafting, each alone)": n},
                                "warm-up questions"))
    return out


def speedup_cell(result: DraftVerifyResult) -> str:
    """The measured speedup with its 95% interval, e.g. `1.50x [0.51x, 4.40x], paired over 3 prompts`."""
    if result.speedup_interval is None:
        return "n/a, no 95% interval (no target-alone run: --baseline)"
    return spanned(result.speedup, result.speedup_interval, times)


def measured(result: DraftVerifyResult) -> dict:
    """The summary rows of issue 22's fields, each only when the file has it (an older file's table
    is as before): tokens per round, the target's tokens kept (Σ over questions, so total_tokens =
    total_draft_accepted + this), answers differing from the target alone, the speedup's interval."""
    s, out = result.summary, {}
    if "tokens_per_round" in s.model_fields_set:
        out["tokens_per_round"] = s.tokens_per_round
    target = [q.target_tokens for q in result.results]
    if target and None not in target:
        out["target_tokens (Σ over questions)"] = sum(target)  # type: ignore[arg-type]
    if "outputs_differing_from_target_alone" in s.model_fields_set:
        out["outputs_differing_from_target_alone"] = s.outputs_differing_from_target_alone
    if "speedup_interval" in result.model_fields_set:
        out["speedup (95% interval)"] = speedup_cell(result)
    return out


def near_ties(result: DraftVerifyResult) -> str | None:
    """A note when answers at temperature 0 differ from the target alone's (None when none do)."""
    n = result.summary.outputs_differing_from_target_alone
    if not n:
        return None
    which = [str(i) for i, q in enumerate(result.results, 1) if q.matches_target_alone is False]
    return (f"near-ties: {n} of {len(result.results)} answers differ from the target alone's at temperature 0"
            + (f" (questions {', '.join(which)})" if which else "") + "; greedy draft/verify reproduces the "
            "target's text unless two of its top tokens nearly tie and the verify pass picks the other")


def _interval_formula(result: DraftVerifyResult) -> str | None:
    ci = result.speedup_interval
    return None if ci is None or not ci.formula else f"speedup 95% interval: {ci.formula}"


def _fraction(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
