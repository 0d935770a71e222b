"""The tiny pair's EAGLE-3 head as a speculators-format checkpoint (what `speculators convert`
produces and `vllm serve CHECKPOINT` serves directly), written from the format's schema.

Why not the real tool: the `speculators` PyPI package (0.9.0) pulls CUDA torchvision/torchaudio
builds that break `transformers` imports beside this machine's torch 2.13 CPU build
(docs/cpu-stack: `operator torchvision::nms does not exist`). The schema written here is the one
vLLM 0.32 reads (`vllm/transformers_utils/configs/speculators/{base,algos}.py` and
`maybe_override_with_speculators` in `transformers_utils/config.py`), cross-checked against
published speculators checkpoints (RedHatAI/*-speculator.eagle3 config.json):

    config.json
      speculators_model_type: "eagle3"            -> the vLLM method
      speculators_config.algorithm: "eagle3"
      speculators_config.default_proposal_method: "greedy"
      speculators_config.proposal_methods[0].speculative_tokens: K   -> num_speculative_tokens
      speculators_config.verifier.name_or_path: the verifier (served as the target)
      transformer_layer_config: the draft layer's Llama config
      draft_vocab_size, target_hidden_size, norm_before_residual, eagle_aux_hidden_state_layer_ids
    model.safetensors: fc, layers.0.* (speculators' name for the one decoder layer), norm, lm_head

`norm_before_residual` is false: the tiny head keeps the pre-norm stream as its residual (vLLM's
speculators default is true). The verifier is the tiny target's absolute path.

usage: python -m speclens.launchers.tiny.speculators [--tiny DIR] [-k K]   (prints the checkpoint dir)

Output: TINY/speculator.eagle3/ (TINY = the tiny pair's cache dir, keyed by its recipe hash), built
once from TINY/eagle3 in a temp dir renamed into place; rebuilt when this file's code, K or the head's weights
change (its `speclens_build.json` records them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

NAME = "speculator.eagle3"
MARKER = "speclens_build.json"
DEFAULT_K = 3
_COPIED = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


def _code_hash() -> str:
    from speclens.launchers.tiny.build import _code_of

    return hashlib.sha256(_code_of(Path(__file__).read_text(encoding="utf-8")).encode()).hexdigest()[:16]


def speculators_config(head: dict, verifier: str, verifier_arch: list[str], k: int) -> dict:
    """The speculators-format config.json of an EAGLE-3 head saved by tiny/eagle3.py."""
    layer = {key: value for key, value in head.items()
             if key not in ("architectures", "eagle_config", "draft_vocab_size", "target_hidden_size", "_name_or_path")}
    return {
        "architectures": ["Eagle3Speculator"],
        "speculators_model_type": "eagle3",
        "speculators_version": "0.9.0",
        "draft_vocab_size": head["draft_vocab_size"],
        "target_hidden_size": head.get("target_hidden_size"),
        "norm_before_residual": False,
        "eagle_aux_hidden_state_layer_ids": list(head["eagle_config"]["eagle_aux_hidden_state_layer_ids"]),
        "transformer_layer_config": {**layer, "architectures": ["LlamaForCausalLM"]},
        "speculators_config": {
            "algorithm": "eagle3",
            "default_proposal_method": "greedy",
            "proposal_methods": [{"proposal_type": "greedy", "speculative_tokens": k,
                                  "accept_tolerance": 0.0, "verifier_accept_k": 1}],
            "verifier": {"name_or_path": verifier, "architectures": verifier_arch},
        },
    }


def weight_name(name: str) -> str:
    """tiny/eagle3.py's `midlayer.*` (vLLM's EAGLE-3 layout) -> speculators' `layers.0.*`."""
    return "layers.0." + name[len("midlayer."):] if name.startswith("midlayer.") else name


def build(tiny: Path, k: int = DEFAULT_K) -> Path:
    out = tiny / NAME
    head_weights = (tiny / "eagle3" / "model.safetensors").stat()
    stamp = {"code": _code_hash(), "k": k, "source": str(tiny / "eagle3"),
             "source_weights": [head_weights.st_size, head_weights.st_mtime_ns]}
    marker = out / MARKER
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == stamp:
        return out
    from safetensors.torch import load_file, save_file

    head = json.loads((tiny / "eagle3" / "config.json").read_text(encoding="utf-8"))
    target = json.loads((tiny / "target" / "config.json").read_text(encoding="utf-8"))
    tmp = tiny / f".{NAME}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        weights = load_file(str(tiny / "eagle3" / "model.safetensors"))
        save_file({weight_name(n): t for n, t in weights.items()}, str(tmp / "model.safetensors"))
        config = speculators_config(head, str((tiny / "target").resolve()), target.get("architectures", []), k)
        (tmp / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        for name in _COPIED:
            if (tiny / "eagle3" / name).is_file():
                shutil.copy2(tiny / "eagle3" / name, tmp / name)
        (tmp / MARKER).write_text(json.dumps(stamp) + "\n", encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
        os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiny", type=Path, help="the tiny pair's directory (default: its cache dir)")
    ap.add_argument("-k", type=int, default=DEFAULT_K, help="speculative_tokens (default 3)")
    args = ap.parse_args(argv)
    from speclens.launchers.tiny.build import default_out, is_complete, recipe_hash

    tiny = (args.tiny or default_out(recipe_hash())).resolve()
    if not is_complete(tiny):
        print(f"error: no complete tiny pair in {tiny}; build it first: .venv/bin/python launchers/tiny/build.py",
              file=sys.stderr)
        return 2
    print(build(tiny, args.k))
    return 0


if __name__ == "__main__":
    sys.exit(main())
