"""launchers/lib.sh against short-lived real processes: exit codes, messages, nothing left running."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

FAKE = Path(__file__).with_name("fake_server.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bash(script: str, tmp_path: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    body = f'set -Eeuo pipefail\nsource "{ROOT}/launchers/lib.sh"\nLIB_STOP_GRACE=2\n{script}\n'
    return subprocess.run(["bash", "-c", body], capture_output=True, text=True, cwd=tmp_path, timeout=timeout,
                          env={**os.environ, "SPECLENS_PY": sys.executable})


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def pid_from(proc: subprocess.CompletedProcess[str]) -> int:
    """The server pid the script printed (the pidfile is gone once the server is stopped)."""
    return int(next(line for line in proc.stdout.splitlines() if line.startswith("pid="))[4:])


UNHEALTHY_EXITS_1 = "(( VLLM_HEALTHY )) || exit 1"  # vllm::wait_healthy reports through VLLM_HEALTHY


def start(cmd: str) -> str:
    return f'vllm::start "$PWD/server.log" "$PWD/server.pid" {cmd}\necho "pid=$VLLM_PID"'


def test_server_that_dies_during_boot(tmp_path: Path) -> None:
    crash = f"{sys.executable} -c \"import sys; print('error: unrecognized arguments: --bogus'); sys.exit(3)\""
    proc = bash(f'{start(crash)}\nvllm::wait_healthy http://127.0.0.1:{free_port()} "$VLLM_PID" "$PWD/server.log" 30 0.2\n'
                f'{UNHEALTHY_EXITS_1}', tmp_path)
    assert proc.returncode == 1
    assert "the server exited during boot" in proc.stderr
    assert "error: unrecognized arguments: --bogus" in proc.stderr  # the log's last lines are shown
    assert not group_alive(pid_from(proc))


def test_server_that_never_becomes_healthy_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    port = free_port()
    began = time.monotonic()
    proc = bash(f'{start(f"{sys.executable} {FAKE} {port} --boot-seconds 999 --child")}\n'
                f'vllm::wait_healthy http://127.0.0.1:{port} "$VLLM_PID" "$PWD/server.log" 3 0.5\n{UNHEALTHY_EXITS_1}',
                tmp_path)
    assert proc.returncode == 1
    assert f"http://127.0.0.1:{port}/health not healthy after 3s" in proc.stderr
    assert time.monotonic() - began < 20
    assert not group_alive(pid_from(proc))  # server and its child are gone


def test_healthy_server_scrape_and_kill_fallback(tmp_path: Path) -> None:
    port = free_port()
    proc = bash(f'{start(f"{sys.executable} {FAKE} {port} --ignore-term --child")}\n'
                f'vllm::wait_healthy http://127.0.0.1:{port} "$VLLM_PID" "$PWD/server.log" 30 0.2\n'
                f'{UNHEALTHY_EXITS_1}\nmetrics::scrape http://127.0.0.1:{port} "$PWD/m.prom"\n'
                f'vllm::stop "$VLLM_PID"\nvllm::stop "$VLLM_PID"', tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m.prom").read_bytes().startswith(b"vllm:spec_decode_num_drafts_total")
    assert "ignored SIGTERM for 2s; sending SIGKILL" in proc.stderr
    assert not group_alive(pid_from(proc))
    assert not (tmp_path / "server.pid").exists()  # a stopped server leaves no stale pidfile


def test_busy_port_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = bash(f"preflight::port_free 127.0.0.1 {port}", tmp_path)
    assert proc.returncode == 2
    comm = Path("/proc/self/comm").read_text().strip()  # the holder is this test process
    assert proc.stderr.startswith(f'error: port {port} on 127.0.0.1 is already in use by users:(("{comm}",pid={os.getpid()},')
    assert proc.stderr.rstrip().endswith("stop that process or pass --port N")


def test_sigint_mid_run_stops_the_server_and_exits_130(tmp_path: Path) -> None:
    port = free_port()
    script = (f'set -Eeuo pipefail\nsource "{ROOT}/launchers/lib.sh"\nLIB_STOP_GRACE=2\nlib::install_traps\n'
              f'{start(f"{sys.executable} {FAKE} {port} --child")}\n'
              f'vllm::wait_healthy http://127.0.0.1:{port} "$VLLM_PID" "$PWD/server.log" 30 0.2\n'
              'echo ready; while :; do sleep 0.2; done\n')
    # a parent that ignores SIGINT (e.g. a background job) passes that on and bash cannot trap it: reset it
    proc = subprocess.Popen(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env={**os.environ, "SPECLENS_PY": sys.executable},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    pgid = int(proc.stdout.readline().removeprefix("pid="))
    assert proc.stdout.readline() == "ready\n"
    assert group_alive(pgid)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted (SIGINT)" in err and f"stopped process group {pgid}" in err
    assert not group_alive(pgid)
    assert not (tmp_path / "server.pid").exists()


SHELL_SCRIPTS = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("*.sh"), *(ROOT / "launchers").glob("*.sh")])
SOURCED_ONLY = {"launchers/lib.sh", "launchers/lib_analysis.sh", "launchers/lib_launch.sh",
                "launchers/run_files.sh", "launchers/lib_cells.sh",
                "launchers/lib_server.sh", "launchers/lib_vllm.sh", "launchers/lib_steps.sh",  # lib.sh's parts
                "launchers/run_eval_cells.sh", "launchers/lib_grid.sh", "launchers/run_eval_grid.sh",
                "launchers/run_eval_plan.sh"}  # they run inside the scripts that source them


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_shell_scripts_are_strict_and_eval_free(script: str) -> None:
    text = (ROOT / script).read_text()
    assert re.search(r"\beval\b", text) is None  # not even in a name or a comment
    if script not in SOURCED_ONLY:
        assert "\nset -Eeuo pipefail\nshopt -s inherit_errexit" in text
