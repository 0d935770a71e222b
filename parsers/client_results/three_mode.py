"""The three-mode (target / spec base / spec LoRA) suite's JSON (clients/speclora/three_mode.py,
`speclens.clients.speclora benchmark-suite`): metadata, summary per mode, comparison, per_prompt.

Ours is written with "client": "three_mode" and "schema_version". The original tool's files (the
SpecLoRA benchmark script) have neither: they are recognised by their metadata + per_prompt keys,
have no `comparison`, no token counts (draft_tokens, accepted_tokens, pooled_acceptance_rate,
acceptance_source) and fewer metadata keys; every such key is optional here. Files of older speclens
versions may have no `comparison` (or null), or its former `acceptance_gain` key in lora_vs_base
(the view reads it as acceptance_difference). Formulas of every number:
clients/speclora/three_mode_report.py.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import PrivateAttr, model_validator

from speclens.parsers.client_results.base import ClientResultModel, Count, Flag, Interval, Number, Section


class FileOrder(Section):
    """A section that remembers the order of its keys in the file (`as_written()`), so a report of a
    hand-written or original-tool file lists them as the file does, not in declaration order."""

    _keys: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_order(cls, data: Any, handler: Any) -> Any:
        model = handler(data)
        if isinstance(data, dict):
            model._keys = list(data)
        return model

    def as_written(self) -> dict:
        dumped = self.model_dump(mode="json", exclude_unset=True)
        return {**{k: dumped[k] for k in self._keys if k in dumped}, **dumped}


class ThreeModeMetadata(FileOrder):
    """The run's settings; adapter_alias .. boot only from `speclora benchmark-suite`."""

    timestamp: str | None = None
    num_prompts: Count | None = None
    max_tokens: Count | None = None
    iterations: Count | None = None
    adapter_path: str | None = None
    seed: Count | None = None
    prompts_file: str | None = None
    skip_lora: Flag | None = None
    models: dict[str, str] | None = None
    urls: dict[str, str] | None = None
    adapter_alias: str | None = None
    merged_draft: str | None = None
    adapter_hash: str | None = None
    merged_weights_sha256: str | None = None
    lora_base_draft: str | None = None
    drafts: dict[str, str | None] | None = None
    boot: str | None = None
    warmup_requests: dict[str, Count | None] | None = None  # discarded requests per mode's server, before timing
    mode_order: str | None = None  # interleaved prompt by prompt, or one mode at a time (sequential boot)
    training_prompt_overlap: Count | None = None  # benchmark prompts found in the adapter's training data
    training_prompts_dropped: Count | None = None  # of those, dropped (0 with --allow-train-overlap)
    training_prompts_source: str | None = None  # where the training prompts were read
    prompt_selection: str | None = None  # how the benchmark prompts were chosen


class ModeSummary(FileOrder):
    """One mode over all prompts (avg_ = unweighted mean over prompts; pooled = Σ accepted / Σ drafted)."""

    mode: str | None = None
    avg_tokens_per_second: Number | None = None
    avg_time_to_last_token: Number | None = None
    avg_acceptance_rate: Number | None = None
    pooled_acceptance_rate: Number | None = None
    total_tokens: Number | None = None  # Σ over prompts of the per-prompt (per-request mean) counts
    num_prompts: Count | None = None
    min_tokens_per_second: Number | None = None
    max_tokens_per_second: Number | None = None
    draft_tokens: Number | None = None
    accepted_tokens: Number | None = None
    acceptance_source: str | None = None


class LoraVsBase(Section):
    tokens_per_second_gain: Number | None = None  # avg tok/s (lora) / avg tok/s (base) − 1
    acceptance_difference: Number | None = None  # avg_acceptance_rate (lora) − (base), rate units
    acceptance_gain: Number | None = None  # the former name of acceptance_difference (older files)
    tokens_per_second_gain_interval: Interval | None = None
    acceptance_difference_interval: Interval | None = None


class Comparison(Section):
    speedup_vs_target: dict[str, Number | None] | None = None
    speedup_vs_target_interval: dict[str, Interval] | None = None
    lora_vs_base: LoraVsBase | None = None
    interval_method: str | None = None


class PromptMode(Section):
    """One prompt in one mode: one request's worth, means over its `iterations` requests (files of
    speclens before issue 22 summed the counts over iterations)."""

    tokens_per_second: Number | None = None
    time_to_last_token: Number | None = None
    acceptance_rate: Number | None = None
    total_tokens: Number | None = None
    draft_tokens: Number | None = None
    accepted_tokens: Number | None = None
    acceptance_source: str | None = None


class PromptRow(Section):
    prompt: str | None = None
    full_prompt: str | None = None
    target_only: PromptMode | None = None
    spec_base: PromptMode | None = None
    spec_lora: PromptMode | None = None


class ThreeModeResult(ClientResultModel):
    client: Literal["three_mode"] = "three_mode"
    metadata: ThreeModeMetadata
    summary: dict[str, ModeSummary]
    comparison: Comparison | None = None
    per_prompt: list[PromptRow]
    SIGNATURE: ClassVar[frozenset[str] | None] = frozenset({"metadata", "per_prompt"})  # the original tool's files

    def configuration(self) -> dict:
        """The run's metadata as written (this kind's configuration)."""
        return self.metadata.as_written()
