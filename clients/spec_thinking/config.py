"""The speculative-thinking configuration file: the keys of the authors' YAML
(uservan/speculative_thinking, speculative/config/*.yml), validated into one typed record.

Every key of the reference is accepted with its meaning unchanged (see
docs/workloads/spec-thinking.md); `mode` and `*_gpu` are read by launchers/qwen3.sh
(the GPU layout), the rest by the control loop (clients/spec_thinking/loop.py). Our additions,
all optional: `keep_neutral_lookahead` (false = the authors' behaviour: a lookahead without a cue is
thrown away and the small model writes that stretch again; true keeps it), `target_gpu_memory_utilization`
(0.9) and `speculative_gpu_memory_utilization` (0.2), the original benchmark's memory fractions, and `sampling`
(temperature, top_p, top_k, max_tokens defaults for this pair; flags win; unset = the original benchmark's).

    python -m speclens.clients.spec_thinking_config --launcher-fields FILE   # what launchers/qwen3.sh reads
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from speclens.clients.common.cli import UsageError

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "qwen3_1.7b_32b.yml"
TINY_CONFIG = CONFIG_DIR / "tiny_pair.yml"


class Keywords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verify: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list)
    positive: list[str] = Field(default_factory=list)


class SamplingDefaults(BaseModel):
    """Per-config sampling defaults (our addition); a command-line flag wins over each."""

    model_config = ConfigDict(extra="forbid")
    temperature: float | None = Field(None, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    top_k: int | None = None
    max_tokens: int | None = Field(None, ge=1)


class SpecThinkingConfig(BaseModel):
    """One config file. Counts are tokens; `time_out` is seconds per problem (null or ≤ 0: none)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    mode: str = "vllm"
    target_model_name: str
    speculative_model_name: str | None
    target_model_gpu: int = Field(1, ge=1)
    speculative_model_gpu: int = Field(1, ge=1)
    TRIGGER_TOKENS: list[str] = Field(min_length=1)
    TARGET_VALIDATION_KEYWORDS: Keywords
    help_think_word: str | None = None
    help_recap_words: str
    choose_large: bool = True
    max_target_tokens: int = Field(ge=1)
    begin: bool = False
    begin_token_num: int = Field(100, ge=1)
    original_recap_token_num: int = Field(ge=1)
    recap_after_negative_num: int = Field(ge=1)
    add_each_recap: int = Field(0, ge=0)
    max_recap_token_num: int = Field(ge=1)
    add_each_neg: int = Field(0, ge=0)
    max_negative_num: int = Field(ge=1)
    time_out: float | None = None
    keep_neutral_lookahead: bool = False
    target_gpu_memory_utilization: float = Field(0.9, gt=0, le=1)
    speculative_gpu_memory_utilization: float = Field(0.2, gt=0, le=1)
    sampling: SamplingDefaults = Field(default_factory=SamplingDefaults)

    @field_validator("TRIGGER_TOKENS")
    @classmethod
    def _no_empty_trigger(cls, value: list[str]) -> list[str]:
        if any(t == "" for t in value):
            raise ValueError("an empty trigger would stop at every token")
        return value

    @property
    def deadline_s(self) -> float | None:
        return self.time_out if self.time_out is not None and self.time_out > 0 else None


def read_yaml(path: str | Path, what: str) -> object:
    """The parsed YAML of `path`; unreadable or invalid YAML is one UsageError line (file, line, what)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"{path}: cannot read the {what} ({err.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        raise UsageError(f"{path}:{where} expected YAML for the {what} ({getattr(err, 'problem', None) or err})") from None


def load_config(path: str | Path) -> SpecThinkingConfig:
    """Read and validate one YAML file; every problem is one UsageError line naming the file and key."""
    data = read_yaml(path, "speculative-thinking config")
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a YAML mapping with the keys of speculative/config/*.yml")
    try:
        return SpecThinkingConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "top level"
        raise UsageError(f"{path}: key '{key}': {first['msg']} (see {DEFAULT_CONFIG.name} for every key)") from None


LAUNCHER_FIELDS = ("LARGE_MODEL", "SMALL_MODEL", "LARGE_TP", "SMALL_TP", "LARGE_MEM", "SMALL_MEM", "TRIGGERS")


def launcher_fields(config: SpecThinkingConfig) -> str:
    """What launchers/qwen3.sh needs, as KEY=VALUE lines (LAUNCHER_FIELDS: the large and small model,
    their tensor-parallel sizes and memory fractions, the number of triggers), read by key with
    launchers/lib.sh lib::key_values, never evaluated; a null small model is `SMALL_MODEL=`."""
    values = [config.target_model_name, config.speculative_model_name or "", config.target_model_gpu,
              config.speculative_model_gpu, config.target_gpu_memory_utilization,
              config.speculative_gpu_memory_utilization, len(config.TRIGGER_TOKENS)]
    for value in values[:2]:
        if "\n" in value:
            raise UsageError(f"model name {value!r} holds a line break")
    return "".join(f"{key}={value}\n" for key, value in zip(LAUNCHER_FIELDS, values, strict=True))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.spec_thinking_config")
    p.add_argument("--launcher-fields", metavar="FILE", required=True,
                   help="print what launchers/qwen3.sh reads from FILE, as KEY=VALUE lines")
    args = p.parse_args(argv)
    try:
        sys.stdout.write(launcher_fields(load_config(args.launcher_fields)))
    except UsageError as err:
        sys.stderr.write(f"{p.prog}: error: {err}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
