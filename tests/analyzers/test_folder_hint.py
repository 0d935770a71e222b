"""`speclens acceptance DIR` on a folder without server data names what each of its JSON files is,
by content (parsers.sniff), instead of calling every one "load-driver results"."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.inputs import resolve_targets
from speclens.parsers.errors import ParseError

from tests.conftest import ROOT

GUIDELLM = ROOT / "fixtures" / "recorded" / "load-drivers"


def _refusal(folder: Path) -> str:
    with pytest.raises(ParseError) as err:
        resolve_targets([str(folder)])
    return str(err.value)


def test_a_json_that_is_not_a_load_driver_result_is_not_called_one(tmp_path: Path) -> None:
    (tmp_path / "expected.json").write_text(json.dumps({"answer": 42}), encoding="utf-8")
    message = _refusal(tmp_path)
    assert "load-driver results" not in message
    assert "it holds expected.json (a JSON document of no format speclens knows)" in message


def test_each_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    shutil.copy(GUIDELLM / "guidellm-0.8.1-concurrent2" / "guidellm_results.json", tmp_path / "bench.json")
    shutil.copy(ROOT / "tests" / "data" / "seed003_example.json", tmp_path / "gsm8k.json")
    (tmp_path / "notes.json").write_text("{not json", encoding="utf-8")
    message = _refusal(tmp_path)
    # sorted by name; each with its kind and the command that reads it (parsers.sniff's hint)
    assert ("it holds bench.json (a guidellm result JSON (load-driver timings, no acceptance counts); read it with "
            "`speclens speedup` or `speclens compare`), gsm8k.json (a speclens client result JSON; read it with "
            "`speclens report` or `speclens compare`), notes.json (a truncated or invalid JSON document)") in message


def test_the_cli_prints_one_line(tmp_path: Path) -> None:
    (tmp_path / "expected.json").write_text("[1, 2]", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "acceptance", str(tmp_path)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    assert "expected.json (a JSON document of no format speclens knows)" in proc.stderr
    assert "load-driver" not in proc.stderr
