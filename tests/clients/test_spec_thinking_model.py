"""The speculative-thinking result goes through one typed model both ways (parsers/client_results/spec_thinking.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.clients.spec_thinking import cli as spec_thinking
from speclens.parsers.client_results import SpecThinkingResult, parse_client_result, read_client_result
from speclens.parsers.errors import ParseError

from tests.clients.test_spec_thinking import files, pair  # noqa: F401  (fixtures)
from tests.clients.report_check import assert_report_refuses

SEED001 = Path(__file__).resolve().parents[1] / "data" / "seed001_example.json"
CALLS = {k: {"calls": 0, "tokens": 0} for k in ("begin", "cue", "recap", "verify")}
RUN = {"run": 0, "finish": "eos", "timed_out": False, "latency": 0.5, "total_tokens": 7, "small_tokens": 5,
       "large_tokens": 2, "inserted_tokens": 0, "small_tokens_discarded": 4, "large_tokens_discarded": 0,
       "large_model_ratio": 0.2857, "throughput": 14.0, "triggers": 2, "cues": 1, "large_calls_by_kind": CALLS,
       "large_calls": [{"kind": "cue", "position": 2, "tokens": 2, "kept": True, "large_text": "L1L2",
                        "small_text": " waitx", "small_sentiment": -1, "large_sentiment": 0}],
       "predicted_answer": None, "answer_source": None, "correct": False, "text": "a"}
DESCRIBED = {"n": 1, "mean": 7.0, "median": 7.0, "std": 0.0, "min": 7.0, "max": 7.0}
SPEC = {"results": {"0": {"question": "3 + 4?", "answer": "7", "runs": [RUN]}},
        "statistics": {k: DESCRIBED for k in ("latency", "throughput", "total_tokens", "large_model_ratio",
                                              "large_tokens")} | {"large_model_ratio_pooled": 0.2857},
        "accuracy": {"correct": 0, "runs": 1, "accuracy": 0.0, "timed_out": 0, "no_answer": 1},
        "large_model_calls": {"triggers": 2, "cues": 1, "small_tokens_discarded": 4, **CALLS}}
COMPARISON = {"speedup": None, "throughput_improvement": None, "large_model_reduction": None,
              "accuracy_speculative_thinking": 0.0}


def test_written_is_the_old_document_plus_the_version_after_client() -> None:
    fields = {"timestamp": "20260105_143022", "config": {"num_problems": 1, "temperature": 0.0, "top_k": -1,
                                                         "speculative_config": {"time_out": None, "mode": "vllm"}},
              "large_model": None, "speculative_thinking": SPEC, "comparison": COMPARISON}
    doc = SpecThinkingResult.written(**fields)
    # byte for byte what the client wrote before, with "schema_version": 1 right after "client"
    assert json.dumps(doc) == json.dumps({"client": "spec_thinking", "schema_version": 1, **fields})
    back = parse_client_result("st.json", json.loads(json.dumps(doc)))
    assert list(back.modes) == ["speculative_thinking"] and back.speculative_thinking.mean("latency") == 7.0
    assert back.speculative_thinking.results["0"].runs[0].large_calls[0].small_sentiment == -1


def test_the_client_writes_through_the_model(files, pair, run_client, tmp_path) -> None:  # noqa: F811
    _, _, urls = pair
    code, out = run_client(spec_thinking.main, *files(), *urls, "--num-problems", "1", "--num-runs", "1",
                           "--temperature", "0")
    assert code == 0 and list(out)[:2] == ["client", "schema_version"] and out["schema_version"] == 1
    back = read_client_result(str(tmp_path / "out.json"))
    assert isinstance(back, SpecThinkingResult) and back.model_dump(mode="json", exclude_unset=True) == out


def test_the_seed_file_without_client_or_version_still_reads() -> None:
    r = read_client_result(str(SEED001))
    assert isinstance(r, SpecThinkingResult) and r.schema_version is None
    assert list(r.modes) == ["large_model", "speculative_thinking"] and r.timestamp == "20260105_143022"
    assert r.comparison.speedup == 1.61 and r.large_model.statistics.latency is None  # "statistics": {}
    assert r.configuration() == json.loads(SEED001.read_text())["config"]  # as written, nothing added


def test_one_mode_key_is_enough_to_recognise_the_kind() -> None:
    r = parse_client_result("one.json", {"config": {}, "large_model": {"statistics": {}}, "comparison": {}})
    assert isinstance(r, SpecThinkingResult) and list(r.modes) == ["large_model"] and r.comparison.speedup is None


@pytest.mark.parametrize(("change", "message"), [
    ({"comparison": {**COMPARISON, "speedup": "1.6"}}, "expected a number at comparison.speedup, got str"),
    ({"speculative_thinking": {**SPEC, "accuracy": {"correct": True}}},
     "expected an integer at speculative_thinking.accuracy.correct, got bool"),
    ({"large_model": {"results": {}}}, "expected 'statistics' at large_model"),
    ({"speculative_thinking": {**SPEC, "results": {"0": {"runs": [{**RUN, "latency": "1s"}]}}}},
     "expected a number at speculative_thinking.results.0.runs[0].latency, got str"),
])
def test_a_wrong_field_is_named(change: dict, message: str) -> None:
    doc = {"client": "spec_thinking", "config": {}, "large_model": None, "speculative_thinking": SPEC,
           "comparison": COMPARISON, **change}
    with pytest.raises(ParseError) as info:
        parse_client_result("bad.json", doc)
    assert str(info.value).startswith("bad.json: ") and message in str(info.value)


def test_report_on_a_bad_file_is_one_line(tmp_path: Path) -> None:
    assert_report_refuses(tmp_path, {"client": "spec_thinking", "config": {}, "speculative_thinking": SPEC,
                                     "comparison": {**COMPARISON, "speedup": "1.6"}},
                          "expected a number at comparison.speedup, got str")
