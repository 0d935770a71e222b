"""`speclens requests`: the request table from the recorded per-request runs (issue 23), its CSV and
Parquet forms, cells and baseline rows, the -o guard and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from speclens.analyzers.requests_table.sources import request_parts
from speclens.analyzers.requests_table.table import COLUMNS, csv_frame, request_table

ROOT = Path(__file__).resolve().parents[2]
PER_REQUEST = ROOT / "fixtures" / "recorded" / "per-request"
SUMMARY, DETAILED = PER_REQUEST / "summary-sync", PER_REQUEST / "detailed-c2"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "requests", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr


def table_of(*paths: Path) -> pl.DataFrame:
    return request_table(request_parts([str(p) for p in paths]).parts)


def test_first_recorded_request_by_hand() -> None:
    t = table_of(SUMMARY)
    assert t.columns == list(COLUMNS) and t.height == 12  # --max-requests 12
    first = t.row(0, named=True)
    # guidellm_results.json benchmarks[0].requests.successful[0], read by hand:
    assert first["request_id"] == "c3ac489b-7a5c-4675-a08b-231afeed604c"
    assert (first["prompt_tokens"], first["output_tokens"]) == (84, 128)
    assert first["latency_s"] == 0.3193984031677246  # request_latency, s
    assert first["ttft_ms"] == 43.06745529174805  # time_to_first_token_ms, as recorded (not via seconds)
    assert first["itl_ms"] == 2.1719650959405374  # inter_token_latency_ms
    assert (first["k"], first["spec_steps"], first["accepted_tokens"], first["drafted_tokens"]) == (3, 44, 86, 132)
    # histogram [8, 9, 4, 23]: Σ = 44 steps; Σ j·h = 9 + 2·4 + 3·23 = 86 accepted; drafted = 3·44 = 132
    assert first["acceptance_histogram"] == [8, 9, 4, 23]
    assert (first["run"], first["cell_id"], first["category"], first["role"]) == (str(SUMMARY), None, None, "spec")
    # the run's per-request sums equal its /metrics delta (995 accepted of 1620 drafted, fixtures' README)
    both = table_of(SUMMARY, DETAILED)
    assert both.height == 24 and both["run"].unique(maintain_order=True).to_list() == [str(SUMMARY), str(DETAILED)]


def test_csv_and_parquet_hold_the_same_table(tmp_path: Path) -> None:
    for name in ("r.csv", "r.parquet"):
        proc = run(str(SUMMARY), str(DETAILED), "-o", str(tmp_path / name))
        assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc.stderr
    parquet = pl.read_parquet(tmp_path / "r.parquet")
    assert parquet.schema["acceptance_histogram"] == pl.List(pl.Int64)
    assert parquet.equals(table_of(SUMMARY, DETAILED))
    csv = pl.read_csv(tmp_path / "r.csv", schema_overrides={c: pl.String for c in ("cell_id", "category")})
    assert csv.columns[-4:] == ["hist_0", "hist_1", "hist_2", "hist_3"]  # k = 3: K + 1 = 4 bins
    assert csv.equals(csv_frame(parquet))
    stdout = run(str(SUMMARY), str(DETAILED))  # no -o: the same CSV on stdout
    assert stdout.returncode == 0 and stdout.stdout == (tmp_path / "r.csv").read_text()
    again = run(str(SUMMARY), "-o", str(tmp_path / "r.parquet"))  # an earlier request table is replaced
    assert again.returncode == 0, again.stderr
    assert pl.read_parquet(tmp_path / "r.parquet").height == 12


def _without_spec(src: Path, dst: Path) -> None:
    doc = json.loads(src.read_text())
    for row in doc["benchmarks"][0]["requests"]["successful"]:
        row["response_metrics"] = None
    dst.write_text(json.dumps(doc))


def test_cells_give_category_and_role_and_baseline_rows_keep_null_acceptance(tmp_path: Path) -> None:
    top = tmp_path / "RUN"
    (top / "cells").mkdir(parents=True)
    shutil.copytree(SUMMARY, top / "cells" / "math-k3")
    shutil.copytree(DETAILED, top / "cells" / "code-k3")
    (top / "cells" / "math-base").mkdir()
    _without_spec(SUMMARY / "guidellm_results.json", top / "cells" / "math-base" / "guidellm_results.json")
    (top / "run.json").write_text(json.dumps({"schema_version": 2, "tool": "speclens run_eval.sh", "cells": [
        {"id": "math-k3", "role": "spec", "num_speculative_tokens": 3, "category": "math", "status": "ok"},
        {"id": "code-k3", "role": "spec", "num_speculative_tokens": 3, "category": "code", "status": "ok"},
        {"id": "math-base", "role": "baseline", "category": "math", "status": "ok"},
        {"id": "chat-k3", "role": "spec", "category": "chat", "status": "failed"}]}))  # no folder: skipped
    proc = run(str(top))
    assert proc.returncode == 0
    assert proc.stderr == f"speclens: warning: {top / 'cells' / 'chat-k3'}: no load-driver results; skipped\n"
    t = table_of(top)
    assert t.group_by("cell_id", "category", "role", maintain_order=True).len().rows() == [
        ("math-k3", "math", "spec", 12), ("code-k3", "code", "spec", 12), ("math-base", "math", "baseline", 12)]
    base = t.filter(pl.col("role") == "baseline")
    assert base["output_tokens"].to_list() == [128] * 12  # its tokens and timings are kept ...
    for column in ("k", "spec_steps", "accepted_tokens", "drafted_tokens", "acceptance_histogram"):
        assert base[column].null_count() == 12, column  # ... and no acceptance is made up
    csv = pl.read_csv(proc.stdout.encode())
    assert csv.filter(pl.col("role") == "baseline")["hist_0"].null_count() == 12  # empty CSV fields


def test_a_run_directory_with_a_baseline_sub_run(tmp_path: Path) -> None:
    top = tmp_path / "RUN"
    shutil.copytree(SUMMARY, top)
    (top / "baseline").mkdir()
    _without_spec(SUMMARY / "guidellm_results.json", top / "baseline" / "guidellm_results.json")
    t = table_of(top)
    assert t["role"].to_list() == ["spec"] * 12 + ["baseline"] * 12  # run.json config.baseline false; RUN/baseline
    assert t["k"].null_count() == 12


def test_o_onto_an_input_is_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    responses = tmp_path / "responses.jsonl"
    doc = json.loads((SUMMARY / "guidellm_results.json").read_text())
    r = doc["benchmarks"][0]["requests"]["successful"][0]
    responses.write_text(json.dumps({"id": "cmpl-1", "choices": [], "usage": {"prompt_tokens": 84,
                         "completion_tokens": 128}, "metrics": {**r["response_metrics"], "mean_itl_ms": 2.5}}) + "\n")
    before = responses.read_bytes()
    proc = run(str(responses), "--format", "csv", "-o", str(responses))
    assert one_line_error(proc) == (f"speclens: error: {responses}: refusing to overwrite an input file; choose "
                                    "another -o path\n")
    assert responses.read_bytes() == before
    row = run(str(responses)).stdout.splitlines()[1].split(",")
    assert row[5:] == ["cmpl-1", "84", "128", "", "", "2.5", "3", "44", "86", "132", "8", "9", "4", "23"]
    notes = tmp_path / "notes.parquet"
    notes.write_bytes(b"PAR1 not ours")
    assert "already exists and is not a speclens output" in one_line_error(run(str(SUMMARY), "-o", str(notes)))
    assert notes.read_bytes() == b"PAR1 not ours"


@pytest.mark.parametrize(("args", "expected"), [
    (["{d}/run.json"], "{d}/run.json: expected a run directory, a guidellm result JSON or raw OpenAI responses "
                       "(JSON or JSON Lines) with per-request rows"),
    (["{t}/bad.json"], "{t}/bad.json:2: invalid JSON"),
    (["{d}", "-o", "-", "--format", "parquet"], "Parquet is binary and is not written to standard output"),
    (["{t}/empty"], "{t}/empty: no load-driver results (guidellm_results.json) in this run directory"),
])
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "bad.json").write_text('{"benchmarks": [\n}')
    (tmp_path / "empty").mkdir()
    proc = run(*[a.format(d=SUMMARY, t=tmp_path) for a in args])
    assert one_line_error(proc).startswith("speclens: error: " + expected.format(d=SUMMARY, t=tmp_path))


def test_a_sampled_file_says_its_rows_are_a_sample(tmp_path: Path) -> None:
    doc = json.loads((SUMMARY / "guidellm_results.json").read_text())
    doc["benchmarks"][0]["metrics"]["request_totals"]["successful"] = 20  # 12 rows kept of 20 run
    sampled = tmp_path / "g.json"
    sampled.write_text(json.dumps(doc))
    proc = run(str(sampled))
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 13  # header + the 12 rows kept
    assert proc.stderr == (f"speclens: warning: {sampled}: its load results keep a sample of the requests run "
                           "(guidellm sample_size): the rows are that sample, sums over them are not the run's "
                           "totals\n")
