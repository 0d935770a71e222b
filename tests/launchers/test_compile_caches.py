"""The tiny-pair build (setup.sh and the launchers' tiny::build) sends torch's compile caches into
the project cache, so a fresh setup leaves no torchinductor_<user> folder in the system temp dir."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture
def stub_python(tmp_path: Path) -> Path:
    """A stand-in interpreter that records the compile-cache variables it was started with."""
    stub = tmp_path / "python"
    stub.write_text('#!/bin/sh\nprintf "%s\\n%s\\n" "$TORCHINDUCTOR_CACHE_DIR" "$TRITON_CACHE_DIR" > "$STUB_OUT"\n')
    stub.chmod(0o755)
    return stub


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TORCHINDUCTOR_CACHE_DIR", "TRITON_CACHE_DIR")}
    return {**env, "SPECLENS_CACHE": str(tmp_path / "cache"), "STUB_OUT": str(tmp_path / "env.txt")}


def test_setup_builds_the_tiny_pair_with_caches_in_the_project_cache(tmp_path: Path, stub_python: Path) -> None:
    script = f'source "{ROOT}/setup.sh"\nGPU_COUNT=0\nPY="{stub_python}"\nsetup::tiny_models\n'
    subprocess.run(["bash", "-c", script], check=True, env=_env(tmp_path), timeout=60)
    cache = tmp_path / "cache"
    assert (tmp_path / "env.txt").read_text().splitlines() == [f"{cache}/vllm/inductor", f"{cache}/vllm/triton"]


def test_launchers_build_the_tiny_pair_with_caches_in_the_project_cache(tmp_path: Path, stub_python: Path) -> None:
    script = f'source "{ROOT}/launchers/lib.sh"\ntiny::build\n'
    subprocess.run(["bash", "-c", script], check=True, env={**_env(tmp_path), "SPECLENS_PY": str(stub_python)},
                   timeout=60)
    cache = tmp_path / "cache"
    assert (tmp_path / "env.txt").read_text().splitlines() == [f"{cache}/vllm/inductor", f"{cache}/vllm/triton"]
