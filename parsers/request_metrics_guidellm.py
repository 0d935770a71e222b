"""guidellm's per-request spec-decode metrics, decoded by msgspec into Structs that declare only the
fields read (msgspec skips the others without making Python objects of them: a request's
request_args, output text, `info` timings and token-metric details never exist here). What is read
and how: parsers.request_metrics_readers (module doc); the records: parsers.request_metrics_records.

Every Struct field is typed so that any JSON value decodes (`_ANY_NOT_OBJECT` alongside the Struct
of an object), so a file of an unexpected shape reads as the dict reader read it (a request that is
not an object is skipped, a `response_metrics` that is not one has no record) instead of failing.
`guidellm_specs(path, doc)`: a document already parsed into dicts (msgspec.convert, same Structs);
`guidellm_specs_json(path, data)`: the file's bytes, None when they are not a guidellm document.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct

from speclens.parsers.guidellm import detect_schema
from speclens.parsers.load_config import number, whole
from speclens.parsers.load_results import GUIDELLM, load_driver
from speclens.parsers.request_metrics_records import RequestSeen, RequestSpec, RequestSpecSet, Violation, spec_record
from speclens.parsers.vllm_bench import AGGREGATE, REQUIRED

_ANY_NOT_OBJECT = list | str | int | float | bool | None


class _Tokens(Struct, gc=False):
    text_tokens: Any = None


class _ResponseMetrics(Struct, gc=False):
    speculative_decoding: Any = None


class _Request(Struct, gc=False):
    request_id: Any = None
    response_id: Any = None
    prompt_tokens: Any = None
    output_tokens: Any = None
    request_latency: Any = None
    time_to_first_token_ms: Any = None
    inter_token_latency_ms: Any = None
    input_metrics: _Tokens | _ANY_NOT_OBJECT = None
    output_metrics: _Tokens | _ANY_NOT_OBJECT = None
    response_metrics: _ResponseMetrics | _ANY_NOT_OBJECT = None


class _Requests(Struct, gc=False):
    successful: list[_Request | _ANY_NOT_OBJECT] | dict | str | int | float | bool | None = None


class _Totals(Struct, gc=False):
    successful: Any = None


class _Metrics(Struct, gc=False):
    request_totals: _Totals | _ANY_NOT_OBJECT = None


class _Config(Struct, gc=False):
    sample_size: Any = UNSET


class _Benchmark(Struct, gc=False):
    requests: _Requests | _ANY_NOT_OBJECT = None
    metrics: _Metrics | _ANY_NOT_OBJECT = None
    config: _Config | _ANY_NOT_OBJECT = None
    benchmarks: Any = UNSET  # presence only: guidellm 0.1 (parsers.guidellm.detect_schema)
    mode: Any = UNSET


_BENCHMARKS = list[_Benchmark | _ANY_NOT_OBJECT]


def _int(value: Any) -> int | None:  # parsers.guidellm's token count: int() of any number
    value = number(value)
    return int(value) if value is not None else None


def _tokens(direct: Any, metrics: Any) -> int | None:
    if direct is None and type(metrics) is _Tokens:
        direct = metrics.text_tokens
    return _int(direct)


def _sampled(bench: _Benchmark, rows: int) -> bool | None:
    totals = bench.metrics.request_totals if type(bench.metrics) is _Metrics else None
    counted = whole(totals.successful) if type(totals) is _Totals else None
    if counted is not None:
        return rows < counted
    if type(bench.config) is _Config and bench.config.sample_size is not UNSET:
        return bench.config.sample_size is not None
    return None


def guidellm_records(path: str, benches: list, category: str | None = None) -> RequestSpecSet:
    """The records of benchmarks decoded as Structs (guidellm_structs, or msgspec.convert of dicts)."""
    records: list[RequestSpec] = []
    violations: list[Violation] = []
    seen: list[RequestSeen] = []
    flags, without = [], 0
    for i, bench in enumerate(benches):
        if type(bench) is not _Benchmark:
            continue
        rows = bench.requests.successful if type(bench.requests) is _Requests else None
        rows = rows if type(rows) is list else []
        for j, r in enumerate(rows):
            if type(r) is not _Request:
                continue
            source = f"{path}:benchmarks[{i}].requests.successful[{j}]"
            rid = r.request_id or r.response_id
            rid = rid if isinstance(rid, str) else None
            prompt, output = _tokens(r.prompt_tokens, r.input_metrics), _tokens(r.output_tokens, r.output_metrics)
            latency, ttft_ms = number(r.request_latency), number(r.time_to_first_token_ms)
            raw = r.response_metrics.speculative_decoding if type(r.response_metrics) is _ResponseMetrics else None
            spec = None
            if raw is None:
                without += 1
            else:
                got = spec_record(raw, source, f"{source}.response_metrics.speculative_decoding", request_id=rid,
                                  prompt_tokens=prompt, output_tokens=output, latency_s=latency,
                                  ttft_s=ttft_ms / 1000.0 if ttft_ms is not None else None, category=category)
                if type(got) is RequestSpec:
                    records.append(spec := got)
                else:
                    violations.append(got)
            seen.append(RequestSeen(rid, source, prompt, output, latency, ttft_ms, number(r.inter_token_latency_ms),
                                    category, spec))
        flags.append(_sampled(bench, sum(type(r) is _Request for r in rows)))
    sampled = True if True in flags else None if None in flags or not flags else False
    return RequestSpecSet(tuple(records), "guidellm", len(seen), without, sampled, tuple(violations), tuple(seen))


def guidellm_specs(path: str, doc: Any, category: str | None = None) -> RequestSpecSet:
    """A parsed guidellm result document's per-request records (ParseError if it is none)."""
    detect_schema(path, doc)
    return guidellm_records(path, msgspec.convert(doc["benchmarks"], _BENCHMARKS), category)


def _schema_view(bench: Any) -> Any:
    """What parsers.guidellm.detect_schema looks at in a benchmark (the keys that tell guidellm 0.1)."""
    if type(bench) is not _Benchmark:
        return bench
    return {name: getattr(bench, name) for name in ("benchmarks", "mode") if getattr(bench, name) is not UNSET}


# The top-level keys parsers.load_results.load_driver and parsers.guidellm.detect_schema look at (the
# document they are shown holds these only: tests/parsers/test_request_read_structs.py checks it reads
# every recorded guidellm JSON as the whole document does)
_TOP_KEYS = ("metadata", "args", "conclusions", *REQUIRED, *AGGREGATE)
_Document = msgspec.defstruct("_Document", [("benchmarks", _BENCHMARKS | dict | str | int | float | bool | None, UNSET)]
                              + [(key, Any, UNSET) for key in _TOP_KEYS], gc=False)


def guidellm_structs(path: str, data: bytes) -> list | None:
    """A file's benchmarks as Structs when its bytes are one guidellm result document (ParseError for
    a guidellm generation not read); None when they are not (another kind of document, or JSON
    msgspec refuses: the caller reads those)."""
    try:
        top = msgspec.json.decode(data, type=_Document)
    except (msgspec.DecodeError, msgspec.ValidationError):  # not an object, or JSON msgspec refuses (NaN, ...)
        return None
    doc = {key: getattr(top, key) for key in top.__struct_fields__ if getattr(top, key) is not UNSET}
    benches = doc.get("benchmarks")
    if type(benches) is not list:
        return None
    doc["benchmarks"] = [_schema_view(bench) for bench in benches[:1]] + benches[1:]
    if load_driver(doc) != GUIDELLM:
        return None
    detect_schema(path, doc)
    return benches


def guidellm_specs_json(path: str, data: bytes, category: str | None = None) -> RequestSpecSet | None:
    """`guidellm_specs` of a file's bytes; None when they are not a guidellm document (guidellm_structs)."""
    benches = guidellm_structs(path, data)
    return guidellm_records(path, benches, category) if benches is not None else None
