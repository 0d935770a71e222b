"""launchers/lib.sh's plumbing (and lib_analysis.sh's), one function at a time, with short-lived real processes: the chained EXIT
trap, --keep-server's hand-over, the load watchdog, GPU detection in one place, the one `vllm serve`
argv builder, the analysis steps' failure policy and run_eval.sh's API key hand-off to guidellm."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT


def bash(script: str, tmp_path: Path, *, source: str = "launchers/lib.sh", **env: str) -> subprocess.CompletedProcess[str]:
    body = f'set -Eeuo pipefail\nshopt -s inherit_errexit\nsource "{ROOT}/{source}"\nLIB_STOP_GRACE=2\n{script}\n'
    return subprocess.run(["bash", "-c", body], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env={**os.environ, "SPECLENS_PY": sys.executable, **env})


def alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def gone_soon(pgid: int, seconds: float = 5) -> bool:
    """True once the group is gone (killed orphans may wait a moment for their new parent to reap them)."""
    deadline = time.monotonic() + seconds
    while alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pgid)


SLEEPER = f'vllm::start "$PWD/s.log" "$PWD/s.pid" {sys.executable} -c "import time; time.sleep(300)"\necho "pid=$VLLM_PID"'


def test_exit_hooks_run_after_the_servers_are_stopped_and_keep_the_status(tmp_path: Path) -> None:
    script = (f'lib::install_traps\n{SLEEPER}\n'
              'hook() { if kill -0 -- "-$VLLM_PID" 2>/dev/null; then echo "hook $1: server alive"; else echo "hook $1"; fi; }\n'
              'lib::at_exit hook\nexit 3')
    proc = bash(script, tmp_path)
    assert proc.returncode == 3
    assert proc.stdout.splitlines()[1] == "hook 3"  # the hook saw the status, the server already gone
    assert not alive(int(proc.stdout.splitlines()[0][4:])) and not (tmp_path / "s.pid").exists()


def test_keep_running_leaves_the_server_and_its_pidfile(tmp_path: Path) -> None:
    proc = bash(f'lib::install_traps\n{SLEEPER}\nserve::env "$PWD"\necho "$TMPDIR"\nlib::keep_running\nexit 0', tmp_path)
    pid, tmpdir = int(proc.stdout.splitlines()[0][4:]), Path(proc.stdout.splitlines()[1])
    try:
        assert proc.returncode == 0 and alive(pid)
        assert (tmp_path / "s.pid").read_text() == f"{pid}\n" and tmpdir.is_dir()  # its TMPDIR stays too
    finally:
        os.killpg(pid, 9)
        shutil.rmtree(tmpdir, ignore_errors=True)


def test_watchdog_stops_the_step_group_from_outside_when_the_server_dies(tmp_path: Path) -> None:
    # the "server" lives 1 s; the step (a shell and its child) would run 300 s and ignores SIGTERM
    step = "trap '' TERM; sleep 300 & wait"
    script = (f'sleep 1 &\nserver=$!\nstep::start bash -c "{step}"\necho "step=$_LIB_STEP_PGID"\n'
              'step::watch "$server" "the test step"\necho "status=$STEP_STATUS"')
    began = time.monotonic()
    proc = bash(script, tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1] == "status=5"  # the watchdog's own status, not 143 (SIGTERM) or 137 (SIGKILL)
    assert "died during the test step; stopping it (process group" in proc.stderr
    assert "ignored SIGTERM for 10s; sending SIGKILL" in proc.stderr
    assert gone_soon(int(lines[0][5:]))  # the whole group, the child sleep included
    assert time.monotonic() - began < 30  # 1 s + the 10 s grace, far from 300 s


def test_watchdog_passes_the_step_status_through_while_the_server_lives(tmp_path: Path) -> None:
    proc = bash('sleep 30 &\nserver=$!\nstep::start sh -c "exit 6"\nstep::watch "$server" x\necho "$STEP_STATUS"\n'
                'kill "$server"', tmp_path)
    assert proc.stdout == "6\n", proc.stderr


def fake_nvidia_smi(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text(f'#!/bin/sh\necho called >> "{tmp_path}/calls"\n'
                   'echo "GPU 0: NVIDIA H100 (UUID: GPU-0)"\necho "GPU 1: NVIDIA H100 (UUID: GPU-1)"\n')
    smi.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_gpus_are_detected_once_for_lib_and_setup(tmp_path: Path) -> None:
    script = (f'source "{ROOT}/setup.sh"\ngpu::detect\ngpu::detect\necho "$GPU_COUNT|$GPU_FIRST"\n'
              'HOST=127.0.0.1 TP=2 GPU_UTIL=0.8\nserve::command m 8000 ""\necho "${SERVE_CMD[*]:1}"')
    proc = bash(script, tmp_path, **fake_nvidia_smi(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "2|GPU 0: NVIDIA H100 (UUID: GPU-0)",
        f"{ROOT}/launchers/vllm_cli.py serve m --host 127.0.0.1 --port 8000 --tensor-parallel-size 2 --seed 42 "
        "--gpu-memory-utilization 0.8"]
    assert (tmp_path / "calls").read_text() == "called\n"  # lib.sh and setup.sh asked nvidia-smi once in all


def test_serve_command_on_cpu_puts_the_callers_arguments_last(tmp_path: Path) -> None:
    script = ('HOST=::1 TP=1\nserve::command /m/target 8123 tiny --speculative-config "{}" --max-model-len 64\n'
              'printf "%s\\n" "${SERVE_CMD[@]}"')
    fake = tmp_path / "vllm"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)  # SPECLENS_VLLM must be an executable (vllm::choose checks)
    proc = bash(script, tmp_path, PATH="/usr/bin:/bin", SPECLENS_VLLM=str(fake))  # no nvidia-smi on this PATH
    assert proc.stdout.splitlines() == [str(fake), "serve", "/m/target", "--host", "::1", "--port", "8123",
                                        "--served-model-name", "tiny", "--tensor-parallel-size", "1", "--seed", "42",
                                        "--max-model-len", "1024", "--enforce-eager", "--speculative-config", "{}",
                                        "--max-model-len", "64"]


def test_tiny_pair_is_refused_without_a_model_when_a_gpu_is_visible(tmp_path: Path) -> None:
    proc = bash('tiny::choose "" --target', tmp_path, **fake_nvidia_smi(tmp_path))
    assert (proc.returncode, proc.stderr) == (2, "error: a GPU is visible: pass --target MODEL (or --target tiny "
                                                 "for the embedded pair)\n")


def test_analysis_tolerates_only_a_failed_legacy_layout(tmp_path: Path) -> None:
    # a stand-in for the speclens CLI: the legacy layout fails (2), the text report fails (9), the rest
    # would succeed; manifest.py runs on the real interpreter
    stub = tmp_path / "python"
    stub.write_text(f'''#!/bin/sh
if [ "$1 $2" = "-m speclens.analyzers.cli" ]; then
  case "$*" in
    *"--format legacy"*) exit 2 ;;
    *"--format text"*) exit 9 ;;
    *) exit 0 ;;
  esac
fi
exec "{sys.executable}" "$@"
''')
    stub.chmod(0o755)
    run = tmp_path / "run"
    run.mkdir()
    script = (f'"$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" init "{run}" --\n'
              f'analysis::run "{run}" 1\necho unreachable')
    proc = bash(script, tmp_path, source="launchers/lib_analysis.sh", SPECLENS_PY=str(stub))
    assert proc.returncode == 9 and "unreachable" not in proc.stdout
    assert "warning: no acceptance_analysis.txt (see the message above)" in proc.stderr
    steps = json.loads((run / "run.json").read_text())["steps"]
    assert [(s["name"], s["exit_status"]) for s in steps] == [("analysis-legacy", 2), ("analysis-speedup", 0),
                                                               ("analysis-report", 0), ("analysis-text", 9)]


def test_the_api_key_reaches_guidellm_only_in_the_command_that_runs(tmp_path: Path) -> None:
    script = ('GUIDELLM=guidellm HOST=127.0.0.1 PORT=8000 SERVED=tiny TOKENIZER=t PROFILE_SPEC=kind=synchronous\n'
              'MAX_REQUESTS=4 MAX_SECONDS=60 DATA_SPEC=kind=synthetic_text\n'
              'run_eval::load_command /r sk-KEY\necho "${LOAD_CMD[*]@Q}"\nrun_eval::load_command /r\necho "${LOAD_CMD[*]@Q}"')
    proc = bash(script, tmp_path, source="run_eval.sh")
    assert proc.returncode == 0, proc.stderr
    with_key, without = (shlex.split(line) for line in proc.stdout.splitlines())
    backend = "kind=openai_http,target=http://127.0.0.1:8000,model=tiny,request_format=/v1/chat/completions"
    assert with_key[with_key.index("--backend") + 1] == backend + ",api_key=sk-KEY"
    assert without[without.index("--backend") + 1] == backend
    assert [a for a in with_key if "sk-KEY" not in a] == [a for a in without if a != backend]
    assert without[without.index("--output") + 1] == "kind=json,path=/r/guidellm_results.json"
