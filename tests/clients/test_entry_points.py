"""Each workload is a subpackage run with `python -m speclens.clients.<workload>`; the module names
of the previous release still run it (thin aliases, one release) and print the same --help."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# new entry point -> the previous release's name for it (None: the package took over the old name)
ENTRY_POINTS = {
    "draft_verify": "gsm8k_draft_verify",
    "accuracy": "gsm8k_accuracy",
    "spec_thinking": None,
    "spec_thinking.config": "spec_thinking_config",
    "speclora": None,
    "speclora.three_mode": "three_mode",
    "speclora.lora_merge": "lora_merge",
    "losslessness": None,
}


def _help(module: str) -> str:
    done = subprocess.run([sys.executable, "-m", f"speclens.clients.{module}", "--help"], capture_output=True,
                          text=True, check=False, env={**os.environ, "COLUMNS": "100"})
    assert done.returncode == 0 and done.stderr == "", (module, done.stderr[-2000:])
    return done.stdout


@pytest.mark.parametrize("new", sorted(ENTRY_POINTS))
def test_workload_entry_point_and_its_alias_print_the_same_help(new: str) -> None:
    text = _help(new)
    old = ENTRY_POINTS[new] or new
    assert text.startswith(f"usage: python -m speclens.clients.{old}")  # the documented prog name
    if ENTRY_POINTS[new]:
        assert _help(ENTRY_POINTS[new]) == text
