"""A client result whose summary rate disagrees with its own counts: the counts' value is shown and
the disagreement is noted (field value, counts, difference) in `compare` and `report`, for every
client kind whose rate its own counts re-derive (analyzers/client_cells.recount)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.analyzers.client_results.report import client_markdown, client_text
from speclens.analyzers.compare.row import summarize

from tests.conftest import ROOT

SEED003 = str(ROOT / "tests" / "data" / "seed003_example.json")
SEED000 = ROOT / "tests" / "data" / "seed000_example.json"
# 65 / 124 = 0.524194 → 0.5242; the file says 0.5234; 0.524194 − 0.5234 = +0.000794 → +0.0008
SEED003_NOTE = ("metrics.accuracy in the file is 0.5234, but its own counts give correct / total = 65 / 124 = "
                "0.5242 (difference +0.0008); shown: the counts' value")


def _write(tmp_path: Path, name: str, data: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_seed003_compare_shows_the_counts_value_and_notes_the_field() -> None:
    row = summarize(SEED003)
    assert row.accuracy == pytest.approx(65 / 124)  # 0.524194, not the file's 0.5234
    assert SEED003_NOTE in row.notes


def test_seed003_report_text_and_md() -> None:
    text = client_text(SEED003)
    assert "accuracy  0.524" in text.splitlines()  # fmt(65 / 124) = 0.524 (the field would be 0.523)
    assert SEED003_NOTE in text.splitlines()
    md = client_markdown(SEED003)
    assert "| accuracy | 0.524 |" in md and f"- {SEED003_NOTE}" in md


def test_a_field_rounded_from_its_counts_agrees(tmp_path: Path) -> None:
    data = json.loads(Path(SEED003).read_text(encoding="utf-8"))
    data["metrics"]["accuracy"] = 0.5242  # round(65 / 124, 4): what the clients write
    row = summarize(_write(tmp_path, "ok.json", data))
    assert row.accuracy == pytest.approx(65 / 124) and not any("in the file is" in n for n in row.notes)
    data["metrics"].update(accuracy=0.0, correct=0, total=0)  # no questions: undefined, never 0
    row = summarize(_write(tmp_path, "none.json", data))
    assert row.accuracy is None
    assert ("metrics.accuracy in the file is 0.0, but its own counts give correct / total = 0 / 0 (undefined); "
            "shown: n/a") in row.notes


def test_draft_verify_efficiency_and_accuracy(tmp_path: Path) -> None:
    data = json.loads(SEED000.read_text(encoding="utf-8"))
    data["summary"].update(draft_efficiency=0.9, accuracy=0.7)
    data["results"] = [{"correct": True}, {"correct": True}, {"correct": False}]
    row = summarize(_write(tmp_path, "dv.json", data))
    # 4845 / 5733 = 0.845107 → 0.8451; 0.845107 − 0.9 = −0.054893 → −0.0549
    assert row.draft_acceptance_rate == pytest.approx(4845 / 5733)
    assert ("summary.draft_efficiency in the file is 0.9, but its own counts give total_draft_accepted / "
            "total_draft_generated = 4845 / 5733 = 0.8451 (difference -0.0549); shown: the counts' value") in row.notes
    # 2 of 3 marked correct = 0.666667 → 0.6667; 0.666667 − 0.7 = −0.033333 → −0.0333
    assert row.accuracy == pytest.approx(2 / 3)
    assert ("summary.accuracy in the file is 0.7, but its own counts give correct questions / questions = 2 / 3 = "
            "0.6667 (difference -0.0333); shown: the counts' value") in row.notes
    md = client_markdown(_write(tmp_path, "dv.json", data))
    assert "| draft_efficiency | 0.845 |" in md and "| accuracy | 0.667 |" in md
    assert "- summary.draft_efficiency in the file is 0.9" in md and "- summary.accuracy in the file is 0.7" in md


def test_spec_thinking_mode_accuracy(tmp_path: Path) -> None:
    stats = {"latency": {"mean": 10.0}}
    data = {"config": {"target_model": "big", "speculative_model": "small"}, "comparison": {"speedup": 1.2},
            "large_model": {"statistics": stats, "accuracy": {"correct": 4, "runs": 5, "accuracy": 0.8}},
            "speculative_thinking": {"statistics": stats, "accuracy": {"correct": 3, "runs": 5, "accuracy": 0.5}}}
    path = _write(tmp_path, "st.json", data)
    row = summarize(path)
    assert row.accuracy == pytest.approx(0.6)  # 3 / 5, not the written 0.5
    # 3 / 5 = 0.6; 0.6 − 0.5 = +0.1
    note = ("speculative_thinking.accuracy.accuracy in the file is 0.5, but its own counts give correct / runs = "
            "3 / 5 = 0.6000 (difference +0.1000); shown: the counts' value")
    assert note in row.notes
    text = client_text(path)
    assert "accuracy (correct / runs)     0.800        0.600" in text and note in text  # large 4 / 5 agrees


def test_three_mode_pooled_acceptance(tmp_path: Path) -> None:
    data = {"metadata": {}, "per_prompt": [], "summary": {
        "target_only": {"avg_tokens_per_second": 40.0},
        "spec_base": {"avg_tokens_per_second": 50.0, "draft_tokens": 312, "accepted_tokens": 227,
                      "pooled_acceptance_rate": 0.8}}}
    path = _write(tmp_path, "tm.json", data)
    row = summarize(path)
    # 227 / 312 = 0.727564 → 0.7276; 0.727564 − 0.8 = −0.072436 → −0.0724
    assert row.draft_acceptance_rate == pytest.approx(227 / 312)
    note = ("summary.spec_base.pooled_acceptance_rate in the file is 0.8, but its own counts give accepted_tokens / "
            "draft_tokens = 227 / 312 = 0.7276 (difference -0.0724); shown: the counts' value")
    assert note in row.notes
    md = client_markdown(path)
    assert "| pooled_acceptance_rate | n/a | 0.728 |" in md and f"- {note}" in md


def test_losslessness_identity_rate(tmp_path: Path) -> None:
    data = {"client": "losslessness", "config": {}, "results": [],
            "summary": {"prompts": 10, "identical": 9, "identity_rate": 1.0, "accuracy_equal": True, "lossless": False}}
    md = client_markdown(_write(tmp_path, "ll.json", data))
    assert "| identity_rate | 0.900 |" in md  # 9 / 10, not the written 1.0
    assert ("- summary.identity_rate in the file is 1.0, but its own counts give identical / prompts = 9 / 10 = "
            "0.9000 (difference -0.1000); shown: the counts' value") in md
