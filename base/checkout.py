"""The speclens checkout's launchers, found explicitly: the bash launchers and the tiny-pair
builder live in the repository, not in an installed wheel. `SPECLENS_ROOT` names the checkout;
without it, the checkout this code runs from (an editable install or `python -m` from the repo).
Found by path, never imported: nothing here imports speclens.launchers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NoCheckout(RuntimeError):
    """The launcher is not there: one line saying what to set."""


def checkout_root() -> Path | None:
    """$SPECLENS_ROOT, else the directory above this package when it holds launchers/."""
    named = os.environ.get("SPECLENS_ROOT")
    if named:
        return Path(named)
    here = Path(__file__).resolve().parents[1]
    return here if (here / "launchers" / "lib.sh").is_file() else None


def launcher(relative: str) -> Path:
    """The checkout's `launchers/RELATIVE`, or NoCheckout naming what to set."""
    root = checkout_root()
    path = root / "launchers" / relative if root else None
    if path is None or not path.is_file():
        where = f"{path} does not exist" if path else "this speclens install has no launchers/ (not a checkout)"
        raise NoCheckout(f"launchers/{relative}: {where}; set SPECLENS_ROOT to a speclens checkout "
                         "(the repository with launchers/)")
    return path


def tiny_pair_dir() -> Path:
    """The embedded tiny pair's cache directory, as the checkout's builder names it
    (`launchers/tiny/build.py --print-path`, the one owner of its recipe hash)."""
    builder = launcher("tiny/build.py")
    done = subprocess.run([sys.executable, str(builder), "--print-path"], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise NoCheckout(f"{builder} --print-path failed ({last}); run ./setup.sh to install the serving venv")
    return Path(done.stdout.strip())
