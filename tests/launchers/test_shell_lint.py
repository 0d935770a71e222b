"""Every shell script is ShellCheck-clean (shellcheck comes from Debian packages via ./setup.sh --dev)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import ROOT

SCRIPTS = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("*.sh"), *(ROOT / "launchers").glob("*.sh"), ROOT / ".ci" / "run"])


def test_there_are_scripts_to_lint() -> None:
    assert {"run_eval.sh", "setup.sh", "launchers/lib.sh", "launchers/eagle3.sh", ".ci/run"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_shellcheck_clean(script: str) -> None:
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is not installed: run ./setup.sh --dev as root, or apt-get install shellcheck")
    proc = subprocess.run(["shellcheck", "-x", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
