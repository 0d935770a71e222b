"""launchers/manifest.py records each step's start and end time (local, with year and offset), so
analyzers know the window the /metrics delta covers."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("manifest", ROOT / "launchers" / "manifest.py")
manifest = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(manifest)  # type: ignore[union-attr]


def test_step_records_started_and_ended_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        assert manifest.main(["init", str(tmp_path), "--", "-o", "x"]) == 0
        # 1795391662.2 s since the epoch is 2026-11-22 23:54:22.2 UTC; +26.5 s ends at 23:54:48.7
        assert manifest.main(["step", str(tmp_path), "load", "0", "1795391662.2", "1795391688.7", "--", "g"]) == 0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    [step] = json.loads((tmp_path / "run.json").read_text())["steps"]
    assert step == {"name": "load", "exit_status": 0, "seconds": 26.5, "started_at": "2026-11-22T23:54:22+0000",
                    "ended_at": "2026-11-22T23:54:48+0000", "command": ["g"]}
