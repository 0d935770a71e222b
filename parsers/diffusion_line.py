"""The message of vLLM's diffusion (dLLM) metrics log line, read as key/value fields, and its record.

vLLM 0.32 (`vllm/v1/spec_decode/metrics.py`, `SpecDecodingLogging._log_diffusion`) prints, once
per stats interval and engine, for models whose HF config has a `canvas_length` (DiffusionGemma):

    DiffusionDecoding metrics: Committed token throughput: %.2f tokens/s, Mean denoising steps per
    canvas: %.2f, Mean tokens committed per denoising step: %.2f, Committed: %d tokens, Denoising
    steps: %d, Canvas positions evaluated: %d

The three integers are the interval's own counts (never cumulative): `Denoising steps` is vLLM's
spec-decode `num_drafts` (one per request per scheduler step, the commit step included), `Canvas
positions evaluated` its `num_draft_tokens`, `Committed` its `num_accepted_tokens`. The printed
means are `committed / steps` and `positions / committed` (vLLM names the latter "steps per
canvas"); the throughput is committed tokens over the interval's wall time. nan prints as `nan`.
Unknown extra fields are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from speclens.parsers.spec_line import LineError, split_fields

DIFFUSION_MARKER = "DiffusionDecoding metrics:"


class DiffusionLine(NamedTuple):
    """One diffusion metrics line: the exact integers and the rounded values as printed."""

    committed: int
    denoising_steps: int
    canvas_positions: int
    committed_throughput: float | None  # tokens/s over the interval, 2 dp
    steps_per_canvas: float | None  # as printed: positions / committed, 2 dp
    committed_per_step: float | None  # as printed: committed / steps, 2 dp
    timestamp: str | None = None
    seconds: int | None = None


@dataclass(slots=True)
class DiffusionInterval:
    """One `DiffusionDecoding metrics:` line placed in its log (as `parsers.records.SpecInterval`):
    `engine` is that of the latest `Engine NNN:` stats line of its segment."""

    lineno: int
    timestamp: str | None
    time_key: int | None
    segment: int
    committed: int
    denoising_steps: int
    canvas_positions: int
    committed_throughput: float | None = None
    steps_per_canvas: float | None = None
    committed_per_step: float | None = None
    engine: int | None = None


def _integer(fields: dict[str, str], key: str) -> int:
    text = fields.get(key)
    if text is None:
        raise LineError(f"expected a '{key.capitalize()}: N' field")
    value = text.removesuffix(" tokens")
    if not (value.isascii() and value.isdigit()) or len(value) > 30:
        raise LineError(f"expected a non-negative integer for '{key}', got {text[:40]!r}")
    return int(value)


def _rounded(fields: dict[str, str], key: str) -> float | None:
    text = fields.get(key)
    if text is None:
        return None
    value = text.removesuffix(" tokens/s")
    try:
        return float(value)
    except ValueError:
        raise LineError(f"expected a number for '{key}', got {text[:40]!r}") from None


def parse_diffusion(message: str, timestamp: str | None = None, seconds: int | None = None) -> DiffusionLine:
    """Read the text after `DiffusionDecoding metrics:`; requires the three integer fields."""
    fields = split_fields(message)
    committed = _integer(fields, "committed")
    steps = _integer(fields, "denoising steps")
    positions = _integer(fields, "canvas positions evaluated")
    if committed > positions:
        raise LineError(f"Committed ({committed}) exceeds Canvas positions evaluated ({positions})")
    return DiffusionLine(committed, steps, positions, _rounded(fields, "committed token throughput"),
                         _rounded(fields, "mean denoising steps per canvas"),
                         _rounded(fields, "mean tokens committed per denoising step"), timestamp, seconds)
