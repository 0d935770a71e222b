"""Readers of per-request spec-decode metrics, one per input kind, each giving a `RequestSpecSet`
(records and validation: parsers.request_metrics_records; detection: parsers.request_metrics).

- guidellm (parsers.request_metrics_guidellm, msgspec Structs of only these fields; 0.8.1:
  schemas/base/request_stats.py `GenerativeRequestStats.response_metrics`, vLLM's
  whole response `metrics` object as received): `benchmarks[i].requests.successful[j].
  response_metrics.speculative_decoding`. Tokens and timings as parsers.guidellm.request_row reads
  them (prompt/output tokens: the computed `prompt_tokens`/`output_tokens`, else input_metrics /
  output_metrics `text_tokens`; latency `request_latency`; TTFT `time_to_first_token_ms`);
  request_id: guidellm's `request_id` (else the server's `response_id`). Only successful requests
  are read (errored and cancelled ones end without vLLM's final usage chunk). `sampled`, per
  benchmark: saved successful rows < `metrics.request_totals.successful` (guidellm keeps a
  reservoir of `config.sample_size` per status); without totals, whether `config.sample_size` is
  set; None when the file says neither. Over benchmarks: True if any is, else None if any is
  unknown, else False.
- raw OpenAI responses: JSON Lines, one response object per line (or a JSON array of them, or one
  object) with `metrics.speculative_decoding`; request_id `id`, tokens from `usage`, ttft_s the
  server's `metrics.time_to_first_token_ms`, latency_s None (a response has no end-to-end
  latency), itl_ms the server's `metrics.mean_itl_ms`. Streamed chunks are not assembled: save the
  final usage chunk or the whole response.

Not read, as they keep no acceptance histogram (no record can be built or validated):
- `vllm bench serve --save-detailed` (vLLM 0.32.0 benchmarks/serve.py): its per-request lists are
  input_lens, output_lens, ttfts, itls, latencies, start_times, errors, generated_texts; its
  RequestFuncOutput keeps nothing of the response's `metrics`.
- our clients' JSON: the LoRA suite's three_mode per_prompt keeps draft_tokens / accepted_tokens
  (means over iterations, from per_request_metrics), speclora collect-data spec_draft_tokens /
  spec_accepted_tokens; no acceptance_histogram, no num_spec_steps.
"""

from __future__ import annotations

import json
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input
from speclens.parsers.json_file import read_json
from speclens.parsers.load_config import number, whole
from speclens.parsers.request_metrics_guidellm import guidellm_specs
from speclens.parsers.request_metrics_records import RequestSeen, RequestSpec, RequestSpecSet, Violation, spec_record


def _collect(kind: str, items: list[tuple[str, str, Any, dict]], sampled: bool | None) -> RequestSpecSet:
    """items: (source, location, speculative_decoding object or None, about) per request."""
    records: list[RequestSpec] = []
    violations: list[Violation] = []
    seen: list[RequestSeen] = []
    for source, location, raw, about in items:
        spec = None
        if raw is not None:
            got = spec_record(raw, source, location, **about)
            if isinstance(got, RequestSpec):
                records.append(spec := got)
            else:
                violations.append(got)
        seen.append(RequestSeen(about["request_id"], source, about["prompt_tokens"], about["output_tokens"],
                                about["latency_s"], about["ttft_ms"], about["itl_ms"], about["category"], spec))
    return RequestSpecSet(tuple(records), kind, len(items), sum(raw is None for _, _, raw, _ in items),
                          sampled, tuple(violations), tuple(seen))


def _spec(metrics: Any) -> Any:
    return metrics.get("speculative_decoding") if isinstance(metrics, dict) else None


def read_guidellm_specs(path: str, category: str | None = None) -> RequestSpecSet:
    """A guidellm result JSON's per-request records."""
    return guidellm_specs(path, read_json(path), category)


def responses_specs(path: str, responses: list[tuple[str, dict]], category: str | None = None) -> RequestSpecSet:
    """Raw OpenAI response objects, each with its source (file:line or file:[index])."""
    items = []
    for source, obj in responses:
        metrics = obj.get("metrics") if isinstance(obj.get("metrics"), dict) else {}
        usage = obj.get("usage") if isinstance(obj.get("usage"), dict) else {}
        ttft_ms = number(metrics.get("time_to_first_token_ms"))
        rid = obj.get("id")
        about = {"request_id": rid if isinstance(rid, str) else None, "prompt_tokens": whole(usage.get("prompt_tokens")),
                 "output_tokens": whole(usage.get("completion_tokens")), "latency_s": None,
                 "ttft_s": ttft_ms / 1000.0 if ttft_ms is not None else None, "ttft_ms": ttft_ms,
                 "itl_ms": number(metrics.get("mean_itl_ms")), "category": category}
        items.append((source, f"{source} metrics.speculative_decoding", _spec(metrics), about))
    return _collect("responses", items, None)


def jsonl_responses(path: str, text: str) -> list[tuple[str, dict]]:
    """The response objects of a JSON Lines text (blank lines skipped); ParseError at a bad line."""
    responses = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise ParseError(path, lineno, f"invalid JSON ({err.msg}) in a JSON Lines file",
                             "each line must be one complete JSON response object") from None
        if not isinstance(obj, dict):
            raise ParseError(path, lineno, f"expected a JSON response object, found a {type(obj).__name__}",
                             "each line must be one response object with its `metrics`")
        responses.append((f"{path}:{lineno}", obj))
    return responses


def read_responses_specs(path: str, category: str | None = None) -> RequestSpecSet:
    """A JSON Lines file of raw OpenAI responses."""
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as err:
        raise ParseError(path, None, f"expected UTF-8 JSON Lines, found an invalid byte at offset {err.start}") from None
    return responses_specs(path, jsonl_responses(path, text), category)
