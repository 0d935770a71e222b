"""run.json of a speculators-format checkpoint served directly (issue 13): the target both phases
serve is the verifier, so `speclens speedup` pairs the phases; run.json files written before these
fields read unchanged."""

from __future__ import annotations

import json

from speclens.parsers.run_dir import manifest_json, parse_manifest
from speclens.parsers.run_manifest import run_settings

from tests.conftest import ROOT

CKPT, VERIFIER = "/models/speculator.eagle3", "/models/target"


def test_a_checkpoint_served_directly_has_its_verifier_as_the_target() -> None:
    spec = parse_manifest("run.json", {"config": {
        "model": CKPT, "model_format": "speculators", "verifier": VERIFIER, "speculative_config": "",
        "server_command": f"vllm serve {CKPT} --port 8000"}})
    base = parse_manifest("baseline/run.json", {"config": {"target": VERIFIER,
                                                           "server_command": f"vllm serve {VERIFIER} --port 8000"}})
    assert run_settings("run.json", spec).target == VERIFIER == run_settings("b", base).target
    assert run_settings("run.json", spec).speculative_config is None  # no --speculative-config: vLLM reads the checkpoint


def test_a_plain_model_keeps_its_served_path() -> None:
    other = parse_manifest("run.json", {"config": {"model": CKPT, "model_format": "", "verifier": "",
                                                   "server_command": f"vllm serve {CKPT}"}})
    assert run_settings("run.json", other).target == CKPT


def test_an_old_run_json_reads_and_rewrites_unchanged() -> None:
    path = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline" / "run.json"
    doc = json.loads(path.read_text())
    manifest = parse_manifest(str(path), doc)
    assert manifest.config is not None and manifest.config.verifier is None and manifest.config.vllm_version is None
    assert json.loads(manifest_json(manifest)) == doc
