"""The losslessness client's JSON (clients/losslessness/): greedy output of a reference server and
a candidate (speculating) server, token for token. Always written with "client": "losslessness"."""

from __future__ import annotations

from typing import Literal

from speclens.parsers.client_results.base import ClientResultModel, Count, Flag, Number, Section


class LosslessnessConfig(Section):
    reference_url: str | None = None
    candidate_url: str | None = None
    reference_model: str | None = None
    candidate_model: str | None = None
    num_samples: Count | None = None
    max_tokens: Count | None = None
    temperature: Number | None = None
    dataset: str | None = None
    seed: Count | None = None


class LosslessnessSummary(Section):
    """identity_rate = identical / prompts (each prompt weighs 1); token_agreement = Σ common-prefix
    tokens / Σ max(len_ref, len_cand); accuracy_* = correct / prompts with a known answer."""

    prompts: Count | None = None  # absent in older files
    identical: Count | None = None
    identity_rate: Number | None = None
    token_agreement: Number | None = None
    reference_accuracy: Number | None = None
    candidate_accuracy: Number | None = None
    accuracy_equal: Flag
    lossless: Flag


class LosslessnessPrompt(Section):
    """One prompt; the divergence keys are present only when the two outputs differ."""

    question: str
    ground_truth: str | None = None
    identical: Flag
    first_divergence: Count | None = None
    common_prefix: Count
    reference_tokens: Count
    candidate_tokens: Count
    reference_text: str
    candidate_text: str
    reference_answer: str | None = None
    reference_correct: Flag | None = None
    candidate_answer: str | None = None
    candidate_correct: Flag | None = None
    divergence_context: str | None = None
    reference_next: str | None = None
    candidate_next: str | None = None


class LosslessnessResult(ClientResultModel):
    client: Literal["losslessness"] = "losslessness"
    config: LosslessnessConfig
    summary: LosslessnessSummary
    results: list[LosslessnessPrompt]
