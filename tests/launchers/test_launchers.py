"""The four small launchers (launchers/eagle3.sh, qwen3.sh, opt_verify.sh, baseline.sh): --help, and a
failing tiny-pair build fails the launcher with the build's own error and status (it used to run with
`set -e` off, log that it was using the tiny pair and fail later as a vLLM boot error). No real vLLM
is started: SPECLENS_VLLM points at tests/launchers/fake_vllm.py in its `crash` mode, so a launcher
that wrongly goes on to boot fails fast with exit 3."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAUNCHERS = ["eagle3", "qwen3", "opt_verify", "baseline"]
FAKE_SCRIPT = Path(__file__).with_name("fake_vllm.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def executable(path: Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("name", LAUNCHERS)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_prints_the_usage_and_exits_0(name: str, flag: str) -> None:
    proc = subprocess.run([f"launchers/{name}.sh", flag], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: launchers/{name}.sh ")
    assert "--port P" in proc.stdout and "-- COMMAND" in proc.stdout and "#" not in proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize("name", LAUNCHERS)
def test_unknown_option_is_refused_with_exit_2(name: str) -> None:
    proc = subprocess.run([f"launchers/{name}.sh", "--bogus"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (2, "error: unknown option '--bogus' (see --help)\n")


@pytest.mark.parametrize("name", LAUNCHERS)
def test_failing_tiny_build_fails_the_launcher_with_the_build_error(name: str, tmp_path: Path) -> None:
    # a stand-in interpreter: building the tiny pair fails with status 7; everything else (the pair's
    # --print-path, manifest.py spec-config) runs on the real interpreter
    stub = executable(tmp_path / "python", f'''#!/bin/sh
case "$1" in
  */launchers/tiny/build.py) if [ "$2" != --print-path ]; then
      echo "tiny build: error: no space left on device (stub)" >&2; exit 7; fi ;;
esac
exec "{sys.executable}" "$@"
''')
    fake = executable(tmp_path / "fake_vllm", f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_SCRIPT}" "$@"\n')
    log_dir = tmp_path / "logs"
    proc = subprocess.run([f"launchers/{name}.sh", "--port", str(free_port()), "--log-dir", str(log_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SPECLENS_PY": stub, "SPECLENS_VLLM": fake, "FAKE_VLLM_MODE": "crash"})
    assert proc.returncode == 7, proc.stderr  # the build's own status, not 3 (boot) or 0
    assert proc.stderr.rstrip().endswith("tiny build: error: no space left on device (stub)")
    assert "started (pid" not in proc.stderr and not log_dir.exists()  # no server was started
