"""`speclens report CLIENT.json` in every format for every client kind, from the typed result model
(issue 22): `--format json` (or `-o rep.json`) is a typed, versioned report document, not Markdown;
`speclens render` reads it back into the same md and text; -o keeps issue 20's safety rules. The
GSM8K accuracy report has a performance section."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.output_kinds import existing_kind
from speclens.parsers.client_results import read_client_result

from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
LOSSLESS = {"client": "losslessness", "schema_version": 1, "config": {"num_samples": 1, "temperature": 0.0},
            "summary": {"prompts": 2, "identical": 1, "identity_rate": 0.5, "token_agreement": 0.75,
                        "reference_accuracy": 0.5, "candidate_accuracy": 0.5, "accuracy_equal": True,
                        "lossless": False},
            "results": []}
ACCURACY = {"client": "gsm8k_accuracy", "schema_version": 1, "config": {"model_name": "sdar", "dataset": "gsm8k"},
            "metrics": {"accuracy": 0.5, "correct": 1, "total": 2, "percentage": "50.00%",
                        "avg_tokens_per_second": 12.5, "pooled_tokens_per_second": 12.0, "avg_generation_time": 0.25,
                        "total_generation_time": 0.5},
            "results": []}
KINDS = {"gsm8k_draft_verify": "seed000_example.json", "spec_thinking": "seed001_example.json",
         "three_mode": "seed002_example.json", "gsm8k_accuracy": "acc.json", "losslessness": "ll.json"}


def speclens(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    for name in ("seed000_example.json", "seed001_example.json", "seed002_example.json"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "acc.json").write_text(json.dumps(ACCURACY))
    (tmp_path / "ll.json").write_text(json.dumps(LOSSLESS))
    return {kind: tmp_path / name for kind, name in KINDS.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_json_is_a_typed_versioned_report_and_renders_back(kind: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    path = inputs[kind]
    out = tmp_path / "rep.json"
    proc = speclens("report", str(path), "-o", str(out))  # the .json extension picks json
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    doc = json.loads(text)
    assert text.startswith('{\n  "schema_version": 1,\n  "tool": "speclens report",')
    assert (doc["report"], doc["client"], doc["input"]) == ("client_result", kind, str(path))
    # the typed model's dump: what the file holds, read through the same model the client writes through
    assert doc["result"] == read_client_result(str(path)).model_dump(mode="json", exclude_unset=True)
    assert doc["tables"][0]["title"].endswith(": configuration")
    assert existing_kind(str(out)) == "speclens report --format json"  # -o recognises it as speclens output
    assert speclens("report", str(path), "--format", "json").stdout == text  # stdout: the same document
    for fmt in ("md", "text"):
        direct, rendered = speclens("report", str(path), "-f", fmt), speclens("render", str(out), "-f", fmt)
        assert (direct.returncode, rendered.returncode) == (0, 0), rendered.stderr
        assert rendered.stdout == direct.stdout and "None" not in direct.stdout
    assert speclens("render", str(out), "-f", "json").stdout == text


def test_accuracy_report_has_its_performance_section(inputs: dict[str, Path]) -> None:
    text = speclens("report", str(inputs["gsm8k_accuracy"]), "-f", "text").stdout
    lines = text.splitlines()
    i = lines.index("Performance (per question, one request each)")
    assert lines[i + 3].split()[:2] == ["avg_tokens_per_second", "12.500"]
    assert lines[i + 4].split()[:2] == ["pooled_tokens_per_second", "12.000"]
    assert lines[i + 5].split()[:2] == ["avg_generation_time", "0.250"]
    assert lines[i + 6].split()[:2] == ["total_generation_time", "0.500"]
    # the seed's own file has none of them: no performance section, nothing invented
    assert "Performance" not in speclens("report", str(DATA / "seed003_example.json"), "-f", "text").stdout


def test_json_over_a_file_that_is_not_speclens_output_is_refused_and_kept(inputs: dict[str, Path],
                                                                        tmp_path: Path) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": 1}\n')
    proc = speclens("report", str(inputs["spec_thinking"]), "-o", str(notes))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert notes.read_text() == '{"mine": 1}\n'
    # the input itself is never replaced, even with --overwrite
    src = inputs["three_mode"]
    before = src.read_bytes()
    proc = speclens("report", str(src), "-o", str(src), "--overwrite")
    assert proc.returncode != 0 and src.read_bytes() == before
