"""Per-request speculative-decoding metrics (vLLM's response `metrics.speculative_decoding`, server
flag `--per-request-spec-decode-metrics summary|detailed`) as typed, validated records.

`read_request_specs(path)` is the one entry point: it tells the input apart by its content and
returns a `RequestSpecSet`, or None when the file has no per-request spec-decode data at all (no
request carries a speculative_decoding object: the caller says so once). Inputs:

| input | how it is told | read by |
|---|---|---|
| guidellm result JSON | an object with a `benchmarks` list (parsers.load_results.load_driver) | `guidellm_specs*` |
| raw OpenAI responses | JSON Lines (a second JSON value after the first), a JSON array of objects with `choices`, or one such object | `responses_specs` |
| `vllm bench serve` JSON | parsers.vllm_bench.is_vllm_bench | none: it keeps no per-request metrics (None) |
| speclens client JSON | parsers.sniff.classify_json | none: no acceptance histogram is kept (None) |

The records, their validation and the `Violation`s: parsers.request_metrics_records; the readers
and what each reads: parsers.request_metrics_readers. Bad JSON: one-line ParseError. `read_request_set` /
`request_set_of` give every request of the file (`RequestSpecSet.requests`, with or without the
metrics: the request table's rows) and None only for a kind that keeps no per-request rows.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input
from speclens.parsers.load_results import GUIDELLM, VLLM_BENCH, load_driver
from speclens.parsers.request_metrics_guidellm import guidellm_specs, guidellm_specs_json
from speclens.parsers.request_metrics_readers import (jsonl_responses, read_guidellm_specs, read_responses_specs,
                                                      responses_specs)
from speclens.parsers.request_metrics_records import (RequestSeen, RequestSpec, RequestSpecSet, Violation, check_spec,
                                                      spec_record)
from speclens.parsers.sniff import classify_json

__all__ = ["paused_gc", "RequestSeen", "RequestSpec", "RequestSpecSet", "Violation", "check_spec", "guidellm_specs",
           "read_guidellm_specs", "read_request_set", "read_request_specs", "read_responses_specs", "request_set_of",
           "request_specs_of", "responses_specs", "spec_record"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are made (a 100k-request
    file: JSON values, then records): its collections walk the growing heap again and again and took
    about half the time (benchmarks/bench_requests.py). Nothing made here forms a cycle."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _is_response(obj: Any) -> bool:
    return isinstance(obj, dict) and "choices" in obj


def request_specs_of(path: str, doc: Any, category: str | None = None) -> RequestSpecSet | None:
    """`read_request_specs` of a document already parsed (a run's load results, read once)."""
    found = request_set_of(path, doc, category)
    return found if found is not None and (found.records or found.violations) else None


def request_set_of(path: str, doc: Any, category: str | None = None) -> RequestSpecSet | None:
    """Every request of a parsed document (`RequestSpecSet.requests`, with or without spec-decode
    metrics); None for a document of a kind that keeps no per-request rows (module doc)."""
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
    found = read_request_set(path, category)
    return found if found is not None and (found.records or found.violations) else None


def read_request_set(path: str, category: str | None = None) -> RequestSpecSet | None:
    """Every request of a guidellm JSON or raw responses file (`RequestSpecSet.requests`, with or
    without spec-decode metrics); None for a file of another kind (module doc)."""
    with open_input(path, "rb") as handle:
        data = handle.read()
    with paused_gc():
        found = guidellm_specs_json(path, data, category)  # the fields read only (msgspec): ~4x orjson's whole tree
        if found is not None:
            return found
        try:
            doc = orjson.loads(data)  # ~3x faster than json on 100k requests (benchmarks/bench_requests.py)
        except orjson.JSONDecodeError:  # not one JSON document: JSON Lines or bad JSON (json says where, below)
            pass
        else:
            return request_set_of(path, doc, category)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ParseError(path, None, f"expected UTF-8 JSON, found an invalid byte at offset {err.start}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg != "Extra data":
            raise ParseError(path, err.lineno, f"invalid JSON ({err.msg})",
                             "the file is truncated or not JSON (JSON Lines: one response object per line)") from None
        return responses_specs(path, jsonl_responses(path, text), category)
    return request_set_of(path, doc, category)
