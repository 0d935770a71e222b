"""The GSM8K accuracy result goes through one typed model both ways (parsers/client_results/accuracy.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.clients.accuracy import cli as gsm8k_accuracy
from speclens.clients.common.problems import generated
from speclens.parsers.client_results import AccuracyResult, parse_client_result, read_client_result
from speclens.parsers.errors import ParseError

from tests.clients.report_check import assert_report_refuses

SEED003 = Path(__file__).resolve().parents[1] / "data" / "seed003_example.json"
METRICS = {"accuracy": 0.5, "correct": 1, "total": 2, "percentage": "50.00%", "avg_tokens_per_second": 12.5,
           "pooled_tokens_per_second": 12.0, "avg_generation_time": 0.25, "total_generation_time": 0.5}
ROW = {"idx": 0, "question": "2+2?", "ground_truth": "#### 4", "ground_truth_answer": "4", "generated_text": "#### 4",
       "predicted_answer": "4", "correct": True, "generation_time": 0.25, "prompt_tokens": None,
       "completion_tokens": 3, "tokens_per_second": 12.0,
       "server_denoising": {"denoising_steps": 6, "canvas_positions": 24, "committed_tokens": 12,
                            "per_step_committed": [0, 4, 0, 4, 0, 4]}}
DIFFUSION = {"source": "/metrics vllm:diffusion_* after − before, summed over engines", "committed_tokens": 48,
             "denoising_steps": 24, "canvas_positions": 96, "committed_per_step": 2.0, "steps_per_canvas": None,
             "restarted": []}


def test_written_is_the_old_document_plus_the_version_after_client() -> None:
    fields = {"config": {"model_name": "m", "temperature": 0.0, "sample_seed": None, "request_vllm_xargs": {},
                         "not_sent": {"confidence_threshold": "why"}},
              "metrics": METRICS, "results": [ROW, {**ROW, "idx": 1, "predicted_answer": None, "correct": False}],
              "server_diffusion": DIFFUSION, "server_diffusion_unavailable": None}
    doc = AccuracyResult.written(**fields)
    # byte for byte what the client wrote before, with "schema_version": 1 right after "client"
    assert json.dumps(doc) == json.dumps({"client": "gsm8k_accuracy", "schema_version": 1, **fields})
    back = parse_client_result("acc.json", json.loads(json.dumps(doc)))
    assert back.results[0].server_denoising.per_step_committed == [0, 4, 0, 4, 0, 4]
    assert back.server_diffusion.steps_per_canvas is None and back.metrics.avg_generation_time == 0.25


def test_the_client_writes_through_the_model(world, server, run_client, tmp_path) -> None:
    p = generated(0, 1)[0]
    world.script("target", p.question, world.encode("a", f" #### {p.answer}"))
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--model", "target", "--num-samples", "1",
                           "--dataset", "generated", "--verbose", "false")
    assert code == 0 and list(out)[:2] == ["client", "schema_version"] and out["schema_version"] == 1
    back = read_client_result(str(tmp_path / "out.json"))
    assert isinstance(back, AccuracyResult) and back.model_dump(mode="json", exclude_unset=True) == out
    # 1 right of 1: accuracy 1 / 1 = 1.0
    assert (back.metrics.correct, back.metrics.total, back.metrics.accuracy) == (1, 1, 1.0)


def test_the_sdar_seed_file_without_client_or_version_still_reads() -> None:
    r = read_client_result(str(SEED003))
    assert isinstance(r, AccuracyResult) and r.schema_version is None and r.server_diffusion is None
    assert (r.metrics.accuracy, r.metrics.correct, r.metrics.total) == (0.5234, 65, 124)
    assert r.results[0].completion_tokens is None and r.results[0].predicted_answer == "18"
    assert r.configuration() == json.loads(SEED003.read_text())["config"]  # as written, nothing added


@pytest.mark.parametrize(("change", "message"), [
    ({"metrics": {**METRICS, "accuracy": "0.5"}}, "expected a number at metrics.accuracy, got str"),
    ({"metrics": {**METRICS, "correct": True}}, "expected an integer at metrics.correct, got bool"),
    ({"metrics": {k: v for k, v in METRICS.items() if k != "total"}}, "expected 'total' at metrics"),
    ({"results": [{**ROW, "correct": "yes"}]}, "expected true or false at results[0].correct, got str"),
    ({"server_diffusion": {**DIFFUSION, "committed_tokens": 4.5}},
     "expected an integer at server_diffusion.committed_tokens, got float"),
])
def test_a_wrong_field_is_named(change: dict, message: str) -> None:
    doc = {"client": "gsm8k_accuracy", "config": {}, "metrics": METRICS, "results": [ROW], **change}
    with pytest.raises(ParseError) as info:
        parse_client_result("bad.json", doc)
    assert str(info.value).startswith("bad.json: ") and message in str(info.value)


def test_report_on_a_bad_file_is_one_line(tmp_path: Path) -> None:
    assert_report_refuses(tmp_path, {"client": "gsm8k_accuracy", "config": {}, "results": [],
                                     "metrics": {**METRICS, "accuracy": "0.5"}},
                          "expected a number at metrics.accuracy, got str")
