"""The GSM8K accuracy client's JSON (clients/accuracy/), "client": "gsm8k_accuracy".

The SDAR benchmark's own files (its README's example, tests/data/seed003_example.json) have no
"client" and only part of ours: config's seven diffusion knobs, metrics' accuracy/correct/total/
percentage, rows without token counts, no server_diffusion. They are recognised by their top-level
keys (SIGNATURE) and read as leniently as before: only metrics.correct and metrics.total are required,
every other field is optional, but typed when present."""

from __future__ import annotations

from typing import Literal

from speclens.parsers.client_results.base import ClientResultModel, Count, Flag, Number, Section


class AccuracyConfig(Section):
    model_name: str | None = None
    block_length: Count | None = None
    denoising_steps: Count | None = None
    temperature: Number | None = None
    remasking_strategy: str | None = None
    confidence_threshold: Number | None = None
    max_gen_length: Count | None = None
    url: str | None = None  # from here on: ours only
    dataset: str | None = None
    num_samples: Count | None = None
    sample_seed: Count | None = None
    seed: Count | None = None
    output_file: str | None = None
    request_vllm_xargs: dict[str, Count] | None = None
    not_sent: dict[str, str] | None = None
    warmup_requests: Count | None = None  # discarded requests sent before the "before" scrape and the first question


class AccuracyMetrics(Section):
    """accuracy = correct / total as written (rounded to 4 places; None when total is 0)."""

    accuracy: Number | None = None
    correct: Count
    total: Count
    percentage: str | None = None
    avg_tokens_per_second: Number | None = None  # from here on: ours only
    pooled_tokens_per_second: Number | None = None
    avg_generation_time: Number | None = None
    total_generation_time: Number | None = None


class ServerDenoising(Section):
    """One reply's own denoising numbers (vLLM's metrics.speculative_decoding of a diffusion model)."""

    denoising_steps: Count | None = None
    canvas_positions: Count | None = None
    committed_tokens: Count | None = None
    per_step_committed: list[Count] | None = None


class AccuracyQuestion(Section):
    """One question (a `results` row); token counts are null when the server reports no usage."""

    idx: Count | None = None
    question: str | None = None
    ground_truth: str | None = None
    ground_truth_answer: str | None = None
    generated_text: str | None = None
    predicted_answer: str | None = None
    correct: Flag | None = None
    generation_time: Number | None = None
    prompt_tokens: Count | None = None
    completion_tokens: Count | None = None
    tokens_per_second: Number | None = None
    server_denoising: ServerDenoising | None = None


class ServerDiffusion(Section):
    """The run's vllm:diffusion_* counter deltas (after − before, summed over engines) and their pooled
    rates: committed_per_step = committed_tokens / denoising_steps, steps_per_canvas = canvas_positions /
    committed_tokens (None when the divisor is 0); `restarted` names counters that went down."""

    source: str | None = None
    committed_tokens: Count | None = None
    denoising_steps: Count | None = None
    canvas_positions: Count | None = None
    committed_per_step: Number | None = None
    steps_per_canvas: Number | None = None
    restarted: list[str] | None = None


class DiffusionKnobs(Section):
    """Whether --block-length/--denoising-steps had an effect, judged from the server's vllm:diffusion_*
    counters (config's block_length and denoising_steps are what was requested): applied true = sent and
    the counters moved; false = not sent, or no counter moved (none exported, or deltas 0); null = /metrics
    could not be read. `evidence` says which, in words."""

    requested: dict[str, Count] | None = None
    applied: Flag | None = None
    evidence: str | None = None


class AccuracyResult(ClientResultModel):
    client: Literal["gsm8k_accuracy"] = "gsm8k_accuracy"
    config: AccuracyConfig
    metrics: AccuracyMetrics
    results: list[AccuracyQuestion]
    server_diffusion: ServerDiffusion | None = None  # null: the server had no diffusion counters
    server_diffusion_unavailable: str | None = None  # why server_diffusion is null
    diffusion_knobs: DiffusionKnobs | None = None  # absent in files written before issue 22
    SIGNATURE = frozenset({"config", "metrics", "results"})
