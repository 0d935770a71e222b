"""The launchers honour the caller's TMPDIR: when a run directory's own tmp/ would make vLLM's socket
paths too long and the project cache is too deep, the server's private temp directory goes under the
caller's TMPDIR (not the global /tmp), so a test or a user can keep a run's temp files to itself."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from tests.conftest import ROOT


def test_serve_env_makes_its_temp_dir_under_the_callers_tmpdir(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60)  # run dir and cache both longer than the 50 / 42 byte limits
    deep.mkdir()
    with tempfile.TemporaryDirectory(prefix="b", dir="/tmp") as short:  # /tmp/bXXXXXXXX: 16 bytes
        script = f'source launchers/lib.sh; serve::env "{deep}"; printf "%s\\n" "$TMPDIR"; lib::remove_tmpdirs'
        proc = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": short,
                                   "SPECLENS_CACHE": str(deep / "cache")})
        assert proc.returncode == 0, proc.stderr
        made = Path(proc.stdout.strip())
        assert made.parent == Path(short) and made.name.startswith("speclens.")
        assert list(Path(short).iterdir()) == []  # removed again by lib::remove_tmpdirs
