"""What a load driver's result JSON says about the load it generated, and its own whole-benchmark
aggregates, as typed records (None wherever the file does not say).

`LoadConfig` (per result file):
- `endpoint`: "/v1/completions" or "/v1/chat/completions". guidellm 0.7+ `config.spec.backend.
  request_format`; 0.3-0.5 `requests.successful[0].request_type`; 0.6 the request body (`messages`
  = chat, `prompt` = completions). vllm bench: `backend`/`endpoint_type` ("openai-chat" = chat).
- `prompt_tokens`, `output_tokens`: the configured synthetic lengths. guidellm 0.7+
  `config.spec.data[0].prompt_tokens/output_tokens`; 0.4-0.6 `args.data[0]`; 0.3
  `benchmarks[0].request_loader.data` (both `prompt_tokens=N,output_tokens=M` or JSON).
  vllm bench does not save its `--random-*-len`.
- `max_tokens`, `temperatures`: the distinct values of `max_tokens`/`max_completion_tokens` and of
  `temperature` in the request bodies guidellm 0.4+ keeps (`requests.successful[i].request_args`,
  a dict or a JSON string). `temperatures == ()`: the bodies set none (the server's default
  applies). None: the file keeps no bodies.

`DriverAggregates` (per benchmark): the driver's own totals and means, used where per-request rows
are missing (vllm bench saved without `--save-detailed`) or are only a sample of the requests.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any

import orjson

CHAT, COMPLETIONS = "/v1/chat/completions", "/v1/completions"


@dataclass(frozen=True, slots=True)
class LoadConfig:
    endpoint: str | None = None
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    max_tokens: tuple[int, ...] | None = None
    temperatures: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class DriverAggregates:
    """`mean_itl_weighting`: "request" (mean of per-request means: guidellm) or "token" (every
    inter-token gap pooled: vllm bench `mean_itl_ms`)."""

    successful: int | None = None  # vllm bench `completed`
    output_tokens: int | None = None
    prompt_tokens: int | None = None
    output_throughput: float | None = None  # tok/s over the benchmark window, as the driver computed it
    mean_ttft_ms: float | None = None
    mean_tpot_ms: float | None = None
    mean_itl_ms: float | None = None
    mean_itl_weighting: str | None = None
    mean_latency_s: float | None = None
    latencies_s: tuple[float, ...] = ()


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def whole(value: Any) -> int | None:
    f = number(value)
    return int(f) if f is not None and f == int(f) else None


def data_lengths(spec: Any) -> tuple[int | None, int | None]:
    """(prompt_tokens, output_tokens) of a synthetic data spec: a dict, JSON text or
    `k=v,k=v` text (`kind=synthetic_text,prompt_tokens=32,output_tokens=64`)."""
    if isinstance(spec, str):
        text = spec.strip()
        if text.startswith("{"):
            try:
                spec = json.loads(text)
            except ValueError:
                return None, None
        else:
            spec = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
    if not isinstance(spec, dict):
        return None, None

    def length(key: str) -> int | None:
        value = spec.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return whole(value)

    return length("prompt_tokens"), length("output_tokens")


def _json_text(text: str) -> Any:
    """orjson (one body per request: ~3x faster), json for what orjson refuses (NaN, integers past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _body(row: dict) -> dict | None:
    """The request body: `request_args` is a dict, JSON text (0.6+) or a Python repr (0.4-0.5)."""
    args = row.get("request_args")
    if isinstance(args, str):
        try:
            args = _json_text(args)
        except ValueError:
            try:
                args = ast.literal_eval(args)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return None
    body = args.get("body") if isinstance(args, dict) else None
    return body if isinstance(body, dict) else None


def _endpoint(doc: dict, first: dict, bodies: list[dict]) -> str | None:
    spec = doc.get("config", {}).get("spec", {}) if isinstance(doc.get("config"), dict) else {}
    fmt = spec.get("backend", {}).get("request_format") if isinstance(spec.get("backend"), dict) else None
    if isinstance(fmt, str) and fmt:
        return fmt
    kind = first.get("request_type")
    if kind in ("chat_completions", "text_completions"):
        return CHAT if kind == "chat_completions" else COMPLETIONS
    if bodies:
        return CHAT if "messages" in bodies[0] else COMPLETIONS if "prompt" in bodies[0] else None
    return None


def guidellm_load_config(doc: dict, schema: str) -> LoadConfig:
    benchmarks = [b for b in doc.get("benchmarks") or [] if isinstance(b, dict)]
    rows = [r for b in benchmarks for r in ((b.get("requests") or {}).get("successful") or []) if isinstance(r, dict)]
    bodies = [body for body in map(_body, rows) if body is not None]
    if schema in ("0.7", "0.8"):
        data = ((doc.get("config") or {}).get("spec") or {}).get("data")
        spec = data[0] if isinstance(data, list) and data else None
    elif schema == "0.2-0.3":
        spec = (benchmarks[0].get("request_loader") or {}).get("data") if benchmarks else None
    else:
        data = (doc.get("args") or {}).get("data")
        spec = data[0] if isinstance(data, list) and data else data
    prompt, output = data_lengths(spec)
    max_tokens = temps = None
    if bodies:
        limits = (b.get("max_tokens") if b.get("max_tokens") is not None else b.get("max_completion_tokens")
                  for b in bodies)
        max_tokens = tuple(sorted({v for v in map(whole, limits) if v is not None}))
        temps = tuple(sorted({v for b in bodies for v in [number(b.get("temperature"))] if v is not None}))
    return LoadConfig(_endpoint(doc, rows[0] if rows else {}, bodies), prompt, output, max_tokens or None, temps)


def _mean(metrics: dict, name: str) -> float | None:
    entry = metrics.get(name)
    return number(entry.get("successful", {}).get("mean")) if isinstance(entry, dict) and isinstance(
        entry.get("successful"), dict) else None


def guidellm_aggregates(b: dict) -> DriverAggregates:
    metrics = b.get("metrics") if isinstance(b.get("metrics"), dict) else {}
    out = metrics.get("output_token_count", {}).get("successful", {}) if isinstance(metrics.get("output_token_count"), dict) else {}
    prompt = metrics.get("prompt_token_count", {}).get("successful", {}) if isinstance(metrics.get("prompt_token_count"), dict) else {}
    return DriverAggregates(
        output_tokens=whole(out.get("total_sum")) if isinstance(out, dict) else None,
        prompt_tokens=whole(prompt.get("total_sum")) if isinstance(prompt, dict) else None,
        output_throughput=_mean(metrics, "output_tokens_per_second"), mean_ttft_ms=_mean(metrics, "time_to_first_token_ms"),
        mean_tpot_ms=_mean(metrics, "time_per_output_token_ms"), mean_itl_ms=_mean(metrics, "inter_token_latency_ms"),
        mean_itl_weighting="request", mean_latency_s=_mean(metrics, "request_latency"))
