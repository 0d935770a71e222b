from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import read_guidellm

from tests.conftest import RECORDED

REQUEST = {"prompt_tokens": 64, "output_tokens": 128, "request_latency": 1.5, "time_to_first_token_ms": 100.0,
           "inter_token_latency_ms": 10.0, "time_per_output_token_ms": 11.0, "output_tokens_per_second": 85.0}


def write(tmp_path: Path, doc: object) -> str:
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_recorded_guidellm_0_8_run() -> None:
    run = read_guidellm(str(RECORDED / "draft-greedy" / "guidellm_results.json"))
    assert (run.schema, run.tool_version, run.model, len(run.benchmarks)) == ("0.8", "0.8.1", "tiny", 1)
    b = run.benchmarks[0]
    assert (b.strategy, b.rate, b.totals) == ("synchronous", None, {"successful": 20, "errored": 0, "incomplete": 0})
    first = b.requests[0]
    assert (first.prompt_tokens, first.output_tokens) == (76, 128)
    assert first.latency_s == pytest.approx(1.2022945880889893)


def test_recorded_concurrent_profile_reads_streams_as_rate() -> None:
    b = read_guidellm(str(RECORDED / "base-greedy-c4" / "guidellm_results.json")).benchmarks[0]
    assert (b.strategy, b.rate, b.totals["successful"]) == ("concurrent", 4.0, 40)


def test_guidellm_counted_19_of_20() -> None:
    b = read_guidellm(str(RECORDED / "final-ngram-eager" / "guidellm_results.json")).benchmarks[0]
    assert (b.totals["successful"], len(b.requests)) == (19, 19)


@pytest.mark.parametrize(("doc", "schema"), [
    ({"benchmarks": [{"args": {"strategy": {"type_": "constant", "rate": 2.0}}, "requests": {"successful": [REQUEST]}}]},
     "0.2-0.3"),
    ({"args": {}, "benchmarks": [{"config": {"strategy": {"type_": "constant", "rate": 2.0}},
                                  "requests": {"successful": [REQUEST]}}]}, "0.4"),
    ({"metadata": {"version": 1}, "args": {}, "benchmarks": [{"config": {"strategy": {"type_": "constant", "rate": 2.0}},
                                                            "requests": {"successful": [REQUEST]}}]}, "0.5-0.6"),
    ({"metadata": {"version": 2}, "config": {}, "benchmarks": [{"config": {"strategy": {"type_": "constant", "rate": 2.0}},
                                                              "requests": {"successful": [REQUEST]}}]}, "0.7"),
])
def test_schema_generations(tmp_path: Path, doc: dict, schema: str) -> None:
    run = read_guidellm(write(tmp_path, doc))
    b = run.benchmarks[0]
    assert (run.schema, b.strategy, b.rate, b.totals["successful"]) == (schema, "constant", 2.0, 1)
    assert (b.requests[0].output_tokens, b.requests[0].latency_s, b.requests[0].tpot_ms) == (128, 1.5, 11.0)


def test_output_metrics_text_tokens_fallback(tmp_path: Path) -> None:
    row = {"output_metrics": {"text_tokens": 42}, "input_metrics": {"text_tokens": 7}}
    doc = {"metadata": {"version": 2}, "benchmarks": [{"config": {"strategy": {"type_": "throughput"}},
                                                      "requests": {"successful": [row]}}]}
    r = read_guidellm(write(tmp_path, doc)).benchmarks[0].requests[0]
    assert (r.output_tokens, r.prompt_tokens) == (42, 7)


@pytest.mark.parametrize(("doc", "message"), [
    ({"metadata": {"version": 9}, "benchmarks": []}, "unknown guidellm JSON schema metadata.version=9 (known: 1, 2)"),
    ({"benchmarks": [{"benchmarks": [], "args": {}}]}, "guidellm 0.1 JSON carries no per-request metrics"),
    ([1, 2], "expected a guidellm result JSON object with a 'benchmarks' list"),
])
def test_unusable_documents(tmp_path: Path, doc: object, message: str) -> None:
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        read_guidellm(write(tmp_path, doc))


def test_truncated_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text('{"benchmarks": [\n{"args":\n')
    with pytest.raises(ParseError) as err:
        read_guidellm(str(path))
    assert (err.value.lineno, err.value.expected) == (3, "invalid JSON (Expecting value)")


def test_load_config_of_each_generation() -> None:
    from speclens.parsers.load_config import CHAT, COMPLETIONS

    drivers = RECORDED.parent / "load-drivers"
    # 0.3.1: requests[0].request_type "text_completions"; request_loader.data "prompt_tokens=32,output_tokens=64";
    # no request bodies kept -> max_tokens and temperatures unknown (None)
    c = read_guidellm(str(drivers / "guidellm-0.3.1-synchronous" / "guidellm_results.json")).config
    assert (c.endpoint, c.prompt_tokens, c.output_tokens, c.max_tokens, c.temperatures) == (COMPLETIONS, 32, 64, None, None)
    # 0.4.0: request_args is a Python repr string with body.max_completion_tokens 64 and no temperature
    # -> (64,) and () (requests set none: the server default applies)
    c = read_guidellm(str(drivers / "guidellm-0.4.0-synchronous" / "guidellm_results.json")).config
    assert (c.endpoint, c.prompt_tokens, c.output_tokens, c.max_tokens, c.temperatures) == (CHAT, 32, 64, (64,), ())
    # 0.8.1 base-greedy-c4: config.spec.backend.request_format /v1/completions, data[0] 64/128
    c = read_guidellm(str(RECORDED / "base-greedy-c4" / "guidellm_results.json")).config
    assert (c.endpoint, c.prompt_tokens, c.output_tokens, c.max_tokens) == (COMPLETIONS, 64, 128, (128,))


def test_aggregates_are_the_drivers_own_numbers() -> None:
    # base-greedy-c4 metrics: output_token_count.successful.total_sum 5120, output_tokens_per_second
    # .successful.mean 334.364 (= 5120 / duration 15.3127 s), request_latency mean 1.5191 s
    b = read_guidellm(str(RECORDED / "base-greedy-c4" / "guidellm_results.json")).benchmarks[0]
    assert b.aggregates is not None and b.rows_complete
    assert (b.aggregates.output_tokens, b.aggregates.mean_itl_weighting) == (5120, "request")
    assert b.aggregates.output_throughput == pytest.approx(5120 / 15.312650442123413)
    assert b.aggregates.mean_latency_s == pytest.approx(sum(r.latency_s for r in b.requests) / 40)


def test_vllm_bench_aggregates_without_detail() -> None:
    from speclens.parsers.load_results import read_load_results

    path = RECORDED.parent / "load-drivers" / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_result.json"
    b = read_load_results(str(path)).benchmarks[0]
    a = b.aggregates
    # completed 12, total_output_tokens 768, output_throughput 99.5445 = 768 / 7.715142531, mean_tpot_ms
    # 19.2555, mean_itl_ms 19.4615 (every gap pooled), 12 latencies whose mean is mean_latency_s
    assert a is not None and (b.requests, b.rows_complete) == ([], False)
    assert (a.successful, a.output_tokens, a.prompt_tokens, a.mean_itl_weighting) == (12, 768, 389, "token")
    assert a.output_throughput == pytest.approx(768 / 7.715142530999401)
    assert (a.mean_tpot_ms, a.mean_itl_ms) == (pytest.approx(19.25552627909821), pytest.approx(19.46146773662867))
    assert len(a.latencies_s) == 12 and a.mean_latency_s == pytest.approx(sum(a.latencies_s) / 12)
