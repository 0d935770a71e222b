"""launchers/tiny/speculators.py: the tiny EAGLE-3 head as a speculators-format checkpoint, checked
with vLLM's own reader of that format (vllm.transformers_utils.configs.speculators, no server boot):
the method and k vLLM will serve, the verifier it swaps in, and the draft layer config it builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.launchers.tiny import speculators
from speclens.launchers.tiny.build import default_out, is_complete, recipe_hash

HEAD = {"architectures": ["LlamaForCausalLMEagle3"], "model_type": "llama", "hidden_size": 256, "num_hidden_layers": 1,
        "vocab_size": 768, "draft_vocab_size": 768, "target_hidden_size": 256, "_name_or_path": "",
        "eagle_config": {"eagle_aux_hidden_state_layer_ids": [0, 1, 2], "use_aux_hidden_state": True}}


def test_the_config_is_what_vllm_reads_as_eagle3_with_k_and_the_verifier() -> None:
    from vllm.transformers_utils.configs.speculators.base import SpeculatorsConfig

    config = speculators.speculators_config(HEAD, "/models/target", ["LlamaForCausalLM"], 3)
    assert SpeculatorsConfig.extract_vllm_speculative_config(config) == {"method": "eagle3", "num_speculative_tokens": 3}
    layer = SpeculatorsConfig.extract_transformers_pre_trained_config(json.loads(json.dumps(config)))
    assert layer["architectures"] == ["Eagle3LlamaForCausalLM"]  # vLLM's head class for a llama layer
    assert layer["norm_before_residual"] is False  # the tiny head keeps the pre-norm stream (vLLM's default: True)
    assert layer["eagle_aux_hidden_state_layer_ids"] == [0, 1, 2] and layer["draft_vocab_size"] == 768
    assert config["speculators_config"]["verifier"] == {"name_or_path": "/models/target",
                                                        "architectures": ["LlamaForCausalLM"]}
    assert "eagle_config" not in config["transformer_layer_config"]


def test_weights_take_the_speculators_layer_names() -> None:
    assert speculators.weight_name("midlayer.self_attn.q_proj.weight") == "layers.0.self_attn.q_proj.weight"
    assert [speculators.weight_name(n) for n in ("fc.weight", "norm.weight", "lm_head.weight")] == \
        ["fc.weight", "norm.weight", "lm_head.weight"]


@pytest.fixture(scope="module")
def tiny() -> Path:
    path = default_out(recipe_hash())
    if not is_complete(path):
        pytest.fail(f"no tiny pair in {path}: run ./setup.sh")
    return path


def test_the_checkpoint_is_built_once_beside_the_tiny_pair(tiny: Path) -> None:
    from safetensors import safe_open

    out = speculators.build(tiny)
    assert out == tiny / "speculator.eagle3"
    stamp = (out / speculators.MARKER).stat().st_mtime_ns
    assert speculators.build(tiny) == out and (out / speculators.MARKER).stat().st_mtime_ns == stamp  # cached
    config = json.loads((out / "config.json").read_text())
    assert config["speculators_config"]["verifier"]["name_or_path"] == str(tiny / "target")
    with safe_open(str(out / "model.safetensors"), "pt") as f, safe_open(str(tiny / "eagle3" / "model.safetensors"), "pt") as g:
        assert sorted(f.keys()) == sorted(speculators.weight_name(k) for k in g.keys())  # noqa: SIM118 - safe_open
        assert f.get_tensor("layers.0.self_attn.q_proj.weight").equal(g.get_tensor("midlayer.self_attn.q_proj.weight"))
    assert (out / "tokenizer.json").is_file()
