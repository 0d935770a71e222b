"""Per-request spec-decode metrics are on by default where vLLM has them (issue 23): spec::per_request gates
--per-request-spec-decode-metrics on vLLM >= 0.29 and says why not otherwise; run_eval.sh passes it to the
speculating phase only, never to the target alone, and never twice (the user's own flag wins)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from tests.launchers.test_run_eval_faults import env, fake  # noqa: F401  (fake: a module fixture)
from tests.conftest import ROOT


def per_request(level: str, version: str) -> tuple[int, str, str]:
    script = (f'source "{ROOT}/launchers/lib.sh"; VLLM_VERSION={shlex.quote(version)}; '
              f'spec::per_request {level}; echo "${{PER_REQUEST_ARGS[*]}}|$PER_REQUEST_STATE"')
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SPECLENS_PY": sys.executable})
    return proc.returncode, proc.stdout.strip(), proc.stderr


@pytest.mark.parametrize(("level", "version", "out"), [
    ("summary", "0.32.0", "--per-request-spec-decode-metrics summary|summary"),
    ("detailed", "0.29.0+cpu", "--per-request-spec-decode-metrics detailed|detailed"),
    ("summary", "1.0.0", "--per-request-spec-decode-metrics summary|summary"),
    ("summary", "0.28.1", "|unsupported: vLLM 0.28.1 (per-request metrics need vLLM >= 0.29)"),
    ("summary", "", "|unsupported: vLLM version unknown (per-request metrics need vLLM >= 0.29)"),
    ("off", "0.32.0", "|off"),
])
def test_the_flag_follows_the_vllm_version(level: str, version: str, out: str) -> None:
    code, stdout, stderr = per_request(level, version)
    assert (code, stdout) == (0, out)
    assert ("no per-request spec-decode metrics" in stderr) == out.startswith("|unsupported")  # said once, when dropped


def dry_run(fake_vllm: str, *args: str, version: str = "0.32.0") -> list[list[str]]:
    proc = subprocess.run(["./run_eval.sh", "--dry-run", "--no-baseline", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env(SPECLENS_VLLM=fake_vllm, FAKE_VLLM_VERSION=version))
    assert proc.returncode == 0, proc.stderr
    return [argv for argv in map(shlex.split, proc.stdout.splitlines()) if "serve" in argv]


def test_run_eval_asks_the_speculating_server_only(fake: str) -> None:  # noqa: F811
    spec, base = dry_run(fake, "--baseline")
    assert "--speculative-config" in spec and spec[spec.index("--per-request-spec-decode-metrics") + 1] == "summary"
    assert "--speculative-config" not in base and "--per-request-spec-decode-metrics" not in base


def test_off_an_old_vllm_or_the_users_own_flag_add_nothing(fake: str) -> None:  # noqa: F811
    for args, version in ((("--per-request-metrics", "off"), "0.32.0"), ((), "0.28.0")):
        (spec,) = dry_run(fake, *args, version=version)
        assert "--per-request-spec-decode-metrics" not in spec, (args, version)
    (spec,) = dry_run(fake, "--", "--per-request-spec-decode-metrics", "detailed")
    assert spec.count("--per-request-spec-decode-metrics") == 1 and spec[-1] == "detailed"


def test_a_bad_level_is_one_line() -> None:
    proc = subprocess.run(["./run_eval.sh", "--per-request-metrics", "all"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == "error: --per-request-metrics must be summary, detailed or off, not 'all'\n"
