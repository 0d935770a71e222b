"""`speclens report` on a client result that does not fit its model: one stderr line naming the
field, a non-zero exit, no traceback, and an existing -o file left as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def assert_report_refuses(tmp_path: Path, doc: dict, field_message: str) -> None:
    bad, out = tmp_path / "bad.json", tmp_path / "out.md"
    bad.write_text(json.dumps(doc))
    out.write_text("kept\n")
    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "report", str(bad), "-o", str(out),
                           "--overwrite"], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and f"{bad}: {field_message}" in proc.stderr, proc.stderr
    assert out.read_text() == "kept\n"
