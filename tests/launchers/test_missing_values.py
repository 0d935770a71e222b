"""Every option that takes a value, given last without one, is refused by every launcher with one line
naming that option and exit 2 (it used to end in bash's `$2: unbound variable`, exit 1). Parsing fails
before anything starts: no vLLM, no tiny-pair build, no run directory."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

COMMON = "launchers/lib_launch.sh"  # launch::parse_common: the options every small launcher shares
LAUNCHERS = ["launchers/eagle3.sh", "launchers/baseline.sh", "launchers/opt_verify.sh", "launchers/qwen3.sh",
             "launchers/speclora.sh"]
BRANCH = re.compile(r"^\s+([-a-z0-9|]+)\)(.*?);;", re.MULTILINE | re.DOTALL)
PARSE_SPECS = re.compile(r'launch::parse "([^"]*)"')


def value_options(script: str) -> list[str]:
    """SCRIPT's options that take a value: its case branches that read the next argument ($2) and its
    launch::parse specs NAMES=VAR, aliases split."""
    text = (ROOT / script).read_text()
    names = [names for names, body in BRANCH.findall(text) if "$2" in body]
    names += [spec.split("=")[0] for specs in PARSE_SPECS.findall(text) for spec in specs.split() if "=" in spec]
    return [name for alias in names for name in alias.split("|")]


# what the scripts are expected to offer: a guard that the branch scan above found them all
EXPECTED = {
    COMMON: {"--host", "--port", "--tensor-parallel-size", "-k", "--num-speculative-tokens", "--log-dir", "--vllm",
             "--per-request-metrics"},
    "launchers/eagle3.sh": {"-m", "--model", "--base-model"},
    "launchers/baseline.sh": {"-m", "--model"},
    "launchers/opt_verify.sh": {"--target", "--draft", "--strategy"},
    "launchers/qwen3.sh": {"--target", "--draft", "--config", "--test-mode", "--large-devices", "--small-devices",
                           "--large-gpu-memory-utilization", "--small-gpu-memory-utilization"},
    "launchers/speclora.sh": {"--target", "--draft", "--lora-draft", "--modes"},
    "run_eval.sh": {"-m", "--model", "-d", "--dataset", "-o", "--output-dir", "--base-model", "--method",
                    "--num-speculative-tokens", "--tensor-parallel-size", "--gpu-memory-utilization", "--host",
                    "--port", "--profile", "--max-requests", "--max-seconds", "--prompt-tokens", "--output-tokens",
                    "--temperature", "--api-key", "--data-column", "--vllm", "--per-request-metrics",
                    "--categories", "--category-column", "--plan-only", "--resume", "--cell"},
}


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_the_scan_finds_every_value_option(script: str) -> None:
    assert set(value_options(script)) == EXPECTED[script]


CASES = [(script, option) for script in ["run_eval.sh", *LAUNCHERS]
         for option in value_options(script) + (value_options(COMMON) if script != "run_eval.sh" else [])]


@pytest.mark.parametrize(("script", "option"), CASES, ids=[f"{Path(s).name}:{o}" for s, o in CASES])
def test_an_option_without_its_value_is_one_line_and_exit_2(script: str, option: str, tmp_path: Path) -> None:
    proc = subprocess.run([f"./{script}", option], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)})
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"error: {option} needs a value (see --help)\n")
    assert list(tmp_path.iterdir()) == []  # nothing was started or written


def test_an_empty_value_is_a_value_not_a_missing_one() -> None:
    # `--port ''` reaches the option's own check, which names what was wrong with it
    proc = subprocess.run(["./run_eval.sh", "--port", ""], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (2, "error: --port must be a whole number >= 1, not ''\n")
