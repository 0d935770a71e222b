"""The per-problem, per-run records of the speculative-thinking JSON (a mode's `results`), typed.

The original benchmark's files carry `"results": {}`; ours key each problem by its index ("0", "1", ...). Every field
is optional (the reader never needed them) but typed when present."""

from __future__ import annotations

from speclens.parsers.client_results.base import Count, Flag, Number, Section


class CallCount(Section):
    """Large-model calls of one kind and the tokens they wrote."""

    calls: Count | None = None
    tokens: Count | None = None


class LargeCall(Section):
    """One large-model request: `position` = answer tokens before it (inserted words included)."""

    kind: str | None = None  # begin | cue | recap | verify
    position: Count | None = None
    tokens: Count | None = None
    kept: Flag | None = None
    large_text: str | None = None
    small_text: str | None = None  # the small lookahead it competed with (cue only)
    small_sentiment: Count | None = None
    large_sentiment: Count | None = None


class Run(Section):
    """One generation: latency in seconds, throughput = total_tokens / latency, large_model_ratio =
    large_tokens / total_tokens (null when undefined)."""

    run: Count | None = None
    finish: str | None = None
    timed_out: Flag | None = None
    latency: Number | None = None
    total_tokens: Count | None = None
    small_tokens: Count | None = None
    large_tokens: Count | None = None
    inserted_tokens: Count | None = None
    small_tokens_discarded: Count | None = None
    large_tokens_discarded: Count | None = None
    large_model_ratio: Number | None = None
    throughput: Number | None = None
    triggers: Count | None = None
    cues: Count | None = None
    large_calls_by_kind: dict[str, CallCount] | None = None
    large_calls: list[LargeCall] | None = None
    predicted_answer: str | None = None
    answer_source: str | None = None  # boxed | marker | null (no answer)
    correct: Flag | None = None
    text: str | None = None


class Problem(Section):
    question: str | None = None
    answer: str | None = None
    runs: list[Run] | None = None
