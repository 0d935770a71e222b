"""Per-question records and the summary of the GSM8K draft/verify client.

Every summary number states its formula and weighting below. "Per-item average" means the
unweighted mean over questions of a per-question ratio (questions where the ratio is undefined
are left out); "pooled" means a ratio of totals over all questions (long answers weigh more).
Undefined values are None (null in JSON), never 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from speclens.base.formulas import acceptance_rate
from speclens.clients.common.stats import mean, ratio, rounded

# the seed's buckets of a question's own acceptance rate r: [low, high), the last one closed at 100%
BUCKETS = (("lt_50", "Low (<50%)", 0.0, 0.5), ("50_75", "Medium (50-75%)", 0.5, 0.75),
           ("75_90", "High (75-90%)", 0.75, 0.9), ("90_100", "Very High (90-100%)", 0.9, 1.0000001))


@dataclass
class ItemResult:
    """One question. `tokens` = tokens in the final answer (accepted draft tokens + one target
    token per round; a stop token counts); `draft_generated`/`draft_accepted` = draft tokens
    proposed/accepted; `rounds` = draft→verify cycles; `time` = wall seconds for the question;
    `draft_seconds`/`verify_seconds` = of which waiting for the draft/target server (None for the
    target-alone baseline)."""

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
    """Pooled: Σ tokens / Σ rounds: mean tokens emitted per target verification (≤ k + 1)."""
    return ratio(sum(i.tokens for i in items), sum(i.rounds for i in items))


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
    "total_tokens": "Σ tokens in the answers (accepted draft tokens + one target token per round)",
    "total_draft_generated": "Σ draft tokens proposed", "total_draft_accepted": "Σ draft tokens accepted",
    "draft_efficiency": "Σ draft_accepted / Σ draft_generated (pooled over draft tokens); console: Overall Acceptance",
    "speculation_rounds": "Σ draft→verify rounds (one target verification each); console: Total Speculation Rounds",
    "tokens_per_round": "Σ tokens / Σ rounds (pooled over rounds)",
    "pooled_speed": "Σ tokens / Σ time (tokens/s over the whole run, questions one after another)",
    "total_time": "Σ time (seconds)",
    "accuracy": "correct questions / questions",
    "acceptance_distribution": "questions per bucket of their own acceptance rate r: Low r < 0.5, Medium "
                               "0.5 ≤ r < 0.75, High 0.75 ≤ r < 0.9, Very High r ≥ 0.9; fraction over questions "
                               "that drafted",
    "time": "wall seconds per question, from its tokenize request to its detokenize answer",
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
        "pooled_speed": rounded(pooled_speed(items), 3),
        "total_time": round(sum(i.time for i in items), 4),
        "accuracy": rounded(accuracy(items)),
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
