"""The console output of `vllm bench serve` (≥ 0.14): its "Speculative Decoding" block.

vLLM prints (`vllm/benchmarks/serve.py`) after `============ Serving Benchmark Result ============`
a block headed `"{s:{c}^{n}}".format(s="Speculative Decoding", n=50, c="-")` with rows
`"{:<40} {:<10.2f}"` for `Acceptance rate (%):` and `Acceptance length:`, `"{:<40} {:<10}"` for the
integers `Drafts:`, `Draft tokens:`, `Accepted tokens:`, then `Per-position acceptance (%):` and one
`  Position {i}:` row per position (percent, 2 dp). The integers are /metrics deltas over the
run, so they are exact; the per-position counts are only printed as rounded percentages.
With a diffusion LM (vLLM 0.32) a `Diffusion Decoding` block (same header format) replaces it:
`Committed throughput (tok/s):`, `Denoising steps per canvas:`, `Committed per denoising step:`
(`{:<10.2f}`), `Committed tokens:`, `Denoising steps:`, `Canvas positions evaluated:` (`{:<10d}`),
defined as in the JSON (`parsers.vllm_bench`: denoising steps exclude each canvas's commit step).
A file may hold several runs (appended output): one `BenchConsoleRun` per result section. A
fragment without the result header (rows of the Speculative Decoding block pasted on their own,
with or without the block's header: `is_console_fragment`) is one run, its block starting at its
first row. Integers pasted with thousands separators (`255,426`) are read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input

RESULT_MARKER = "Serving Benchmark Result"
SPEC_MARKER = "Speculative Decoding"
DIFFUSION_MARKER = "Diffusion Decoding"
_ROW_RE = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9 ()%/.-]*?):\s+(?P<value>\S+)\s*$")
_POSITION_RE = re.compile(r"\s+Position (?P<i>\d+):\s+(?P<value>\S+)\s*$")
_INTEGER_ROWS = {"Drafts": "drafts", "Draft tokens": "draft_tokens", "Accepted tokens": "accepted_tokens"}
_SPEC_ROWS = {*_INTEGER_ROWS, "Acceptance rate (%)", "Acceptance length"}
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")  # 255,426
_DIFFUSION_ROWS = {"Committed throughput (tok/s)": ("committed_throughput", False),
                   "Denoising steps per canvas": ("steps_per_canvas", False),
                   "Committed per denoising step": ("committed_per_step", False),
                   "Committed tokens": ("committed_tokens", True), "Denoising steps": ("denoising_steps_excluding_commit", True),
                   "Canvas positions evaluated": ("canvas_positions", True)}


@dataclass(slots=True)
class BenchConsoleSpec:
    """One Speculative Decoding block; `lineno` is its header line (1-based)."""

    lineno: int
    drafts: int | None = None
    draft_tokens: int | None = None
    accepted_tokens: int | None = None
    acceptance_rate_pct: float | None = None
    acceptance_length: float | None = None
    per_position_pct: list[float] = field(default_factory=list)


@dataclass(slots=True)
class BenchConsoleDiffusion:
    """One Diffusion Decoding block; `lineno` is its header line (1-based); rates as printed (2 dp)."""

    lineno: int
    committed_tokens: int | None = None
    denoising_steps_excluding_commit: int | None = None
    canvas_positions: int | None = None
    committed_throughput: float | None = None
    steps_per_canvas: float | None = None
    committed_per_step: float | None = None


@dataclass(slots=True)
class BenchConsoleRun:
    """One result section (`lineno`: its header line); `spec` / `diffusion` are None when it has
    no such block."""

    lineno: int
    spec: BenchConsoleSpec | None = None
    diffusion: BenchConsoleDiffusion | None = None


def _number(path: str, lineno: int, key: str, text: str, integer: bool) -> float | int:
    if integer and _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    try:
        return int(text) if integer else float(text)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise ParseError(path, lineno, f"expected {kind} after '{key}:', got {text[:30]!r}",
                         "pass the console output of vllm bench serve as it was printed") from None


def _is_result_header(line: str) -> bool:
    return RESULT_MARKER in line and line.lstrip().startswith("=")


def _is_spec_header(line: str) -> bool:
    return line.startswith("-") and SPEC_MARKER in line


def _fragment_start(lines: list[str]) -> int | None:
    """The 1-based line where a Speculative Decoding block without a result header starts (its
    header, else its first row), when at least two of its integer rows are there; else None."""
    keys: dict[str, int] = {}  # each spec row's first line
    for i, line in enumerate(lines, 1):
        if (row := _ROW_RE.match(line)) is not None and row["key"] in _SPEC_ROWS:
            keys.setdefault(row["key"], i)
    if len(keys.keys() & _INTEGER_ROWS.keys()) < 2:
        return None
    first = min(keys.values())
    return next((i for i, line in enumerate(lines[:first], 1) if _is_spec_header(line)), first)


def is_console_fragment(text: str) -> bool:
    """Whether `text` holds the rows of a Speculative Decoding block without a result header."""
    lines = text.splitlines()
    return not any(map(_is_result_header, lines)) and _fragment_start(lines) is not None


def parse_bench_console(path: str, text: str) -> list[BenchConsoleRun]:
    """Every result section of the console text, in order (a headerless fragment: one)."""
    runs: list[BenchConsoleRun] = []
    spec: BenchConsoleSpec | None = None
    diffusion: BenchConsoleDiffusion | None = None
    lines = text.splitlines()
    start = 1
    if not any(map(_is_result_header, lines)):
        fragment = _fragment_start(lines)
        if fragment is None:
            return []
        runs.append(BenchConsoleRun(fragment))
        if not _is_spec_header(lines[fragment - 1]):
            spec = runs[0].spec = BenchConsoleSpec(fragment)
        start = fragment
    for lineno, line in enumerate(lines[start - 1:], start):
        if _is_result_header(line):
            runs.append(BenchConsoleRun(lineno))
            spec = diffusion = None
            continue
        if not runs:
            continue
        if line.startswith("-") and DIFFUSION_MARKER in line:
            diffusion = runs[-1].diffusion = BenchConsoleDiffusion(lineno)
            spec = None
            continue
        if diffusion is not None:
            if line.startswith(("=", "-")):
                diffusion = None
            elif (row := _ROW_RE.match(line)) is not None and row["key"] in _DIFFUSION_ROWS:
                attr, integer = _DIFFUSION_ROWS[row["key"]]
                setattr(diffusion, attr, _number(path, lineno, row["key"], row["value"], integer))
            if diffusion is not None or not line.startswith("-"):
                continue
        if _is_spec_header(line):
            spec = runs[-1].spec = BenchConsoleSpec(lineno)
            continue
        if spec is None:
            continue
        if line.startswith(("=", "-")):  # the end of the block
            spec = None
            continue
        position = _POSITION_RE.match(line)
        if position is not None:
            if int(position["i"]) != len(spec.per_position_pct):
                raise ParseError(path, lineno, f"expected 'Position {len(spec.per_position_pct)}:', got "
                                 f"'Position {position['i']}:'", "is the console output complete?")
            spec.per_position_pct.append(float(_number(path, lineno, "Position", position["value"], False)))
            continue
        row = _ROW_RE.match(line)
        if row is None:
            continue
        key = row["key"]
        if key in _INTEGER_ROWS:
            setattr(spec, _INTEGER_ROWS[key], int(_number(path, lineno, key, row["value"], True)))
        elif key == "Acceptance rate (%)":
            spec.acceptance_rate_pct = float(_number(path, lineno, key, row["value"], False))
        elif key == "Acceptance length":
            spec.acceptance_length = float(_number(path, lineno, key, row["value"], False))
    return runs


def read_bench_console(path: str) -> list[BenchConsoleRun]:
    """Read a saved `vllm bench serve` console output (UTF-8; undecodable bytes are replaced)."""
    with open_input(path, "rb") as handle:
        return parse_bench_console(path, handle.read().decode("utf-8", "replace"))
