"""A guidellm result JSON decoded down to what `parsers.guidellm.parse_guidellm` reads (the lean read
`speclens compare` uses: one per run directory).

msgspec Structs declare only the fields the `LoadRun` is built from (schema markers, model paths,
strategy, totals, duration, the driver's means, each request's timings and token counts, its request
body); every other field (request and response texts, distributions, percentiles: most of a 180 KB
file) is skipped without being built. The result is the plain dict tree orjson gives, minus the
skipped fields, so `parse_guidellm` reads it unchanged. Anything the Structs do not describe (another
driver's JSON, a field of an unexpected type, NaN, numbers out of range, invalid JSON) is parsed whole
by `parsers.json_file.decode_json` instead, with the errors every other command gives. The lean tree
is not for the per-request spec-decode metrics (`response_metrics` is skipped).
"""

from __future__ import annotations

from typing import Any, Union

import msgspec
from msgspec import UNSET, Struct, UnsetType

from speclens.parsers.files import open_input
from speclens.parsers.json_file import decode_json
from speclens.parsers.vllm_bench import AGGREGATE, REQUIRED

_U = UNSET  # every field: absent stays absent (msgspec.to_builtins omits UNSET), so `in` and .get() read as before


class _Stat(Struct):
    mean: Any = _U
    total_sum: Any = _U


class _Distribution(Struct):
    successful: Union[_Stat, None, UnsetType] = _U  # noqa: UP007


_Dist = Union[_Distribution, None, UnsetType]  # noqa: UP007


class _Metrics(Struct):  # parsers.load_config.guidellm_aggregates, parsers.guidellm._benchmark
    request_totals: Any = _U
    output_token_count: _Dist = _U
    prompt_token_count: _Dist = _U
    output_tokens_per_second: _Dist = _U
    time_to_first_token_ms: _Dist = _U
    time_per_output_token_ms: _Dist = _U
    inter_token_latency_ms: _Dist = _U
    request_latency: _Dist = _U


class _Tokens(Struct):
    text_tokens: Any = _U


class _Timings(Struct):
    request_start: Any = _U


class _Info(Struct):
    timings: Union[_Timings, None, UnsetType] = _U  # noqa: UP007


class _Request(Struct):  # parsers.guidellm.request_row, parsers.load_config (_body, request_type)
    request_start_time: Any = _U
    start_time: Any = _U
    info: Union[_Info, None, UnsetType] = _U  # noqa: UP007
    prompt_tokens: Any = _U
    input_metrics: Union[_Tokens, None, UnsetType] = _U  # noqa: UP007
    output_tokens: Any = _U
    output_metrics: Union[_Tokens, None, UnsetType] = _U  # noqa: UP007
    request_latency: Any = _U
    time_to_first_token_ms: Any = _U
    inter_token_latency_ms: Any = _U
    time_per_output_token_ms: Any = _U
    output_tokens_per_second: Any = _U
    output_tokens_per_iteration: Any = _U
    request_args: Any = _U
    request_type: Any = _U


_RequestList = Union[list[_Request], None, UnsetType]  # noqa: UP007


class _Requests(Struct):
    successful: _RequestList = _U
    errored: _RequestList = _U
    incomplete: _RequestList = _U


class _Benchmark(Struct):
    args: Any = _U  # 0.2-0.3: the strategy
    config: Any = _U  # 0.4+: the strategy; 0.6: the backend model
    worker: Any = _U  # 0.3: backend_model
    request_loader: Any = _U  # 0.2-0.3: the data spec
    requests: Union[_Requests, None, UnsetType] = _U  # noqa: UP007
    metrics: Union[_Metrics, None, UnsetType] = _U  # noqa: UP007
    request_totals: Any = _U
    duration: Any = _U


class _Document(Struct):
    benchmarks: Union[list[_Benchmark], UnsetType] = _U  # noqa: UP007
    metadata: Any = _U
    config: Any = _U
    args: Any = _U
    conclusions: msgspec.Raw = msgspec.Raw()  # detect_schema asks only whether it is there
    # vllm bench serve's keys (parsers.vllm_bench.is_vllm_bench): when one is there, the file is parsed whole
    input_lens: msgspec.Raw = msgspec.Raw()
    output_lens: msgspec.Raw = msgspec.Raw()
    ttfts: msgspec.Raw = msgspec.Raw()
    itls: msgspec.Raw = msgspec.Raw()
    completed: msgspec.Raw = msgspec.Raw()
    duration: msgspec.Raw = msgspec.Raw()
    request_throughput: msgspec.Raw = msgspec.Raw()


_DECODER = msgspec.json.Decoder(_Document)
_OTHER_DRIVER = (*REQUIRED, *AGGREGATE)


def read_load_json(path: str) -> Any:
    """The load-driver JSON at `path`: a guidellm result as its lean tree (module docstring), anything
    else exactly as `read_json` gives it (and with its errors)."""
    with open_input(path, "rb") as handle:
        data = handle.read()
    try:
        doc = _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return decode_json(path, data)
    if doc.benchmarks is UNSET or any(len(getattr(doc, key)) for key in _OTHER_DRIVER):
        return decode_json(path, data)
    doc.conclusions = None if len(doc.conclusions) else UNSET  # type: ignore[assignment]
    for key in _OTHER_DRIVER:
        setattr(doc, key, UNSET)
    return msgspec.to_builtins(doc)
