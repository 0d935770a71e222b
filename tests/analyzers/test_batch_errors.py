"""One unreadable input among several (issue 20): `speclens acceptance good1 missing good2` reports
the good ones, lists the bad one in the report and names it on stderr, and exits 2 at the end."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RECORDED, ROOT

GOOD1 = str(RECORDED / "draft-greedy" / "vllm_server.log")
GOOD2 = str(RECORDED / "ngram-greedy")
NO_SUCH = "speclens: error: {path}: no such file or directory; check the path\n"


def acceptance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "acceptance", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_a_missing_path_between_two_good_ones_is_reported_and_the_rest_too(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.log")
    proc = acceptance(GOOD1, missing, GOOD2, "--format", "json")
    assert proc.returncode == 2
    assert proc.stderr == NO_SUCH.format(path=missing)
    report = json.loads(proc.stdout)  # valid JSON, every input in argument order
    assert [(t["path"], t["kind"]) for t in report["targets"]] == [(GOOD1, "log"), (missing, "unreadable"),
                                                                   (GOOD2, "run_dir")]
    bad = report["targets"][1]
    assert bad["sources"] == []
    assert bad["notices"] == [{"level": "error", "code": "unreadable-input", "location": None,
                               "message": f"{missing}: no such file or directory; check the path"}]
    # draft-greedy's log: accepted 354 + 474 + 509 = 1337 of drafted 861 + 1515 + 1350 = 3726
    counts = report["targets"][0]["sources"][0]["counts"]
    assert (counts["accepted_tokens"], counts["draft_tokens"]) == (1337, 3726)
    # ngram-greedy, read as usual: its single /metrics scrape and its log agree, 1831 accepted of 1849 drafted
    assert [(s["id"], s["counts"]["accepted_tokens"], s["counts"]["draft_tokens"])
            for s in report["targets"][2]["sources"]] == [("metrics_scrape", 1831, 1849), ("log:0", 1831, 1849)]


def test_a_file_that_fails_while_it_is_read_does_not_stop_the_others(tmp_path: Path) -> None:
    # a scrape that sniffs as one (.prom) but has a broken sample: the error comes from reading it, not from
    # resolving the path
    broken = tmp_path / "metrics_after.prom"
    broken.write_text("vllm:spec_decode_num_drafts_total{engine=\"0\"} twelve\n")
    proc = acceptance(str(broken), GOOD1, "--format", "csv")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"speclens: error: {broken}:1: ") and proc.stderr.count("\n") == 1
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["path"], r["accepted_tokens"], r["draft_tokens"]) for r in rows] == [(GOOD1, "1337", "3726")]


def test_text_and_legacy_formats_still_print_the_good_ones(tmp_path: Path) -> None:
    binary = tmp_path / "core.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    error = (f"speclens: error: {binary}: this is binary data, not text; no speclens command reads it; speclens "
             "acceptance reads a vLLM server log, a /metrics scrape (.prom), a run directory or a vllm bench serve "
             "result\n")
    text = acceptance(GOOD1, str(binary), "--format", "text")
    assert (text.returncode, text.stderr) == (2, error)
    assert f"{binary} (unreadable)" in text.stdout and "log:0" in text.stdout
    legacy = acceptance(GOOD1, str(binary), "--format", "legacy")
    assert (legacy.returncode, legacy.stderr) == (2, error)
    alone = acceptance(GOOD1, "--format", "legacy").stdout
    assert legacy.stdout.startswith(f"# {GOOD1}: log segment 0") and alone.strip() in legacy.stdout  # labelled: 2 paths


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_when_every_input_is_unreadable_each_is_named_and_nothing_is_printed(tmp_path: Path, fmt: str) -> None:
    a, b = str(tmp_path / "a.log"), str(tmp_path / "b.log")
    proc = acceptance(a, b, "--format", fmt)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == NO_SUCH.format(path=a) + NO_SUCH.format(path=b)


def test_one_unreadable_path_alone_is_still_one_error_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.log")
    proc = acceptance(missing, "--format", "json")
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", NO_SUCH.format(path=missing))


def test_a_failed_input_breaks_a_before_after_pair(tmp_path: Path) -> None:
    # before.prom missing after.prom: the two scrapes are not consecutive, so each is its own scrape
    before, after = tmp_path / "before.prom", tmp_path / "after.prom"
    before.write_bytes((RECORDED / "draft-greedy" / "metrics_after.prom").read_bytes())
    after.write_bytes((RECORDED / "draft-greedy" / "metrics_after.prom").read_bytes())
    proc = acceptance(str(before), str(tmp_path / "missing.prom"), str(after), "--format", "json")
    assert proc.returncode == 2
    assert [t["kind"] for t in json.loads(proc.stdout)["targets"]] == ["metrics", "unreadable", "metrics"]
