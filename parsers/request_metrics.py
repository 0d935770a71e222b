"""Per-request speculative-decoding metrics (vLLM's response `metrics.speculative_decoding`, server
flag `--per-request-spec-decode-metrics summary|detailed`) as typed, validated records.

`read_request_specs(path)` is the one entry point: it tells the input apart by its content and
returns a `RequestSpecSet`, or None when the file has no per-request spec-decode data at all (no
request carries a speculative_decoding object: the caller says so once). Inputs:

| input | how it is told | read by |
|---|---|---|
| guidellm result JSON | an object with a `benchmarks` list (parsers.load_results.load_driver) | `guidellm_specs` |
| raw OpenAI responses | JSON Lines (a second JSON value after the first), a JSON array of objects with `choices`, or one such object | `responses_specs` |
| `vllm bench serve` JSON | parsers.vllm_bench.is_vllm_bench | none: it keeps no per-request metrics (None) |
| speclens client JSON | parsers.sniff.classify_json | none: no acceptance histogram is kept (None) |

The records, their validation and the `Violation`s: parsers.request_metrics_records; the readers
and what each reads: parsers.request_metrics_readers. Bad JSON: one-line ParseError.
"""

from __future__ import annotations

import json
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input
from speclens.parsers.load_results import GUIDELLM, VLLM_BENCH, load_driver
from speclens.parsers.request_metrics_readers import (guidellm_specs, jsonl_responses, read_guidellm_specs,
                                                      read_responses_specs, responses_specs)
from speclens.parsers.request_metrics_records import RequestSpec, RequestSpecSet, Violation, check_spec, spec_record
from speclens.parsers.sniff import classify_json

__all__ = ["RequestSpec", "RequestSpecSet", "Violation", "check_spec", "guidellm_specs", "read_guidellm_specs",
           "read_request_specs", "read_responses_specs", "request_specs_of", "responses_specs", "spec_record"]


def _is_response(obj: Any) -> bool:
    return isinstance(obj, dict) and "choices" in obj


def request_specs_of(path: str, doc: Any, category: str | None = None) -> RequestSpecSet | None:
    """`read_request_specs` of a document already parsed (a run's load results, read once)."""
    found = _from_doc(path, doc, category)
    return found if found is not None and (found.records or found.violations) else None


def _from_doc(path: str, doc: Any, category: str | None) -> RequestSpecSet | None:
    driver = load_driver(doc)
    if driver == GUIDELLM:
        return guidellm_specs(path, doc, category)
    if driver == VLLM_BENCH or classify_json(doc).kind == "client_json":
        return None
    if _is_response(doc):
        return responses_specs(path, [(path, doc)], category)
    if isinstance(doc, list) and doc and all(map(_is_response, doc)):
        return responses_specs(path, [(f"{path}:[{i}]", obj) for i, obj in enumerate(doc)], category)
    return None


def read_request_specs(path: str, category: str | None = None) -> RequestSpecSet | None:
    """The per-request spec-decode records of a file (see the module doc), each record's
    `category` set to `category`; None when no request in it carries them."""
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as err:
        raise ParseError(path, None, f"expected UTF-8 JSON, found an invalid byte at offset {err.start}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg != "Extra data":
            raise ParseError(path, err.lineno, f"invalid JSON ({err.msg})",
                             "the file is truncated or not JSON (JSON Lines: one response object per line)") from None
        found = responses_specs(path, jsonl_responses(path, text), category)
        return found if found.records or found.violations else None
    return request_specs_of(path, doc, category)
