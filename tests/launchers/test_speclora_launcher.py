"""launchers/speclora.sh without real vLLM: --help, bad options, and the servers of each mode (the
stand-in tests/launchers/fake_vllm.py in `ok` mode: guidellm's mock server on the port it is given),
their URLs handed to the command, the draft-model speculation and per-request metrics flags of the
speculative servers, and every server stopped afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.launchers.test_launchers import FAKE_SCRIPT, executable, free_port


def _run(tmp_path: Path, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    fake = executable(tmp_path / "fake_vllm", f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_SCRIPT}" "$@"\n')
    return subprocess.run(["launchers/speclora.sh", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False, env={**os.environ, "SPECLENS_VLLM": fake, "FAKE_VLLM_MODE": "ok", "BOOT_TIMEOUT": "120"})


def test_help_and_bad_options() -> None:
    proc = subprocess.run(["launchers/speclora.sh", "-h"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: launchers/speclora.sh ")
    for args, message in ((["--bogus"], "error: unknown option '--bogus' (see --help)\n"),
                          (["--modes", "target,lora"], "error: mode lora needs --lora-draft MERGED_DRAFT_DIR\n"),
                          (["--modes", "target,spec"],
                           "error: --modes takes target,base,lora (a subset), not 'target,spec'\n")):
        proc = subprocess.run(["launchers/speclora.sh", *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
                              check=False)
        assert (proc.returncode, proc.stderr) == (2, message)


def test_three_servers_their_urls_and_flags(tmp_path: Path) -> None:
    port = free_port()
    while any(_busy(p) for p in (port + 1, port + 2)):
        port = free_port()
    logs = tmp_path / "logs"
    show = 'echo "T=$SPECLENS_TARGET_URL B=$SPECLENS_BASE_URL L=$SPECLENS_LORA_URL"'
    proc = _run(tmp_path, "--target", "T", "--draft", "D", "--lora-draft", "M", "--port", str(port),
                "--log-dir", str(logs), "--", "bash", "-c", show)
    assert proc.returncode == 0, proc.stderr
    h = "http://127.0.0.1"
    assert proc.stdout.strip() == f"T={h}:{port} B={h}:{port + 1} L={h}:{port + 2}"
    target, base, lora = ((logs / f"{n}.log").read_text() for n in ("target", "base", "lora"))
    assert "--speculative-config" not in target
    assert '"method":"draft_model","model":"D"' in base and '"model":"M"' in lora
    assert all("'--per-request-spec-decode-metrics', 'summary'" in text for text in (base, lora))
    assert proc.stderr.count("stopped process group") == 3 and not list(logs.glob("*.pid"))


def test_one_mode_only(tmp_path: Path) -> None:
    port = free_port()
    proc = _run(tmp_path, "--target", "T", "--draft", "D", "--modes", "base", "--port", str(port - 1),
                "--log-dir", str(tmp_path / "logs"), "--", "bash", "-c", 'echo "${SPECLENS_TARGET_URL:-none} $SPECLENS_BASE_URL"')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"none http://127.0.0.1:{port}"  # base is P+1
    assert sorted(p.name for p in (tmp_path / "logs").glob("*.log")) == ["base.log"]


def _busy(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False
