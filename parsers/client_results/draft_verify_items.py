"""The per-question records and the --baseline blocks of the draft/verify client's JSON
(parsers/client_results/draft_verify.py holds the document).

A question of our client (clients/draft_verify/metrics.ItemResult.to_json) has every key from
`question` to `tokens_per_second`; the original tool (`benchmark_gsm8k.py`) writes its own records,
of which speclens reads `question_num` and `speculation_rounds` (its name for `rounds`). Every key is
optional, so either shape reads; a key that is present has its type.
"""

from __future__ import annotations

from speclens.parsers.client_results.base import Count, Flag, Number, Section


class DraftVerifyQuestion(Section):
    """One question: tokens in the answer, draft tokens proposed/accepted, draft→verify rounds, wall
    seconds (and of them waiting for the draft/target server; null for a model alone)."""

    question: str | None = None
    ground_truth: str | None = None
    generated_text: str | None = None
    predicted_answer: str | None = None
    correct: Flag | None = None
    tokens: Count | None = None
    draft_generated: Count | None = None
    draft_accepted: Count | None = None
    rounds: Count | None = None
    time: Number | None = None
    draft_seconds: Number | None = None
    verify_seconds: Number | None = None
    target_tokens: Count | None = None  # the target's tokens kept: tokens = draft_accepted + target_tokens
    matches_target_alone: Flag | None = None  # the answer equals the target alone's (--baseline, T = 0)
    acceptance_rate: Number | None = None  # draft_accepted / draft_generated
    tokens_per_second: Number | None = None  # tokens / time
    question_num: Count | None = None  # the original tool's
    speculation_rounds: Count | None = None  # the original tool's name for rounds


class AloneSummary(Section):
    """A model generating whole answers alone (clients/draft_verify/metrics.alone_summary)."""

    avg_speed: Number | None = None
    pooled_speed: Number | None = None
    total_tokens: Count | None = None
    total_time: Number | None = None
    accuracy: Number | None = None


class AloneRun(Section):
    """`baseline` (the target alone) or `draft_alone`, written only with --baseline."""

    summary: AloneSummary
    results: list[DraftVerifyQuestion]


class ExpectedSpeedup(Section):
    """The original document's formula 1 + acceptance × draft_speed_ratio, its inputs and value
    (clients/draft_verify/speedup.speedup_block); speeds and value null without --baseline."""

    formula: str | None = None
    acceptance: Number | None = None
    acceptance_is: str | None = None
    speed_draft: Number | None = None
    speed_target: Number | None = None
    speeds_are: str | None = None
    draft_speed_ratio: Number | None = None
    value: Number | None = None
    ignores: str | None = None
