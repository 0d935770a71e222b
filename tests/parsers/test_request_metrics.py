"""Per-request spec-decode metrics (vLLM's `metrics.speculative_decoding`) read into typed, validated
records (parsers.request_metrics). Inputs are hand-made with vLLM 0.32.0's exact field names
(v1/metrics/stats.py RequestSpecDecodeMetrics.to_dict) and guidellm 0.8.1's request layout
(`requests.successful[i].response_metrics`).

TODO(issue 23): a test on a REAL recorded guidellm 0.8.1 JSON with response_metrics, once the lead has
put one at fixtures/recorded/per-request/ (not there when this file was written).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.parsers.errors import ParseError
from speclens.parsers.request_metrics import RequestSpec, Violation, check_spec, read_request_specs

from tests.conftest import RECORDED

FIXTURES = RECORDED.parent  # fixtures/recorded


def spec(histogram: list[int], k: int = 3, steps: int | None = None, accepted: int | None = None,
         drafted: int | None = None, **extra: object) -> dict:
    """A speculative_decoding object; counts consistent with `histogram` unless given."""
    steps = sum(histogram) if steps is None else steps
    accepted = sum(j * h for j, h in enumerate(histogram)) if accepted is None else accepted
    return {"mean_acceptance_length": 1.0 + accepted / steps if steps else 1.0,
            "draft_acceptance_rate": accepted / (steps * k) if steps else 0.0, "acceptance_histogram": histogram,
            "num_spec_steps": steps, "num_accepted_draft_tokens": accepted,
            "num_draft_tokens": steps * k if drafted is None else drafted, "num_spec_tokens": k, **extra}


# k = 3, histogram [1, 2, 0, 1]: steps = 1 + 2 + 0 + 1 = 4; accepted = 0·1 + 1·2 + 2·0 + 3·1 = 5;
# drafted = 4 steps · 3 = 12
GOOD = spec([1, 2, 0, 1])


def request(rid: str, metrics: object, prompt: int, output: int) -> dict:
    return {"request_id": rid, "response_id": f"chatcmpl-{rid}", "prompt_tokens": prompt, "output_tokens": output,
            "request_latency": 1.5, "time_to_first_token_ms": 120.0,
            "input_metrics": {"text_tokens": prompt, "total_tokens": prompt},
            "output_metrics": {"text_tokens": output, "total_tokens": output}, "response_metrics": metrics}


def guidellm_doc(requests: list[dict], totals: int | None = None, sample_size: object = "absent") -> dict:
    bench: dict = {"config": {"strategy": {"type_": "synchronous"}}, "requests": {"successful": requests}}
    if sample_size != "absent":
        bench["config"]["sample_size"] = sample_size
    if totals is not None:
        bench["metrics"] = {"request_totals": {"successful": totals, "errored": 0, "incomplete": 0}}
    return {"metadata": {"version": 2, "guidellm_version": "0.8.1"}, "config": {}, "benchmarks": [bench],
            "conclusions": {}}


def write(tmp_path: Path, doc: object, name: str = "g.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def test_guidellm_three_requests_one_without_metrics_one_violating(tmp_path: Path) -> None:
    bad = spec([2, 3, 1, 1], steps=8)  # Σ histogram = 2 + 3 + 1 + 1 = 7, file says 8
    path = write(tmp_path, guidellm_doc([
        request("a", {"time_to_first_token_ms": 80.0, "speculative_decoding": GOOD}, 52, 64),
        request("b", None, 40, 30),
        request("c", {"speculative_decoding": bad}, 10, 20)], totals=3, sample_size=None))
    got = read_request_specs(path, category="math")
    assert got is not None
    assert (got.source_kind, got.requests_seen, got.without_metrics, got.sampled) == ("guidellm", 3, 1, False)
    assert got.records == (RequestSpec(
        request_id="a", source=f"{path}:benchmarks[0].requests.successful[0]", k=3, histogram=(1, 2, 0, 1),
        steps=4, accepted=5, drafted=12, per_step_accepted=None, per_step_drafted=None, prompt_tokens=52,
        output_tokens=64, latency_s=1.5, ttft_s=0.12, category="math"),)  # 120 ms = 0.12 s (guidellm's TTFT)
    assert got.violations == (Violation(f"{path}:benchmarks[0].requests.successful[2].response_metrics"
                                        ".speculative_decoding", "Σ histogram 7 != num_spec_steps 8"),)


@pytest.mark.parametrize(("totals", "sample_size", "sampled"), [
    (5, 2, True),  # 2 rows saved of 5 successful: a reservoir of sample_size 2
    (2, 2, False),  # sample_size not reached: every request kept
    (None, 2, True),  # no totals: the file says it samples
    (None, None, False),  # sample_size null: guidellm keeps all
    (None, "absent", None),  # the file says neither
])
def test_guidellm_sampled(tmp_path: Path, totals: int | None, sample_size: object, sampled: bool | None) -> None:
    rows = [request(str(i), {"speculative_decoding": GOOD}, 10, 10) for i in range(2)]
    got = read_request_specs(write(tmp_path, guidellm_doc(rows, totals, sample_size)))
    assert got is not None and got.sampled is sampled


def test_detailed_record_keeps_per_step_arrays() -> None:
    from speclens.parsers.request_metrics import spec_record

    # per step accepted 1, 0, 3, 1 → histogram bins 0:1, 1:2, 3:1 = [1, 2, 0, 1]; Σ = 5 accepted, Σ drafted 3·4 = 12
    detailed = {**GOOD, "per_step_accepted": [1, 0, 3, 1], "per_step_drafted": [3, 3, 3, 3]}
    got = spec_record(detailed, "src", "loc", request_id="r")
    assert isinstance(got, RequestSpec)
    assert (got.per_step_accepted, got.per_step_drafted, got.steps, got.accepted, got.drafted) == \
        ((1, 0, 3, 1), (3, 3, 3, 3), 4, 5, 12)


@pytest.mark.parametrize(("raw", "what"), [
    (spec([1, 2, 0, 1], steps=5), "Σ histogram 4 != num_spec_steps 5"),
    # Σ j·h = 0·1 + 1·2 + 2·0 + 3·1 = 5
    (spec([1, 2, 0, 1], accepted=6, drafted=12), "Σ j·histogram[j] 5 != num_accepted_draft_tokens 6"),
    (spec([1, 2, 0, 1], drafted=4), "num_accepted_draft_tokens 5 > num_draft_tokens 4"),
    (spec([1, 2, 1], k=3, drafted=12), "len(histogram) 3 != num_spec_tokens + 1 = 4"),
    # 3 steps listed for 4 (their Σ 1 + 0 + 4 = 5 does match)
    ({**GOOD, "per_step_accepted": [1, 0, 4], "per_step_drafted": [3, 3, 3, 3]}, "len(per_step_accepted) 3 != num_spec_steps 4"),
    ({**GOOD, "per_step_accepted": [1, 0, 3, 1], "per_step_drafted": [3, 3, 3, 2]},
     "Σ per_step_drafted 11 != num_draft_tokens 12"),  # 3 + 3 + 3 + 2 = 11
    ({**GOOD, "per_step_accepted": [1, 0, 3, 1]}, "per_step_accepted given without per_step_drafted"),
    ({**GOOD, "num_spec_steps": "4"}, "missing or not made of non-negative integers: num_spec_steps"),
    ({k: v for k, v in GOOD.items() if k != "acceptance_histogram"},
     "missing or not made of non-negative integers: acceptance_histogram"),
    ("oops", "expected an object, got str"),
])
def test_each_violation_kind(raw: object, what: str) -> None:
    assert "; ".join(check_spec(raw)) == what


def test_several_failures_of_one_record_are_all_named() -> None:
    # [0, 0, 9, 0]: Σ = 9 steps vs 4 given; Σ j·h = 2·9 = 18 vs 5 given; 5 accepted <= 12 drafted
    assert check_spec(spec([0, 0, 9, 0], steps=4, accepted=5)) == [
        "Σ histogram 9 != num_spec_steps 4", "Σ j·histogram[j] 18 != num_accepted_draft_tokens 5"]


def test_zero_steps_record_is_kept_with_vllms_placeholder_rates(tmp_path: Path) -> None:
    zero = spec([0, 0, 0, 0])
    assert (zero["mean_acceptance_length"], zero["draft_acceptance_rate"]) == (1.0, 0.0)  # vLLM's placeholders
    got = read_request_specs(write(tmp_path, guidellm_doc([request("z", {"speculative_decoding": zero}, 5, 1)])))
    assert got is not None and got.violations == ()
    (record,) = got.records
    assert (record.steps, record.accepted, record.drafted, record.histogram) == (0, 0, 0, (0, 0, 0, 0))


def response(rid: str, sd: object, ttft_ms: float = 50.0) -> dict:
    return {"id": rid, "object": "chat.completion", "choices": [{"index": 0, "message": {"content": "x"}}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
            "metrics": {"time_to_first_token_ms": ttft_ms, "generation_time_ms": 90.0, "speculative_decoding": sd}}


def test_jsonl_raw_responses(tmp_path: Path) -> None:
    bad = spec([1, 2, 0, 1], drafted=4)
    lines = [json.dumps(response("r1", GOOD)), "", json.dumps(response("r2", None)), json.dumps(response("r3", bad))]
    path = write(tmp_path, "\n".join(lines) + "\n", "responses.jsonl")
    got = read_request_specs(path)
    assert got is not None
    # 3 responses (the blank line 2 skipped), r2 without metrics
    assert (got.source_kind, got.requests_seen, got.without_metrics, got.sampled) == ("responses", 3, 1, None)
    (record,) = got.records
    assert (record.request_id, record.source, record.prompt_tokens, record.output_tokens) == ("r1", f"{path}:1", 11, 7)
    assert (record.ttft_s, record.latency_s) == (0.05, None)  # the server's 50 ms; a response has no latency
    assert got.violations == (Violation(f"{path}:4 metrics.speculative_decoding",
                                        "num_accepted_draft_tokens 5 > num_draft_tokens 4"),)


def test_json_array_and_single_response(tmp_path: Path) -> None:
    arr = read_request_specs(write(tmp_path, [response("a", GOOD), response("b", GOOD)], "arr.json"))
    assert arr is not None and [r.source.rsplit(":", 1)[1] for r in arr.records] == ["[0]", "[1]"]
    one = read_request_specs(write(tmp_path, response("a", GOOD), "one.json"))
    assert one is not None and (one.requests_seen, len(one.records)) == (1, 1)


@pytest.mark.parametrize(("text", "where"), [
    ('{"benchmarks": [', "g.json:1: invalid JSON (Expecting value)"),
    (json.dumps(response("a", GOOD)) + "\n{\"id\": \n", "g.json:2: invalid JSON (Expecting value) in a JSON Lines"),
    (json.dumps(response("a", GOOD)) + "\n[1]\n", "g.json:2: expected a JSON response object, found a list"),
])
def test_bad_json_is_one_line_parse_error(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(ParseError) as err:
        read_request_specs(write(tmp_path, text))
    line = str(err.value)
    assert "\n" not in line and line.startswith(str(tmp_path / where.split(":")[0]))
    assert line.removeprefix(str(tmp_path) + "/").startswith(where)


def test_files_without_per_request_data_are_none(tmp_path: Path) -> None:
    recorded = FIXTURES / "load-drivers"
    # guidellm 0.8.1 run against a server without the flag: response_metrics null in every request
    assert read_request_specs(str(recorded / "guidellm-0.8.1-concurrent2" / "guidellm_results.json")) is None
    # vllm bench serve --save-detailed keeps no per-request metrics
    for path in sorted((recorded / "vllm-bench-0.32.0-concurrency2-detailed").glob("*.json")):
        assert read_request_specs(str(path)) is None
    assert read_request_specs(write(tmp_path, {"metadata": {}, "per_prompt": []}, "client.json")) is None
    assert read_request_specs(write(tmp_path, {"anything": 1}, "other.json")) is None
