"""`speclens compare` and `speclens report` on seed 000's own JSON (tests/data/seed000_example.json:
the example of user-docs/gsm8k-draft-verify-benchmark.md, its `"results": [...]` written as `[]`)
and on the fuller files the seed's tool and our client write; numbers computed by hand."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.client_results.report import client_markdown
from speclens.analyzers.compare.row import summarize

from tests.conftest import ROOT

SEED = ROOT / "tests" / "data" / "seed000_example.json"


def speclens(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                          check=False, cwd=ROOT, timeout=120)


def test_the_documents_example_fills_model_acceptance_and_draft_efficiency() -> None:
    row = summarize(str(SEED))
    assert row.error is None and (row.model, row.method) == ("facebook/opt-1.3b", "client draft/verify")
    assert row.draft_acceptance_rate == pytest.approx(4845 / 5733)  # 0.8451 pooled (the seed's Overall Acceptance)
    assert row.request_output_tps == 66.1  # the seed's avg_speed: a mean of per-question tok/s
    # the example has no rounds, accuracy or speedup: n/a, never 0
    assert (row.mean_acceptance_length, row.speculation_rounds, row.accuracy, row.pooled_tps_speedup) == (None, None, None, None)
    assert row.notes == [("acceptance rate mean over questions 0.852 (the acceptance rate "
                          "column is pooled over draft tokens)")]


def test_report_of_the_documents_example_derives_draft_efficiency_from_the_totals() -> None:
    md = client_markdown(str(SEED))
    assert "| draft_efficiency | 0.845 |" in md  # 4845 / 5733 = 0.84511, not in the file
    assert "| avg_acceptance_rate | 0.852 |" in md and "| speculation_rounds | n/a |" in md
    assert "| target_model | facebook/opt-1.3b |" in md and "None" not in md


def test_the_data_file_is_the_documents_example_and_the_verbatim_text_is_one_clear_error(tmp_path: Path) -> None:
    verbatim = SEED.read_text().replace('"results": []', '"results": [...]')
    doc = ROOT.parent / "shared/reference/user-docs/gsm8k-draft-verify-benchmark.md"
    if doc.exists():  # the document's example block, character for character, but for the elided results
        assert verbatim in doc.read_text(encoding="utf-8")
    pasted = tmp_path / "pasted.json"
    pasted.write_text(verbatim)
    row = summarize(str(pasted))  # `[...]` is not JSON: the row says where, nothing is guessed
    assert row.error == f"{pasted}:16: invalid JSON (Expecting value); the file is truncated or not JSON"
    assert row.draft_acceptance_rate is None


def test_the_seeds_tool_per_question_rounds_are_summed(tmp_path: Path) -> None:
    data = json.loads(SEED.read_text())
    # the seed's tool writes speculation_rounds per question: 120 + 110 + 118 = 348 rounds
    data["results"] = [{"question_num": 1, "speculation_rounds": 120, "draft_accepted": 500},
                       {"question_num": 2, "speculation_rounds": 110, "draft_accepted": 480},
                       {"question_num": 3, "speculation_rounds": 118, "draft_accepted": 485}]
    data["summary"]["total_draft_accepted"] = 1465
    path = tmp_path / "gsm8k_benchmark_1.json"
    path.write_text(json.dumps(data))
    row = summarize(str(path))
    assert row.mean_acceptance_length == pytest.approx(1 + 1465 / 348)  # 5.2098
    assert row.speculation_rounds == 348
    data["results"][2].pop("speculation_rounds")  # one question without: the sum is unknown
    path.write_text(json.dumps(data))
    assert summarize(str(path)).mean_acceptance_length is None


def test_our_clients_json_fills_k_rounds_accuracy_speedup_and_the_report_tables(tmp_path: Path) -> None:
    data = json.loads(SEED.read_text())
    data["client"] = "gsm8k_draft_verify"
    data["config"].update(num_draft_tokens=4, dataset="gsm8k")
    data["summary"].update(draft_efficiency=0.8451, speculation_rounds=1300, accuracy=0.7,
                           acceptance_distribution={
                               "lt_50": {"label": "Low (<50%)", "count": 0, "fraction": 0.0},
                               "90_100": {"label": "Very High (90-100%)", "count": 10, "fraction": 1.0}})
    data["speedup"] = 1.42
    data["expected_speedup"] = {"formula": "1 + acceptance × draft_speed_ratio", "acceptance": 0.8451,
                                "speed_draft": 100.0, "speed_target": 40.0, "draft_speed_ratio": 1.5,
                                "value": 2.2677, "ignores": "verification cost"}
    path = tmp_path / "dv.json"
    path.write_text(json.dumps(data))
    row = summarize(str(path))
    # 1 + 4845 / 1300 = 4.7269
    assert (row.k, row.dataset, row.accuracy, row.pooled_tps_speedup, row.speedup) == (4, "gsm8k", 0.7, 1.42, None)
    assert row.mean_acceptance_length == pytest.approx(1 + 4845 / 1300)
    md = client_markdown(str(path))
    assert "| Very High (90-100%) | 10 | 100.0% |" in md
    assert "| measured speedup | 1.420 |" in md and "| expected speedup | 2.268 |" in md
    assert "| the formula ignores | verification cost |" in md


def test_compare_and_report_commands_on_the_example() -> None:
    proc = speclens("compare", str(SEED), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    header, line = proc.stdout.splitlines()[:2]
    row = dict(zip(header.split(","), next(csv.reader([line]))))
    assert (row["model"], row["method"], row["request_output_tps"]) == ("facebook/opt-1.3b", "client draft/verify",
                                                                       "66.1")
    assert row["draft_acceptance_rate"].startswith("0.8451")
    proc = speclens("report", str(SEED))
    assert proc.returncode == 0 and "| draft_efficiency | 0.845 |" in proc.stdout
