"""launchers/opt_verify.sh --strategy and --verbose reach the client and the servers. No real vLLM:
SPECLENS_VLLM is a stand-in that records each server's VLLM_LOGGING_LEVEL and argv, then answers
200 to every GET on its --port (healthy at once; `--version` prints 0.32.0)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.launchers.test_launchers import executable, free_port


def _pair() -> int:
    """A port P with P and P+1 both free on 127.0.0.1."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports")


def run(tmp_path: Path, *options: str, command: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    record = tmp_path / "servers.txt"
    fake = executable(tmp_path / "fake_vllm", f'''#!{sys.executable}
import http.server, os, sys
argv = sys.argv[1:]
if argv == ["--version"]:
    print("0.32.0")
    sys.exit(0)
with open("{record}", "a") as f:
    f.write("level=" + os.environ.get("VLLM_LOGGING_LEVEL", "unset") + " " + " ".join(argv) + "\\n")
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(argv[argv.index("--port") + 1])), Ok).serve_forever()
''')
    argv = ["launchers/opt_verify.sh", "--target", "org/target-1.3b", "--draft", "org/draft-350m", "--port",
            str(_pair()), "--log-dir", str(tmp_path / "logs"), *options, "--", "bash", "-c", command]
    env = {k: v for k, v in os.environ.items() if k not in ("SPECLENS_STRATEGY", "VLLM_LOGGING_LEVEL")}
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=180,
                          env={**env, "SPECLENS_VLLM": fake, "BOOT_TIMEOUT": "60"})
    lines = record.read_text().splitlines() if record.exists() else []
    return proc, [line for line in lines if " serve " in line]  # not the launcher's `--version` check


def test_strategy_and_verbose_reach_the_client_and_both_servers(tmp_path: Path) -> None:
    out = tmp_path / "client.txt"
    proc, servers = run(tmp_path, "--strategy", "probabilistic", "--verbose",
                        command=f'echo "$SPECLENS_STRATEGY $VLLM_LOGGING_LEVEL" > {out}')
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == "probabilistic DEBUG\n"
    assert len(servers) == 2 and all(line.startswith("level=DEBUG serve org/") for line in servers)
    assert "verification strategy: probabilistic" in proc.stderr


def test_without_options_nothing_is_set(tmp_path: Path) -> None:
    out = tmp_path / "client.txt"
    proc, servers = run(tmp_path, command=f'echo "${{SPECLENS_STRATEGY:-unset}}" > {out}')
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == "unset\n" and all(line.startswith("level=unset ") for line in servers)


@pytest.mark.parametrize(("options", "message"), [
    (["--strategy", "greedy"], "error: --strategy must be deterministic or probabilistic, not 'greedy'\n"),
    (["--strategy"], "error: --strategy needs a value (see --help)\n"),
])
def test_bad_strategy_is_one_line_exit_2(options: list[str], message: str) -> None:
    proc = subprocess.run(["launchers/opt_verify.sh", *options], cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=60)
    assert (proc.returncode, proc.stderr) == (2, message)
