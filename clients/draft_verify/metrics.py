"""Per-question records and the summary of the GSM8K draft/verify client.

Every summary number states its formula and weighting below. "Per-item average" means the
unweighted mean over questions of a per-question ratio (questions where the ratio is undefined
are left out); "pooled" means a ratio of totals over all questions (long answers weigh more).
Undefined values are None (null in JSON), never 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from speclens.base.formulas import acceptance_rate
from speclens.base.formulas import mean_acceptance_length as _mal
from speclens.clients.common.stats import mean, ratio, rounded

# benchmark_gsm8k.py's buckets of a question's own acceptance rate r: [low, high), the last one closed at 100%
BUCKETS = (("lt_50", "Low (<50%)", 0.0, 0.5), ("50_75", "Medium (50-75%)", 0.5, 0.75),
           ("75_90", "High (75-90%)", 0.75, 0.9), ("90_100", "Very High (90-100%)", 0.9, 1.0000001))


@dataclass
class ItemResult:
    """One question. `tokens` = tokens in the final answer (a stop token counts) = draft_accepted +
    target_tokens; `target_tokens` = the target's own tokens kept: one per round, except that a round
    whose accepted draft ends with the stop token keeps none (the answer ended inside the draft; the
    token the target computed after it is dropped), so target_tokens = rounds − 1 for an answer that
    ended on an accepted draft stop token, else rounds; `draft_generated`/`draft_accepted` = draft
    tokens proposed (up to the first stop token)/accepted; `rounds` = draft→verify cycles; `time` =
    wall seconds for the question; `draft_seconds`/`verify_seconds` = of which waiting for the
    draft/target server; `matches_target_alone` = the answer text equals the target alone's for the
    same question (--baseline at temperature 0; None otherwise). The last three and target_tokens
    are None for the runs of a model alone."""

    question: str
    ground_truth: str | None
    generated_text: str
    predicted_answer: str | None
    correct: bool
    tokens: int
    draft_generated: int
    draft_accepted: int
    rounds: int
    time: float
    draft_seconds: float | None = None
    verify_seconds: float | None = None
    target_tokens: int | None = None
    matches_target_alone: bool | None = None

    @property
    def acceptance_rate(self) -> float | None:
        """draft_accepted / draft_generated for this question; None when nothing was drafted."""
        return acceptance_rate(self.draft_accepted, self.draft_generated)

    @property
    def tokens_per_second(self) -> float | None:
        """tokens / time for this question; None when time is 0."""
        return ratio(self.tokens, self.time)

    def to_json(self) -> dict:
        out = asdict(self)
        out["acceptance_rate"] = rounded(self.acceptance_rate)
        out["tokens_per_second"] = rounded(self.tokens_per_second, 3)
        out["time"] = round(self.time, 4)
        return out


def avg_acceptance_rate(items: list[ItemResult]) -> float | None:
    """Per-item average: mean over questions of draft_accepted / draft_generated (questions that
    drafted nothing are left out). E.g. 3/4 and 1/2 → (0.75 + 0.5) / 2 = 0.625."""
    return mean([i.acceptance_rate for i in items])


def draft_efficiency(items: list[ItemResult]) -> float | None:
    """Pooled: Σ draft_accepted / Σ draft_generated. E.g. 3/4 and 1/2 → 4/6 = 0.667."""
    return acceptance_rate(sum(i.draft_accepted for i in items), sum(i.draft_generated for i in items))


def avg_speed(items: list[ItemResult]) -> float | None:
    """Per-item average: mean over questions of tokens / time (tokens per second)."""
    return mean([i.tokens_per_second for i in items])


def pooled_speed(items: list[ItemResult]) -> float | None:
    """Pooled: Σ tokens / Σ time (tokens per second over the whole run, questions in sequence)."""
    return ratio(sum(i.tokens for i in items), sum(i.time for i in items))


def tokens_per_round(items: list[ItemResult]) -> float | None:
    """Pooled: Σ tokens / Σ rounds: answer tokens kept per target verification (≤ k + 1)."""
    return ratio(sum(i.tokens for i in items), sum(i.rounds for i in items))


def mean_acceptance_length(items: list[ItemResult]) -> float | None:
    """Pooled: 1 + Σ draft_accepted / Σ rounds (base.formulas, as `speclens compare` and vLLM count):
    the accepted prefix plus one target token per round, that token counted also in a last round
    whose accepted stop token ended the answer. tokens_per_round counts only the tokens kept, so it
    is lower by (answers that ended on an accepted draft stop token) / Σ rounds. E.g. 6 accepted in
    2 rounds, a 7-token answer that ended on the draft's stop token: 1 + 6/2 = 4.0 vs 7/2 = 3.5."""
    return _mal(sum(i.draft_accepted for i in items), sum(i.rounds for i in items))


def mark_matches(items: list[ItemResult], target_alone: list[ItemResult], temperature: float) -> None:
    """matches_target_alone per question (the same questions in the same order): at temperature 0 the
    draft/verify answer should be the target's greedy answer, text for text; above 0 it is None."""
    for item, alone in zip(items, target_alone, strict=True):
        item.matches_target_alone = item.generated_text == alone.generated_text if temperature <= 0 else None


def outputs_differing(items: list[ItemResult]) -> int | None:
    """Questions whose answer differs from the target alone's; None when none was compared."""
    marks = [i.matches_target_alone for i in items if i.matches_target_alone is not None]
    return sum(1 for m in marks if not m) if marks else None


def accuracy(items: list[ItemResult]) -> float | None:
    """Pooled: correct questions / questions (each question weighs 1)."""
    return ratio(sum(i.correct for i in items), len(items))


def acceptance_distribution(items: list[ItemResult]) -> dict[str, dict]:
    """Questions per bucket of their own acceptance rate r: Low (<50%) r < 0.5, Medium (50-75%)
    0.5 ≤ r < 0.75, High (75-90%) 0.75 ≤ r < 0.9, Very High (90-100%) r ≥ 0.9 (100% included);
    `n_a` counts questions that drafted nothing. `fraction` = count / questions with a defined
    rate (None when there are none)."""
    rates = [i.acceptance_rate for i in items]
    defined = [r for r in rates if r is not None]
    out: dict[str, dict] = {}
    for key, label, low, high in BUCKETS:
        count = sum(1 for r in defined if low <= r < high)
        out[key] = {"label": label, "count": count, "fraction": rounded(ratio(count, len(defined)))}
    out["n_a"] = {"label": "no drafts", "count": len(rates) - len(defined), "fraction": None}
    return out


DEFINITIONS = {
    "avg_acceptance_rate": "mean over questions of draft_accepted / draft_generated (each question weighs 1; "
                           "questions that drafted nothing are left out); console: Average Acceptance Rate",
    "avg_speed": "mean over questions of tokens / time (tokens/s per question, each question weighs 1); "
                 "console: Average Speed",
    "total_tokens": "Σ tokens in the answers; per question tokens = draft_accepted + target_tokens, where "
                    "target_tokens = rounds, or rounds − 1 when the answer ended on an accepted draft stop token "
                    "(the target's token after it is dropped)",
    "total_draft_generated": "Σ draft tokens proposed", "total_draft_accepted": "Σ draft tokens accepted",
    "draft_efficiency": "Σ draft_accepted / Σ draft_generated (pooled over draft tokens); console: Overall Acceptance",
    "speculation_rounds": "Σ draft→verify rounds (one target verification each); console: Total Speculation Rounds",
    "tokens_per_round": "Σ tokens / Σ rounds (answer tokens kept per round, pooled over rounds); console: "
                        "tokens/round",
    "mean_acceptance_length": "1 + Σ draft_accepted / Σ rounds (as speclens compare and vLLM count it: one target "
                              "token per round, also in a last round that ended on an accepted draft stop token, so "
                              "it exceeds tokens_per_round by those answers / Σ rounds)",
    "pooled_speed": "Σ tokens / Σ time (tokens/s over the whole run, questions one after another)",
    "total_time": "Σ time (seconds)",
    "accuracy": "correct questions / questions",
    "outputs_differing_from_target_alone": "questions whose answer text differs from the target alone's (--baseline "
                                           "at temperature 0, where they should be identical: a near-tie in the "
                                           "target's logits, or a bug); null when not compared",
    "acceptance_distribution": "questions per bucket of their own acceptance rate r: Low r < 0.5, Medium "
                               "0.5 ≤ r < 0.75, High 0.75 ≤ r < 0.9, Very High r ≥ 0.9; fraction over questions "
                               "that drafted",
    "time": "wall seconds per question, from its tokenize request to its detokenize answer",
    "target_tokens": "per question: the target's own tokens kept in the answer (rounds, or rounds − 1 when it ended "
                     "on an accepted draft stop token); tokens = draft_accepted + target_tokens",
    "matches_target_alone": "per question: the answer text equals the target alone's (--baseline, temperature 0); "
                            "null otherwise",
    "speedup_interval": "95% interval of speedup over questions, paired (the same questions on both sides): "
                        "request-to-request variation on one warm server pair, not run-to-run drift",
}


def summarize(items: list[ItemResult]) -> dict:
    """The `summary` object: the five keys users know first, then the rest (see DEFINITIONS)."""
    return {
        "avg_acceptance_rate": rounded(avg_acceptance_rate(items)),
        "avg_speed": rounded(avg_speed(items), 3),
        "total_tokens": sum(i.tokens for i in items),
        "total_draft_generated": sum(i.draft_generated for i in items),
        "total_draft_accepted": sum(i.draft_accepted for i in items),
        "draft_efficiency": rounded(draft_efficiency(items)),
        "speculation_rounds": sum(i.rounds for i in items),
        "tokens_per_round": rounded(tokens_per_round(items)),
        "mean_acceptance_length": rounded(mean_acceptance_length(items)),
        "pooled_speed": rounded(pooled_speed(items), 3),
        "total_time": round(sum(i.time for i in items), 4),
        "accuracy": rounded(accuracy(items)),
        "outputs_differing_from_target_alone": outputs_differing(items),
        "acceptance_distribution": acceptance_distribution(items),
    }


def alone_summary(items: list[ItemResult]) -> dict:
    """The summary of a model generating whole answers alone (the --baseline runs)."""
    return {"avg_speed": rounded(avg_speed(items), 3), "pooled_speed": rounded(pooled_speed(items), 3),
            "total_tokens": sum(i.tokens for i in items), "total_time": round(sum(i.time for i in items), 4),
            "accuracy": rounded(accuracy(items))}


def speedup(spec_items: list[ItemResult], baseline_items: list[ItemResult]) -> float | None:
    """Pooled throughput ratio: (Σ tokens / Σ time) with drafting ÷ the same for the target
    alone over the same questions. None when either is undefined or the baseline is 0."""
    return ratio(pooled_speed(spec_items), pooled_speed(baseline_items))
