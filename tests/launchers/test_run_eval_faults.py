"""run_eval.sh under faults, with real processes: a real vLLM that dies at boot, and a stand-in
server (tests/launchers/fake_vllm.py, guidellm's mock server) for the rest. After every test no
process of the run survives. Needs the tiny pair's tokenizer (built by ./setup.sh)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

FAKE_SCRIPT = Path(__file__).with_name("fake_vllm.py")


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An executable that runs fake_vllm.py with this interpreter (SPECLENS_VLLM takes one path)."""
    wrapper = tmp_path_factory.mktemp("bin") / "fake_vllm"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_SCRIPT}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "VLLM_LOG_STATS_INTERVAL": "1", "LIB_STOP_GRACE": "5", **extra}


def private_tmp(run_dir: Path) -> Path:
    """The TMPDIR of the run in RUN_DIR, beside it: what the run leaves there is its own, whatever else
    on the machine writes to /tmp meanwhile (the global /tmp is no measure of a run)."""
    path = run_dir.with_name(run_dir.name + "-tmpdir")
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(run_dir: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    argv = ["./run_eval.sh", "-o", str(run_dir), "--port", str(free_port()), "--max-requests", "4",
            "--output-tokens", "16", "--prompt-tokens", "16", "--no-baseline", *args]  # one server unless --baseline
    extra.setdefault("TMPDIR", str(private_tmp(run_dir)))
    return subprocess.Popen(argv, cwd=ROOT, env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def finish(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def assert_nothing_left(run_dir: Path) -> None:
    for pidfile in run_dir.rglob("*.pid"):
        pgid = int(pidfile.read_text())
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)
    leftovers = subprocess.run(["pgrep", "-f", str(run_dir)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], leftovers
    stray = sorted(p.name for p in private_tmp(run_dir).iterdir())
    assert stray == [], f"left in the run's TMPDIR: {stray}"


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text())


def test_real_vllm_dying_at_boot(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    began = time.monotonic()
    status, _, err = finish(start(run_dir, "--", "--no-such-vllm-flag"))
    assert status == 3 and time.monotonic() - began < 120
    assert "the server exited during boot" in err and "no-such-vllm-flag" in err  # the log's tail is shown
    m = manifest(run_dir)
    assert m["status"] == 3 and m["steps"][-1]["name"] == "boot" and m["steps"][-1]["exit_status"] == 1
    assert_nothing_left(run_dir)


def test_server_never_healthy_hits_the_deadline(fake: str, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    status, _, err = finish(start(run_dir, SPECLENS_VLLM=fake, FAKE_VLLM_MODE="never-healthy", BOOT_TIMEOUT="4"))
    assert status == 3 and "not healthy after 4s" in err
    assert_nothing_left(run_dir)


def test_server_dying_mid_load_keeps_partial_results(fake: str, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    proc = start(run_dir, "--max-requests", "100000", "--max-seconds", "120",
                 SPECLENS_VLLM=fake, FAKE_VLLM_MODE="die-after:25")
    status, _, err = finish(proc)
    assert status == 4 and "the server died during the load" in err
    m = manifest(run_dir)
    assert m["status"] == 4 and m["config"]["failure"] == "the server died during the load"
    # the watchdog stops guidellm's group from outside and records its own status 5 for the step
    # (it used to TERM its own group, itself included, so the step recorded 143 = 128 + SIGTERM)
    [load] = [step for step in m["steps"] if step["name"] == "load"]
    assert load["exit_status"] == 5, load
    assert "fake vllm: dying mid-load" in (run_dir / "vllm_server.log").read_text()
    assert (run_dir / "guidellm_output.log").is_file()
    assert_nothing_left(run_dir)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_during_load_stops_everything(fake: str, tmp_path: Path, sig: int, code: int) -> None:
    run_dir = tmp_path / "run"
    proc = start(run_dir, "--max-requests", "100000", "--max-seconds", "120", SPECLENS_VLLM=fake)
    deadline = time.monotonic() + 120
    while not (run_dir / "guidellm_output.log").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(3)
    proc.send_signal(sig)
    status, _, _ = finish(proc, timeout=60)
    assert status == code
    assert manifest(run_dir)["status"] == code
    assert_nothing_left(run_dir)


def test_signal_during_boot(fake: str, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    proc = start(run_dir, SPECLENS_VLLM=fake, FAKE_VLLM_MODE="never-healthy", BOOT_TIMEOUT="120")
    while not (run_dir / "vllm_server.pid").exists():
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    status, _, _ = finish(proc, timeout=60)
    assert status == 130
    assert_nothing_left(run_dir)


def test_guidellm_missing_is_refused_before_anything_starts(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    status, _, err = finish(start(run_dir, SPECLENS_GUIDELLM="/nonexistent/guidellm"))
    assert status == 1 and "required command '/nonexistent/guidellm' not found" in err
    assert not run_dir.exists()


def test_guidellm_failing_stops_the_server_and_keeps_logs(fake: str, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    status, _, err = finish(start(run_dir, SPECLENS_VLLM=fake, SPECLENS_GUIDELLM="/bin/false"))
    assert status == 4 and "guidellm failed" in err
    assert (run_dir / "vllm_server.log").is_file() and manifest(run_dir)["config"]["failure"] == "guidellm failed"
    assert_nothing_left(run_dir)


def test_busy_port_refused_before_the_run_directory_exists(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = subprocess.run(["./run_eval.sh", "-o", str(tmp_path / "run"), "--port", str(port)], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and f"port {port} on 127.0.0.1 is already in use" in proc.stderr
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def two_runs(fake: str, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, int, str, str]]:
    """Two runs at once on different ports, the second with --baseline: (run dir, status, stdout, stderr)."""
    tmp = tmp_path_factory.mktemp("two-runs")
    runs = [tmp / "a", tmp / "b"]
    procs = [start(runs[0], SPECLENS_VLLM=fake), start(runs[1], "--baseline", SPECLENS_VLLM=fake)]
    return [(run, *finish(proc)) for run, proc in zip(runs, procs, strict=True)]


def test_two_runs_at_once_on_different_ports(two_runs: list[tuple[Path, int, str, str]]) -> None:
    assert [r[1] for r in two_runs] == [0, 0], [r[3][-2000:] for r in two_runs]
    for run, _, out, _ in two_runs:
        for phase in [run, *([run / "baseline"] if (run / "baseline").exists() else [])]:
            totals = json.loads((phase / "guidellm_results.json").read_text())["benchmarks"][0]["metrics"]["request_totals"]
            assert totals["errored"] == 0 and totals["successful"] >= 3
        assert manifest(run)["status"] == 0 and not (run / "tmp").exists()
        assert list(run.rglob("*.pid")) == []  # a finished run keeps no stale pidfile
        assert f"report: {run}" in out and "Load driver: what the server delivered" in out  # the run report, as text
        assert_nothing_left(run)
    assert (two_runs[1][0] / "speedup.md").is_file() and "Verdict per load level" in two_runs[1][2]


def test_both_phases_record_the_same_typed_settings(two_runs: list[tuple[Path, int, str, str]]) -> None:
    run = two_runs[1][0]  # the --baseline run: the baseline phase's run.json has the typed keys too (issue 21)
    spec, base = manifest(run), manifest(run / "baseline")
    assert spec["schema_version"] == base["schema_version"] == 2
    keys = ("data_spec", "prompt_tokens", "output_tokens", "endpoint", "profile", "max_requests", "max_seconds",
            "temperature")
    assert {k: base["config"][k] for k in keys} == {k: spec["config"][k] for k in keys} == {
        "data_spec": "kind=synthetic_text,prompt_tokens=16,output_tokens=16", "prompt_tokens": 16,
        "output_tokens": 16, "endpoint": "/v1/chat/completions", "profile": "kind=synchronous",
        "max_requests": 4, "max_seconds": 600.0, "temperature": 0.0}  # start(): 16/16 tokens, 4 requests; defaults
    assert base["config"]["speculative_config"] is None and spec["config"]["speculative_config"].startswith("{")
    assert base["config"]["target"] == spec["config"]["target"] == spec["config"]["baseline_target"]


def test_dry_run_prints_exactly_the_commands_the_run_executed(two_runs: list[tuple[Path, int, str, str]],
                                                             fake: str) -> None:
    for run, _, _, _ in two_runs:
        m = manifest(run)
        dry = subprocess.run(["./run_eval.sh", *m["argv"], "--dry-run"], cwd=ROOT, env=env(SPECLENS_VLLM=fake),
                             capture_output=True, text=True, timeout=60)
        assert dry.returncode == 0, dry.stderr
        printed = [shlex.split(line) for line in dry.stdout.splitlines()]
        steps = {step["name"]: step["command"] for step in m["steps"]}
        executed = [steps["build-tiny-pair"]]
        for phase in [m, *([manifest(run / "baseline")] if (run / "baseline").exists() else [])]:
            load = next(step["command"] for step in phase["steps"] if step["name"] == "load")
            assert load == shlex.split(phase["config"]["load_command"])  # the recorded step is what was run
            executed += [shlex.split(phase["config"]["server_command"]), load]
        analysis = [step["command"] for step in m["steps"] if step["name"].startswith("analysis-")]
        assert len(analysis) == (5 if (run / "baseline").exists() else 3)  # legacy, [speedup md,] report, text[, verdicts]
        assert printed == executed + analysis
        # every other recorded step is the boot/stop bookkeeping or an in-process /metrics scrape
        assert {name for name, cmd in steps.items() if cmd and cmd not in printed} == {"metrics-before", "metrics-after"}


def test_api_key_stays_out_of_run_json_logs_and_server_argv(fake: str, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    status, out, err = finish(start(run_dir, "--api-key", "sk-SECRET-123", SPECLENS_VLLM=fake))
    assert status == 0, err[-2000:]
    assert manifest(run_dir)["config"]["api_key_set"] is True  # typed since run.json schema 2
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert b"sk-SECRET-123" not in path.read_bytes(), path
    log = (run_dir / "vllm_server.log").read_text()
    assert "fake vllm: mode ok, argv [" in log  # the server's argv is logged, and holds no key
    assert "sk-SECRET-123" not in out + err
