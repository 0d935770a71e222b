"""Issue 23, `speclens compare` by category: a run directory whose run.json lists cells
(parsers.run_cells) contributes one row per cell, with category / cell / cell status columns, and
`--category NAME` keeps one category's rows (analyzers.compare.cells). Plain runs keep their rows as
they were: no such keys in their JSON rows, no such columns when no row is a cell.
The cells are copies of the real recorded runs fixtures/recorded/per-request/{summary-sync,detailed-c2}:
both /metrics deltas count 995 accepted in 540 steps (k=3), 1536 output tokens in 3.5053188800811768 s
(summary-sync, synchronous) and 3.000443935394287 s (detailed-c2, concurrent streams=2).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.compare.table import CompareReport, compare_runs, expand_run_dirs
from speclens.analyzers.render.compare import COMPARE_RENDERERS

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "recorded" / "per-request"


def make_run(root: Path) -> Path:
    """RUN/cells/{math,code} (ok) and qa (status failed, exit status 1, no folder), listed in RUN/run.json."""
    run = root / "run"
    cells = []
    for cid, src in (("math", "summary-sync"), ("code", "detailed-c2")):
        shutil.copytree(REAL / src, run / "cells" / cid)
        cells.append({"id": cid, "role": "spec", "num_speculative_tokens": 3, "category": cid, "status": "ok"})
    cells.append({"id": "qa", "role": "spec", "num_speculative_tokens": 3, "category": "qa", "status": "failed",
                  "exit_status": 1})
    (run / "run.json").write_text(json.dumps({"schema_version": 2, "tool": "speclens run_eval.sh",
                                              "config": {"num_speculative_tokens": 3}, "cells": cells}))
    return run


def report_of(paths: list[str]) -> CompareReport:
    candidates, skipped = expand_run_dirs(paths)
    rows, empty = compare_runs(candidates)
    return CompareReport(speclens_version="test", sort=None, rows=rows, skipped=skipped + empty)


def test_one_row_per_cell(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    r = report_of([str(run)])
    assert [(row.run, row.category, row.cell, row.cell_status) for row in r.rows] == [
        (str(run / "cells" / "math"), "math", "math", "ok"), (str(run / "cells" / "code"), "code", "code", "ok"),
        (str(run / "cells" / "qa"), "qa", "qa", "failed")]
    math, code, qa = r.rows
    assert math.mean_acceptance_length == pytest.approx(1 + 995 / 540)  # 2.8426, the cell's /metrics delta
    assert math.output_throughput == pytest.approx(1536 / 3.5053188800811768)  # 438.19 tok/s
    assert code.output_throughput == pytest.approx(1536 / 3.000443935394287)  # 511.92 tok/s
    assert code.load == "concurrent streams=2"
    assert qa.mean_acceptance_length is None and qa.output_throughput is None and qa.error is None
    assert qa.notes == ["cell qa failed (exit status 1): no numbers"]
    assert r.skipped == []  # the failed cell is a row, not a skipped folder


def test_columns_and_keys_only_with_cells(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    plain = str(REAL / "summary-sync")
    mixed = report_of([plain, str(run)])
    text = COMPARE_RENDERERS["text"](mixed)
    header = next(line for line in text.splitlines() if line.startswith("run "))
    assert header.split()[:9] == ["run", "category", "cell", "cell", "status", "role", "load", "profile", "model"]
    qa_line = next(line for line in text.splitlines() if "cells/qa" in line)
    assert "failed" in qa_line
    rows = json.loads(COMPARE_RENDERERS["json"](mixed))["rows"]
    assert "category" not in rows[0] and rows[1]["category"] == "math"  # the plain run: no cell keys
    csv_lines = COMPARE_RENDERERS["csv"](mixed).splitlines()
    assert csv_lines[0].startswith("run,category,cell,cell_status,role,load_profile,model,")
    assert csv_lines[1].startswith(f"{plain},,,,")  # the plain run: category n/a (empty)
    alone = report_of([plain])  # no cell among the rows: the columns of before
    assert "category" not in COMPARE_RENDERERS["csv"](alone).splitlines()[0]
    assert "category" not in COMPARE_RENDERERS["text"](alone)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "compare", *args], capture_output=True,
                          text=True, timeout=120)


def test_category_option(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    proc = _cli(str(run), str(REAL / "summary-sync"), "--category", "code", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["rows"]
    assert [(row["cell"], row["category"]) for row in rows] == [("code", "code")]
    assert rows[0]["mean_acceptance_length"] == pytest.approx(1 + 995 / 540)
    missing = _cli(str(run), "--category", "nope")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip() == ("speclens: error: --category 'nope': no row of that category (the categories "
                                      "here: code, math, qa); pass one of them")
