"""guidellm result JSON, every schema generation users have on disk, as typed benchmarks with
per-request rows.

Generations (formats.md §3.2): `0.2-0.3` top-level `benchmarks` only, strategy at
`benchmarks[i].args.strategy`; `0.4` adds top-level `args`; `0.5-0.6` adds `metadata.version` 1;
`0.7` has `metadata.version` 2 and `config`; `0.8` adds `conclusions`. From 0.4 on the strategy
is at `benchmarks[i].config.strategy`. guidellm 0.1 JSON serializes no per-request metrics and is
refused with a clear message, as is any unknown `metadata.version`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.json_file import read_json
from speclens.parsers.load_config import DriverAggregates, LoadConfig, guidellm_aggregates, guidellm_load_config

STATUSES = ("successful", "errored", "incomplete")


@dataclass(slots=True)
class RequestRow:
    """One request as guidellm measured it; None where the schema does not carry the field."""

    status: str
    start: float | None
    latency_s: float | None
    ttft_ms: float | None
    itl_ms: float | None
    tpot_ms: float | None
    prompt_tokens: int | None
    output_tokens: int | None
    output_tps: float | None
    tokens_per_iteration: float | None


@dataclass(slots=True)
class Benchmark:
    index: int
    strategy: str
    rate: float | None  # requests/s (constant, poisson, async) or streams (concurrent); None otherwise
    duration_s: float | None
    totals: dict[str, int]
    requests: list[RequestRow] = field(default_factory=list)
    aggregates: DriverAggregates | None = None  # the driver's own totals and means (parsers.load_config)

    @property
    def rows_complete(self) -> bool:
        """Every successful request the driver counted has a row (guidellm can keep only a sample)."""
        rows, counted = sum(r.status == "successful" for r in self.requests), self.totals.get("successful")
        return rows > 0 and (counted is None or rows >= counted)


@dataclass(slots=True)
class LoadRun:
    path: str
    schema: str
    tool_version: str | None
    model: str | None
    benchmarks: list[Benchmark]
    config: LoadConfig = field(default_factory=LoadConfig)  # what the file says about the load generated


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _first(obj: dict, *paths: tuple[str, ...]) -> Any:
    for path in paths:
        value = _get(obj, *path)
        if value is not None:
            return value
    return None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None  # noqa: UP038


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None  # noqa: UP038


def detect_schema(path: str, doc: Any) -> str:
    """The schema generation of a parsed guidellm JSON document (raises ParseError if unknown)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        raise ParseError(path, None, "expected a guidellm result JSON object with a 'benchmarks' list",
                         "pass the file written by guidellm --output-path / --output kind=json")
    version = _get(doc, "metadata", "version")
    if version == 2:
        return "0.8" if "conclusions" in doc else "0.7"
    if version == 1:
        return "0.5-0.6"
    if version is not None:
        raise ParseError(path, None, f"unknown guidellm JSON schema metadata.version={version!r} (known: 1, 2)",
                         "upgrade speclens, or export the run with a supported guidellm")
    first = doc["benchmarks"][0] if doc["benchmarks"] else {}
    if isinstance(first, dict) and "benchmarks" in first and "mode" not in first:
        raise ParseError(path, None, "guidellm 0.1 JSON carries no per-request metrics speclens can read",
                         "re-run the load with guidellm >= 0.2")
    return "0.4" if "args" in doc else "0.2-0.3"


def request_row(status: str, r: dict) -> RequestRow:
    """One request entry of `benchmarks[i].requests.<status>` as a `RequestRow` (also read by
    parsers.request_metrics for the same request's tokens and timings)."""
    get = r.get  # one row per request: the first non-None of each field's paths, looked up directly
    start = get("request_start_time")
    if start is None:
        start = get("start_time")
        if start is None:
            start = _get(r, "info", "timings", "request_start")
    prompt = get("prompt_tokens")
    if prompt is None:
        prompt = _get(r, "input_metrics", "text_tokens")
    output = get("output_tokens")
    if output is None:
        output = _get(r, "output_metrics", "text_tokens")
    return RequestRow(status, _float(start), _float(get("request_latency")), _float(get("time_to_first_token_ms")),
                      _float(get("inter_token_latency_ms")), _float(get("time_per_output_token_ms")), _int(prompt),
                      _int(output), _float(get("output_tokens_per_second")), _float(get("output_tokens_per_iteration")))


def _benchmark(index: int, b: dict, schema: str) -> Benchmark:
    strategy = _get(b, "args", "strategy") if schema == "0.2-0.3" else _get(b, "config", "strategy")
    strategy = strategy if isinstance(strategy, dict) else {}
    kind = str(strategy.get("type_", "unknown"))
    rate = _float(strategy.get("streams") if kind == "concurrent" else strategy.get("rate"))
    requests = b.get("requests") or {}
    rows = [request_row(s, r) for s in STATUSES for r in (requests.get(s) or []) if isinstance(r, dict)]
    totals_src = _first(b, ("metrics", "request_totals"), ("request_totals",)) or {}
    totals = {s: _int(totals_src.get(s)) if _int(totals_src.get(s)) is not None else sum(r.status == s for r in rows)
              for s in STATUSES}
    return Benchmark(index, kind, rate, _float(b.get("duration")), totals, rows, guidellm_aggregates(b))


def read_guidellm(path: str) -> LoadRun:
    """Read a guidellm result JSON file of any supported generation."""
    return parse_guidellm(path, read_json(path))


def parse_guidellm(path: str, doc: Any) -> LoadRun:
    """A parsed guidellm result document as a `LoadRun`."""
    schema = detect_schema(path, doc)
    first = doc["benchmarks"][0] if doc["benchmarks"] and isinstance(doc["benchmarks"][0], dict) else {}
    model = _first(doc, ("config", "spec", "backend", "model"), ("args", "model"), ("args", "backend", "model"),
                   ("args", "backend_kwargs", "model")) or _first(
        first, ("config", "backend", "model"), ("worker", "backend_model"))  # 0.6.x, 0.3.x
    benchmarks = [_benchmark(i, b, schema) for i, b in enumerate(doc["benchmarks"]) if isinstance(b, dict)]
    return LoadRun(path, schema, _get(doc, "metadata", "guidellm_version"), model if isinstance(model, str) else None,
                   benchmarks, guidellm_load_config(doc, schema))
