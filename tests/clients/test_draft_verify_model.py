"""The draft/verify client's JSON is one typed, versioned model (parsers/client_results/draft_verify.py):
the client writes through it, `speclens report`/`compare` read it back, old files still read."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from speclens.analyzers.client_results.report import client_markdown
from speclens.clients.draft_verify import metrics as dm
from speclens.clients.draft_verify.report import build_result
from speclens.parsers.client_results import DraftVerifyResult, parse_client_result, read_client_result
from speclens.parsers.errors import ParseError

from tests.conftest import ROOT
from tests.clients.report_check import assert_report_refuses

ARGS = argparse.Namespace(max_tokens=64, temperature=0.0, strategy="deterministic", strategy_from="default",
                          num_draft_tokens=4, top_n=20, dataset_file=None, dataset="generated", sample=False,
                          prompt_format="chat", seed=0, draft_url="http://d", target_url="http://t",
                          warmup_questions=2)
MODELS = {"draft_model": "d", "target_model": "t", "draft_served_model": "ds", "target_served_model": "ts"}


def item(tokens: int, drafted: int, accepted: int, rounds: int, seconds: float) -> dm.ItemResult:
    return dm.ItemResult("q", "18", "#### 18", "18", True, tokens, drafted, accepted, rounds, seconds, 0.1, 0.2)


def written() -> dict:
    items = [item(30, 28, 24, 7, 0.6), item(20, 20, 9, 6, 0.5)]
    target = [item(30, 0, 0, 0, 0.9), item(20, 0, 0, 0, 0.7)]
    draft = [item(30, 0, 0, 0, 0.3), item(20, 0, 0, 0, 0.2)]
    return build_result(ARGS, MODELS, items, target, draft)


def test_the_client_writes_through_the_model_and_it_reads_back_key_for_key() -> None:
    doc = written()
    assert list(doc) == ["client", "schema_version", "config", "summary", "definitions", "results", "baseline",
                         "draft_alone", "speedup", "speedup_interval", "expected_speedup"]
    assert (doc["client"], doc["schema_version"]) == ("gsm8k_draft_verify", 1)
    model = DraftVerifyResult.read("dv.json", json.loads(json.dumps(doc)))
    again = model.model_dump(mode="json", exclude_unset=True)
    assert json.dumps(again) == json.dumps(doc)  # same keys, same order, same values
    # typed access: Σ accepted 24 + 9 = 33 of Σ drafted 28 + 20 = 48; the target alone 50 tokens in 1.6 s = 31.25
    assert (model.summary.total_draft_accepted, model.summary.total_draft_generated) == (33, 48)
    assert model.baseline.summary.pooled_speed == 31.25 and model.results[1].rounds == 6
    assert model.expected_speedup.speed_draft == 100.0  # the draft alone: 50 tokens in 0.5 s


def test_written_file_reports_from_the_nested_fields(tmp_path: Path) -> None:
    path = tmp_path / "dv.json"
    path.write_text(json.dumps(written(), indent=2))
    md = client_markdown(str(path))
    assert "| draft_efficiency | 0.688 |" in md  # 33 / 48 = 0.6875
    assert "| mean_acceptance_length | 3.538 |" in md  # 1 + 33 / (7 + 6) = 3.5385
    assert "| speed_target tok/s | 31.250 |" in md and "| draft_speed_ratio | 2.200 |" in md  # (100 − 31.25) / 31.25


def test_the_original_tools_file_without_client_or_version_still_reads() -> None:
    result = read_client_result(str(ROOT / "tests" / "data" / "seed000_example.json"))
    assert isinstance(result, DraftVerifyResult) and result.schema_version is None
    assert (result.config.target_model, result.summary.total_draft_accepted, result.summary.avg_speed) == (
        "facebook/opt-1.3b", 4845, 66.1)
    assert result.summary.draft_efficiency is None and result.expected_speedup is None and result.results == []
    # the original tool's per-question records: its own keys, typed
    data = json.loads((ROOT / "tests" / "data" / "seed000_example.json").read_text())
    data["results"] = [{"question_num": 1, "speculation_rounds": 120, "draft_accepted": 500, "tool_only": "kept"}]
    first = parse_client_result("seed.json", data).results[0]
    assert (first.question_num, first.speculation_rounds, first.rounds, first.tool_only) == (1, 120, None, "kept")


@pytest.mark.parametrize(("where", "value", "message"), [
    (("summary", "avg_speed"), "fast", "expected a number at summary.avg_speed, got str"),
    (("summary", "total_tokens"), None, "expected an integer at summary.total_tokens, got null"),
    (("config", "num_draft_tokens"), True, "expected an integer at config.num_draft_tokens, got bool"),
    (("results", 0, "rounds"), "7", "expected an integer at results[0].rounds, got str"),
    (("baseline", "summary", "pooled_speed"), [], "expected a number at baseline.summary.pooled_speed, got list"),
    (("summary", "acceptance_distribution", "lt_50", "count"), 1.5,
     "expected an integer at summary.acceptance_distribution.lt_50.count, got float"),
])
def test_a_wrong_type_names_the_field(where: tuple, value: object, message: str) -> None:
    data = written()
    holder = data
    for key in where[:-1]:
        holder = holder[key]
    holder[where[-1]] = value
    with pytest.raises(ParseError) as info:
        parse_client_result("bad.json", data)
    assert str(info.value).startswith(f"bad.json: {message}")


def test_report_of_a_bad_file_is_one_stderr_line(tmp_path: Path) -> None:
    doc = written()
    doc["summary"]["avg_speed"] = "fast"
    assert_report_refuses(tmp_path, doc, "expected a number at summary.avg_speed, got str")
