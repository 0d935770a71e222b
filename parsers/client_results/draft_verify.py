"""The draft/verify GSM8K client's JSON (clients/draft_verify/, "client": "gsm8k_draft_verify"), and
the original tool's (`benchmark_gsm8k.py`, `gsm8k_benchmark_<timestamp>.json`, no "client").

The original file has `config` (draft_model, target_model, num_samples, max_tokens, temperature),
a five-key `summary` (avg_acceptance_rate, avg_speed, total_tokens, total_draft_generated,
total_draft_accepted) and `results`; ours adds the other config and summary keys, `definitions`,
`baseline`/`draft_alone` (with --baseline), `speedup`, `speedup_interval` and `expected_speedup`. What a file lacks
stays None; the analyzer (analyzers/client_results/draft_verify.py) derives what the integer totals
or the per-question results allow. Per-question records and the --baseline blocks:
draft_verify_items.py.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from speclens.parsers.client_results.base import ClientResultModel, Count, Interval, Number, Section
from speclens.parsers.client_results.draft_verify_items import AloneRun, DraftVerifyQuestion, ExpectedSpeedup


class DraftVerifyConfig(Section):
    """draft_model/target_model: what the servers load; *_served_model: the names requests use."""

    draft_model: str | None = None
    target_model: str | None = None
    num_samples: Count | None = None
    max_tokens: Count | None = None
    temperature: Number | None = None
    strategy: str | None = None
    strategy_from: str | None = None
    num_draft_tokens: Count | None = None  # k
    top_n: Count | None = None
    dataset: str | None = None
    question_order: str | None = None
    prompt_format: str | None = None
    seed: Count | None = None
    draft_url: str | None = None
    target_url: str | None = None
    draft_served_model: str | None = None
    target_served_model: str | None = None
    warmup_questions: Count | None = None  # untimed runs of a warm-up question through every timed path


class AcceptanceBucket(Section):
    """Questions whose own acceptance rate falls in the bucket; fraction over questions that drafted."""

    label: str | None = None
    count: Count | None = None
    fraction: Number | None = None


class DraftVerifySummary(Section):
    """avg_* = mean over questions (each weighs 1); draft_efficiency = Σ accepted / Σ drafted; the
    formulas of every key: the file's `definitions` (clients/draft_verify/metrics.DEFINITIONS)."""

    avg_acceptance_rate: Number | None = None
    avg_speed: Number | None = None
    total_tokens: Count
    total_draft_generated: Count
    total_draft_accepted: Count
    draft_efficiency: Number | None = None
    speculation_rounds: Count | None = None
    tokens_per_round: Number | None = None  # Σ tokens / Σ rounds (tokens kept in answers)
    mean_acceptance_length: Number | None = None  # 1 + Σ accepted / Σ rounds (as compare and vLLM count)
    pooled_speed: Number | None = None
    total_time: Number | None = None
    accuracy: Number | None = None
    outputs_differing_from_target_alone: Count | None = None  # --baseline at temperature 0; else null
    acceptance_distribution: dict[str, AcceptanceBucket] | None = None  # lt_50, 50_75, 75_90, 90_100, n_a


class SpeedupInterval(Interval):
    """95% interval of `speedup`, paired over questions (clients/draft_verify/speedup.speedup_interval);
    ci_low/ci_high null with the reason in `note` when there are too few questions."""


class DraftVerifyResult(ClientResultModel):
    client: Literal["gsm8k_draft_verify"] = "gsm8k_draft_verify"
    config: DraftVerifyConfig
    summary: DraftVerifySummary
    definitions: dict[str, str] | None = None
    results: list[DraftVerifyQuestion]
    baseline: AloneRun | None = None  # the target alone (--baseline)
    draft_alone: AloneRun | None = None  # the draft alone (--baseline)
    speedup: Number | None = None  # pooled tok/s with drafting / the target alone's
    speedup_interval: SpeedupInterval | None = None  # null without --baseline
    expected_speedup: ExpectedSpeedup | None = None
    SIGNATURE: ClassVar[frozenset[str] | None] = frozenset({"config", "summary", "results"})
