"""launchers/manifest.py records each step's start and end time (local, with year and offset), so
analyzers know the window the /metrics delta covers."""

from __future__ import annotations

import importlib.util
import json
import os
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


RECORDED_RUN = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"
CONFIG_KEYS = ["model", "target", "method", "num_speculative_tokens", "speculative_config", "dataset", "data_spec",
               "profile", "max_requests", "max_seconds", "tensor_parallel_size", "host", "port", "temperature",
               "tiny_pair", "baseline", "api_key_set"]


def test_a_whole_run_writes_the_recorded_layout_through_the_model(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from speclens.parsers.run_dir import manifest_json, read_manifest

    run = str(tmp_path)
    assert manifest.main(["init", run, "--", "-o", run, "--api-key", "sk-1"]) == 0
    typed = {"num_speculative_tokens": "3", "max_requests": "0", "max_seconds": "60", "port": "8000",
             "tensor_parallel_size": "1", "temperature": "0", "baseline": "1", "api_key_set": "yes"}  # schema 2
    assert manifest.main(["config", run, *(f"{key}={typed.get(key, 'v')}" for key in CONFIG_KEYS)]) == 0  # bash's order
    assert manifest.main(["step", run, "boot", "0", "100.0", "132.25", "--"]) == 0
    assert manifest.main(["config", run, "server_command='vllm' 'serve' 't'", "load_command='guidellm' 'run'"]) == 0
    assert manifest.main(["finish", run, "0"]) == 0
    written = (tmp_path / "run.json").read_text()
    doc, recorded = json.loads(written), json.loads((RECORDED_RUN / "run.json").read_text())
    assert list(doc) == list(recorded)  # the same keys in the same order as a real run_eval.sh run
    assert list(doc["config"]) == list(recorded["config"]) == [*CONFIG_KEYS, "server_command", "load_command"]
    assert list(doc["steps"][0]) == list(recorded["steps"][0])
    assert (doc["argv"], doc["steps"][0]["seconds"]) == (["-o", run, "--api-key", "***"], 32.25)  # 132.25 - 100.0
    parsed = read_manifest(str(tmp_path / "run.json"))
    assert parsed is not None and manifest_json(parsed) == written
    assert os.listdir(run) == ["run.json"] and capsys.readouterr().err == ""  # no temp file left, nothing said


def test_a_corrupt_run_json_is_one_line_and_stays_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "run.json").write_text('{"steps": [\n')
    assert manifest.main(["step", str(tmp_path), "load", "0", "1", "2", "--", "g"]) == 2
    err = capsys.readouterr().err
    assert err == (f"manifest.py step: {tmp_path / 'run.json'}:2: invalid JSON (Expecting value); "
                   "the file is truncated or not JSON\n")
    assert (tmp_path / "run.json").read_text() == '{"steps": [\n'
    assert manifest.main(["init", str(tmp_path / "missing"), "--"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(("vllm", "torch_known"), [(None, True), ("SELF", True), ("/opt/other-venv/bin/python", False)])
def test_torch_version_is_only_recorded_for_our_own_interpreter(tmp_path: Path, vllm: str | None,
                                                                torch_known: bool) -> None:
    """The servers' torch is the project's when they run on its Python; another install's is unknown (null)."""
    import sys
    from importlib.metadata import version

    assert manifest.main(["init", str(tmp_path), "--", "-o", "x"]) == 0
    if vllm is not None:
        source = sys.executable if vllm == "SELF" else vllm
        assert manifest.main(["config", str(tmp_path), f"vllm={source}", "vllm_version=0.32.0"]) == 0
    assert manifest.main(["finish", str(tmp_path), "0"]) == 0
    versions = json.loads((tmp_path / "run.json").read_text())["versions"]
    assert versions["torch"] == (version("torch") if torch_known else None)
