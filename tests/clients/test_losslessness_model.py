"""The losslessness result goes through one typed model both ways (parsers/client_results/losslessness.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.parsers.client_results import LosslessnessResult, parse_client_result
from speclens.parsers.errors import ParseError

from tests.clients.report_check import assert_report_refuses

PROMPT = {"question": "2+2?", "ground_truth": "4", "identical": False, "first_divergence": 1, "common_prefix": 1,
          "reference_tokens": 3, "candidate_tokens": 2, "reference_text": "x y", "candidate_text": "x z",
          "reference_answer": None, "reference_correct": False, "candidate_answer": None,
          "candidate_correct": False, "divergence_context": "x", "reference_next": " y", "candidate_next": " z"}
SUMMARY = {"prompts": 1, "identical": 0, "identity_rate": 0.0, "token_agreement": 0.3333,
           "reference_accuracy": 0.0, "candidate_accuracy": 0.0, "accuracy_equal": True, "lossless": False}


def test_written_puts_kind_and_version_first_and_keeps_every_value() -> None:
    doc = LosslessnessResult.written(config={"num_samples": 1, "temperature": 0.0}, summary=SUMMARY,
                                     results=[PROMPT])
    assert list(doc)[:2] == ["client", "schema_version"] and doc["schema_version"] == 1
    assert doc["summary"] == SUMMARY and doc["results"] == [PROMPT]  # 0.0 stays a float, 1 an int
    back = parse_client_result("ll.json", json.loads(json.dumps(doc)))
    assert back.summary.token_agreement == 0.3333 and back.results[0].candidate_next == " z"


def test_a_file_written_before_versions_reads_with_version_none() -> None:
    old = {"client": "losslessness", "config": {}, "summary": SUMMARY, "results": [PROMPT]}
    assert parse_client_result("old.json", old).schema_version is None


@pytest.mark.parametrize(("summary", "message"), [
    ({**SUMMARY, "identity_rate": "1"}, "expected a number at summary.identity_rate, got str"),
    ({**SUMMARY, "identical": True}, "expected an integer at summary.identical, got bool"),  # strict: true is not 1
    ({k: v for k, v in SUMMARY.items() if k != "lossless"}, "expected 'lossless' at summary"),
])
def test_a_wrong_field_is_named(summary: dict, message: str) -> None:
    with pytest.raises(ParseError, match=message.replace(".", r"\.")):
        parse_client_result("bad.json", {"client": "losslessness", "config": {}, "summary": summary, "results": []})


def test_report_on_a_bad_file_is_one_line(tmp_path: Path) -> None:
    assert_report_refuses(tmp_path, {"client": "losslessness", "config": {}, "results": [],
                                     "summary": {**SUMMARY, "identity_rate": "1"}},
                          "expected a number at summary.identity_rate, got str")
