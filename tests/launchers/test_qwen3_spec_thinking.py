"""launchers/qwen3.sh --config: the speculative-thinking GPU layout, without GPUs or vLLM. A fake
`nvidia-smi -L` lists FAKE_GPUS GPUs and SPECLENS_VLLM is a stand-in that records its argv and
environment (CUDA_VISIBLE_DEVICES, VLLM_MAX_STOP_STRINGS) and answers /health."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT
from tests.launchers.test_launchers import executable, free_port

SEED_CONFIG = ROOT / "clients/spec_thinking/configs/qwen3_1.7b_32b.yml"
STANDIN = '''import http.server, json, os, sys
argv = sys.argv[1:]
port = int(argv[argv.index("--port") + 1])
with open(os.path.join(os.environ["RECORD_DIR"], f"{port}.json"), "w") as f:
    json.dump({"argv": argv, "cuda": os.environ.get("CUDA_VISIBLE_DEVICES"),
               "stops": os.environ.get("VLLM_MAX_STOP_STRINGS")}, f)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
'''


def launch(tmp_path: Path, gpus: int, *args: str) -> tuple[subprocess.CompletedProcess, dict[int, dict], int]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    executable(bin_dir / "nvidia-smi", f'#!/bin/sh\nfor i in $(seq 0 {gpus - 1}); do echo "GPU $i: NVIDIA A100"; done\n')
    (tmp_path / "standin.py").write_text(STANDIN)
    vllm = executable(bin_dir / "vllm", f'#!/bin/sh\nexec "{sys.executable}" "{tmp_path / "standin.py"}" "$@"\n')
    port = free_port()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "RECORD_DIR": str(tmp_path), "SPECLENS_VLLM": vllm}
    proc = subprocess.run(["launchers/qwen3.sh", *args, "--port", str(port), "--log-dir", str(tmp_path / "logs"), "--",
                           "bash", "-c", 'echo "$SPECLENS_SMALL_URL|$SPECLENS_LARGE_URL|$SPECLENS_TEST_MODE"'],
                          cwd=ROOT, check=False, capture_output=True, text=True, timeout=120, env=env)
    servers = {int(p.stem) - port: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    return proc, servers, port


def flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_three_gpus_large_on_two_small_on_the_third(tmp_path: Path) -> None:
    proc, servers, port = launch(tmp_path, 3, "--config", str(SEED_CONFIG))
    assert proc.returncode == 0, proc.stderr
    small, large = servers[0]["argv"], servers[1]["argv"]
    assert (small[1], flag(small, "--tensor-parallel-size"), flag(small, "--gpu-memory-utilization"),
            servers[0]["cuda"]) == ("Qwen/Qwen3-1.7B", "1", "0.2", "2")
    assert (large[1], flag(large, "--tensor-parallel-size"), flag(large, "--gpu-memory-utilization"),
            servers[1]["cuda"]) == ("Qwen/Qwen3-32B", "2", "0.9", "0,1")
    assert flag(large, "--served-model-name") == "Qwen/Qwen3-32B"
    assert proc.stdout.strip() == f"http://127.0.0.1:{port}|http://127.0.0.1:{port + 1}|both"


def test_test_mode_large_starts_only_the_large_server(tmp_path: Path) -> None:
    proc, servers, port = launch(tmp_path, 2, "--config", str(SEED_CONFIG), "--test-mode", "large")
    assert proc.returncode == 0, proc.stderr
    assert set(servers) == {1} and servers[1]["cuda"] == "0,1"
    assert proc.stdout.strip() == f"|http://127.0.0.1:{port + 1}|large"


def test_two_gpus_sharing_over_full_memory_is_refused(tmp_path: Path) -> None:
    # 2 GPUs: the small server would share GPU 0 with the large one, 0.9 + 0.2 > 1
    proc, servers, _ = launch(tmp_path, 2, "--config", str(SEED_CONFIG))
    assert proc.returncode == 2 and servers == {}
    assert "share a GPU" in proc.stderr and "--large-gpu-memory-utilization 0.7" in proc.stderr
    proc, servers, _ = launch(tmp_path, 2, "--config", str(SEED_CONFIG), "--large-gpu-memory-utilization", "0.7")
    assert proc.returncode == 0, proc.stderr
    assert servers[0]["cuda"] == "0" and flag(servers[1]["argv"], "--gpu-memory-utilization") == "0.7"


def test_many_triggers_raise_the_stop_string_limit(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED_CONFIG.read_text())
    data["TRIGGER_TOKENS"] = ["\n\n", "Wait", "But", "Hmm", "So"]
    (tmp_path / "c.yml").write_text(yaml.safe_dump(data))
    proc, servers, _ = launch(tmp_path, 3, "--config", str(tmp_path / "c.yml"))
    assert proc.returncode == 0, proc.stderr
    assert servers[0]["stops"] == "5"  # vLLM's default is 4 stop strings per request
