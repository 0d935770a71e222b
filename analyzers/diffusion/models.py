"""The diffusion (dLLM) part of an acceptance report: sources of vLLM's diffusion counters.

A diffusion LM served by vLLM (0.32: DiffusionGemma) reuses the spec-decode data path: each
scheduler step re-evaluates a request's canvas (a block of `canvas_length` positions) and commits
some of its tokens. Its "tokens committed per denoising step" plays the role mean acceptance length
plays for speculative decoding. Counts are exact integers; a rate is None (JSON null, text n/a)
when its denominator is zero or unknown.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

StepsFrom = Literal["counter", "vllm bench (commit steps excluded, truncated)"]
DiffusionKind = Literal["metrics_delta", "metrics_scrape", "log_intervals", "bench_serve", "bench_console"]


def _d(text: str, *default: object):  # noqa: ANN202 - a pydantic Field carrying its unit and formula
    return Field(*default, description=text)


class DiffusionCounts(BaseModel):
    """Integer totals of one diffusion source."""

    committed_tokens: int = _d("count of tokens committed (finalized) by denoising steps")
    denoising_steps: int = _d("count of denoising steps, one per request per scheduler step; with steps_from "
                              "'counter' the commit step of each canvas is included, as vLLM's counter counts it")
    canvas_positions: int = _d("count of canvas positions evaluated, summed over denoising steps")
    steps_from: StepsFrom = Field("counter", description="how denoising_steps was obtained")


class DiffusionMetrics(BaseModel):
    committed_per_step: float | None = _d(
        "tokens per step: committed_tokens / denoising_steps, pooled over steps (vLLM's 'Mean tokens committed per "
        "denoising step'; the diffusion counterpart of mean acceptance length)")
    steps_per_canvas: float | None = _d(
        "steps: canvas_positions / committed_tokens (vLLM's log 'Mean denoising steps per canvas': equal to the mean "
        "steps per canvas when every step evaluates the whole canvas and each canvas commits all its positions); "
        "from vllm bench: its own (S − C·S/P) / (C·S/P)")
    canvas_positions_per_step: float | None = _d(
        "positions: canvas_positions / denoising_steps, the mean canvas width evaluated per step")
    committed_throughput: float | None = _d(
        "tokens/s: committed tokens per second of the window named by committed_throughput_basis; null when no "
        "window length is known")
    committed_throughput_basis: str | None = Field(None, description="the window committed_throughput is over, "
                                                   "or why it is null")


class DiffusionSource(BaseModel):
    id: str
    kind: DiffusionKind
    scope: str
    files: list[str]
    counts: DiffusionCounts
    metrics: DiffusionMetrics
    per_engine: dict[str, DiffusionCounts] = Field(default_factory=dict)
    intervals_used: int | None = _d("count of log lines summed (log sources only)", None)


class DiffusionAgreement(BaseModel):
    """How diffusion source b differs from a (b − a), count by count. denoising_steps is compared
    only when both count steps the same way (else null, and not part of `agree`)."""

    a: str
    b: str
    committed_tokens_diff: int = _d("count: b's committed_tokens − a's")
    canvas_positions_diff: int = _d("count: b's canvas_positions − a's")
    denoising_steps_diff: int | None = _d("count: b's denoising_steps − a's; null when defined differently")
    agree: bool
    note: str = ""


class DiffusionSection(BaseModel):
    """A target's diffusion sources (present only when its inputs hold diffusion data)."""

    sources: list[DiffusionSource] = Field(default_factory=list)
    primary: str | None = None
    agreements: list[DiffusionAgreement] = Field(default_factory=list)

    def source(self, source_id: str | None) -> DiffusionSource | None:
        return next((s for s in self.sources if s.id == source_id), None)


UNIT_OBJECTS = (("diffusion.sources[].counts", DiffusionCounts), ("diffusion.sources[].metrics", DiffusionMetrics),
                ("diffusion.agreements[]", DiffusionAgreement))
