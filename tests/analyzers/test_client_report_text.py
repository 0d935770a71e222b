"""`speclens report CLIENT_RESULT.json --format text|md`: text is plain aligned columns (no
Markdown), md stays Markdown (json, a typed report since issue 22: test_client_report_formats.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SEED003 = ROOT / "tests" / "data" / "seed003_example.json"


def speclens(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                          check=False, cwd=ROOT, timeout=120)


def test_text_is_plain_aligned_columns() -> None:
    proc = speclens("report", "tests/data/seed003_example.json", "--format", "text")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "#" not in out and "|" not in out  # no Markdown headings or table rows
    lines = out.splitlines()
    assert lines[0].startswith("speclens ") and lines[0].endswith(" report: tests/data/seed003_example.json")
    # the configuration table: a title, its underline, then columns padded to the widest cell
    # ("confidence_threshold" is 20 characters: the value column starts at 20 + 2 spaces)
    i = lines.index("AccuracyResult: configuration")
    assert lines[i + 1] == "-" * len("AccuracyResult: configuration")
    assert lines[i + 2] == "field" + " " * 17 + "value"
    assert "model_name" + " " * 12 + "JetLM/SDAR-4B-Chat" in lines
    assert "confidence_threshold  0.850" in lines
    # the accuracy table: "accuracy" is the widest field (8 characters) → value at column 10
    j = lines.index("Accuracy (correct / total)")
    assert lines[j + 2] == "field     value" and lines[j + 3].startswith("accuracy  0.52")
    assert lines[j + 4:j + 6] == ["correct   65", "total     124"]


def test_md_stays_markdown() -> None:
    proc = speclens("report", str(SEED003), "--format", "md")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# speclens report: ") and "| field | value |" in proc.stdout


def test_text_by_the_output_extension(tmp_path: Path) -> None:
    out = tmp_path / "seed003.txt"
    proc = speclens("report", str(SEED003), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "|" not in text and "correct   65" in text
