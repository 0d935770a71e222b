"""parsers.client_results reads every client's JSON back, and rejects what it cannot use."""

from __future__ import annotations

import pytest
from speclens.clients.accuracy import cli as gsm8k_accuracy
from speclens.clients.draft_verify import cli as gsm8k_draft_verify
from speclens.clients.common.problems import generated
from speclens.parsers.client_results import (
    AccuracyResult,
    DraftVerifyResult,
    SpecThinkingResult,
    ThreeModeResult,
    parse_client_result,
    read_client_result,
)
from speclens.parsers.errors import ParseError


def test_round_trip_draft_verify_and_accuracy(world, server, run_client, tmp_path) -> None:
    p = generated(0, 1)[0]
    world.script("target", p.question, world.encode("a", f" #### {p.answer}"))
    world.script("draft", p.question, world.encode("a", " b"))
    code, _ = run_client(gsm8k_draft_verify.main, "--draft-url", server.url, "--target-url", server.url,
                         "--draft-model", "draft", "--target-model", "target", "--num-samples", "1", name="dv.json")
    assert code == 0
    dv = read_client_result(str(tmp_path / "dv.json"))
    # round 1: k=4 but the draft stops at EOS: a, " b", EOS (3); the target agrees on "a" only → 1/3, next " #### N"
    # round 2: draft proposes EOS (the draft's seq[2]); the target agrees → 1/1. Totals 2/4.
    assert isinstance(dv, DraftVerifyResult)
    assert (dv.summary.total_draft_generated, dv.summary.total_draft_accepted, dv.summary.total_tokens) == (4, 2, 3)
    assert dv.speedup is None and dv.results[0].correct is True
    code, _ = run_client(gsm8k_accuracy.main, "--url", server.url, "--model", "target", "--num-samples", "1",
                         "--dataset", "generated", name="acc.json")
    acc = read_client_result(str(tmp_path / "acc.json"))
    assert isinstance(acc, AccuracyResult) and (acc.metrics.correct, acc.metrics.total) == (1, 1)
    assert acc.metrics.accuracy == 1.0


def test_users_legacy_shapes_without_client_field() -> None:
    legacy = {"config": {"draft_model": "facebook/opt-350m"},
              "summary": {"avg_acceptance_rate": 0.852, "avg_speed": 66.1, "total_tokens": 5120,
                          "total_draft_generated": 5733, "total_draft_accepted": 4845}, "results": []}
    r = parse_client_result("legacy.json", legacy)
    assert isinstance(r, DraftVerifyResult) and r.summary.draft_efficiency is None
    assert r.summary.total_draft_accepted == 4845
    spec = {"config": {}, "large_model": {"results": {}, "statistics": {}}, "speculative_thinking": None,
            "comparison": {"speedup": 1.61, "throughput_improvement": 1.61, "large_model_reduction": 0.548}}
    assert parse_client_result("s.json", spec).comparison.large_model_reduction == 0.548
    suite = {"metadata": {}, "summary": {"target_only": {"avg_tokens_per_second": 45.2}}, "per_prompt": []}
    assert isinstance(parse_client_result("t.json", suite), ThreeModeResult)
    assert isinstance(parse_client_result("s.json", spec), SpecThinkingResult)


@pytest.mark.parametrize(("data", "message"), [
    ([], "expected a JSON object at the top level"),
    ({"foo": 1}, "expected a speclens client result"),
    ({"config": {}, "summary": {"total_tokens": "5"}, "results": []}, "expected an integer at summary.total_tokens"),
    ({"client": "gsm8k_accuracy", "config": {}, "metrics": {"correct": 1}, "results": []},
     "expected 'total' at metrics"),
])
def test_bad_input_raises_parse_error(data, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_client_result("x.json", data)
    assert message in str(info.value) and str(info.value).startswith("x.json: ")


def test_json_syntax_error_has_a_line(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "config": {},\n  oops\n}\n')
    with pytest.raises(ParseError) as info:
        read_client_result(str(bad))
    assert info.value.lineno == 3


def test_booleans_are_not_numbers() -> None:
    with pytest.raises(ParseError):
        parse_client_result("b.json", {"config": {}, "summary": {"total_tokens": True, "total_draft_generated": 1,
                                                                  "total_draft_accepted": 1}, "results": []})
