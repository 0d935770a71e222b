"""The speculative-thinking benchmark's JSON (clients/spec_thinking/), "client": "spec_thinking": per
mode (large_model = the large model alone, speculative_thinking) its runs, statistics and accuracy,
and the comparison. A mode that did not run is null.

The original benchmark's own `speedup_benchmark_TIMESTAMP.json` (tests/data/seed001_example.json) has no "client",
a config of four keys and modes of `{"results": {}, "statistics": {}}`; it is recognised by either
mode key (`looks_like`, as lenient as the reader always was) and read with every field optional but
typed: only config, comparison and a present mode's statistics are required."""

from __future__ import annotations

from typing import Literal

from speclens.parsers.client_results.base import ClientResultModel, Count, Interval, Number, Section
from speclens.parsers.client_results.spec_thinking_runs import CallCount, Problem

MODES = ("large_model", "speculative_thinking")


class SpecThinkingConfig(Section):
    num_problems: Count | None = None
    num_runs: Count | None = None
    target_model: str | None = None
    speculative_model: str | None = None
    test_mode: str | None = None  # from here on: ours only
    temperature: Number | None = None
    top_p: Number | None = None
    top_k: Count | None = None
    max_tokens: Count | None = None
    seed: Count | None = None
    config_path: str | None = None
    aime_config: str | None = None
    dataset_path: str | None = None
    dataset_split: str | None = None
    template: str | None = None
    small_url: str | None = None
    large_url: str | None = None
    speculative_config: dict | None = None  # the --config YAML as loaded (clients/spec_thinking/config.py)
    warmup_requests: dict[str, Count] | None = None  # per server ("large", "small" when used): discarded requests


class Described(Section):
    """describe() of the completed runs' values: n, mean, median, std (population), min, max."""

    n: Count | None = None
    mean: Number | None = None
    median: Number | None = None
    std: Number | None = None
    min: Number | None = None
    max: Number | None = None


class ModeStatistics(Section):
    latency: Described | None = None
    throughput: Described | None = None
    total_tokens: Described | None = None
    large_model_ratio: Described | None = None
    large_tokens: Described | None = None
    large_model_ratio_pooled: Number | None = None  # Σ large_tokens / Σ total_tokens


class ModeAccuracy(Section):
    """accuracy = correct / runs (timed-out runs and runs without an answer count as wrong)."""

    correct: Count | None = None
    runs: Count | None = None
    accuracy: Number | None = None
    timed_out: Count | None = None
    no_answer: Count | None = None


class LargeModelCalls(Section):
    """Sums over the speculative mode's runs."""

    triggers: Count | None = None
    cues: Count | None = None
    small_tokens_discarded: Count | None = None
    begin: CallCount | None = None
    cue: CallCount | None = None
    recap: CallCount | None = None
    verify: CallCount | None = None


class Mode(Section):
    results: dict[str, Problem] | None = None
    statistics: ModeStatistics
    accuracy: ModeAccuracy | None = None
    large_model_calls: LargeModelCalls | None = None  # speculative_thinking only

    def mean(self, key: str) -> float | None:
        """statistics.<key>.mean (None when absent)."""
        described = getattr(self.statistics, key)
        return None if described is None else described.mean


class Comparison(Section):
    """speedup = mean latency large / spec; throughput_improvement = mean throughput spec / large;
    large_model_reduction = 1 − spec's mean large_model_ratio; accuracy_<mode> = that mode's accuracy."""

    speedup: Number | None = None
    throughput_improvement: Number | None = None
    large_model_reduction: Number | None = None
    accuracy_large_model: Number | None = None
    accuracy_speculative_thinking: Number | None = None
    # 95% intervals over runs (clients/spec_thinking/intervals.py); absent in older files
    speedup_interval: Interval | None = None
    throughput_improvement_interval: Interval | None = None


class SpecThinkingResult(ClientResultModel):
    client: Literal["spec_thinking"] = "spec_thinking"
    timestamp: str | None = None  # the run's start (local time), as in the default file name
    config: SpecThinkingConfig
    large_model: Mode | None = None
    speculative_thinking: Mode | None = None
    comparison: Comparison

    @classmethod
    def looks_like(cls, keys: set[str]) -> bool:
        return bool(set(MODES) & keys)  # either mode key, as the original benchmark's files and the old reader had it

    @property
    def modes(self) -> dict[str, Mode]:
        """The modes that ran, in MODES order."""
        return {name: getattr(self, name) for name in MODES if getattr(self, name) is not None}
