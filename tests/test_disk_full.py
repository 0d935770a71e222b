"""Disk full while speclens writes: one clear error, the earlier file intact, no temp file left.
Uses a real 256 KiB tmpfs (mounting needs root, as in CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RECORDED, ROOT


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_disk_full_while_writing_a_report(tiny_disk: Path) -> None:
    out = tiny_disk / "report.json"
    speclens = [sys.executable, "-m", "speclens.analyzers.cli", "acceptance", "--format", "json", "-o", str(out)]
    assert subprocess.run([*speclens, str(RECORDED / "ngram-greedy")], cwd=ROOT).returncode == 0
    earlier = out.read_bytes()
    (tiny_disk / "filler").write_bytes(b"x" * (256 * 1024 - len(earlier) - 8192))  # about 8 KiB stay free
    runs = [str(RECORDED / name) for name in ("draft-greedy", "ngram-greedy", "eagle3-greedy")]  # ~20 KiB of JSON
    proc = subprocess.run([*speclens, *runs], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "No space left on device" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_bytes() == earlier  # the earlier report is intact
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "report.json"]  # no temp file left
