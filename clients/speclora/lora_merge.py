"""Merge a LoRA adapter into its draft model and save a plain checkpoint vLLM can serve as a
speculative draft (vLLM applies LoRA to the target model only, never to a drafter). Needs torch,
transformers and peft.

    .venv/bin/python -m speclens.clients.lora_merge --adapter data/checkpoints/best [--base BASE_DRAFT] [--out DIR]

Without --out the merged draft goes to the cache, `${SPECLENS_CACHE:-~/.cache/speclens}/lora-merged/
<adapter hash>-<base hash>/`, and is reused while the adapter's files and the base draft are
unchanged (the adapter hash is by content, clients/speclora/adapters.py; the base by its config
and weight files' names, sizes and mtimes). Without --base, the adapter's own
base_model_name_or_path. The merge is deterministic: the same adapter on the same base gives
the same weights, whose hash (`weights_sha256`: sha256 over every tensor's name, dtype, shape and
bytes, in name order) is recorded in the merged directory's speclora_merge.json. A merge is
written to a temporary sibling directory and renamed into place, so a half-written checkpoint is
never left behind; an explicit --out must not exist yet. Prints the merged directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from speclens.base.publish import publishing
from speclens.clients.common.cli import UsageError
from speclens.clients.speclora.adapters import CONFIG, adapter_hash, is_adapter

INFO = "speclora_merge.json"
TOKENIZER_FILES = ("tokenizer", "special_tokens_map", "vocab.", "merges.txt", "chat_template", "generation_config",
                   "added_tokens")


def cache_root() -> Path:
    return Path(os.environ.get("SPECLENS_CACHE") or Path.home() / ".cache" / "speclens") / "lora-merged"


def base_of(adapter: Path) -> str:
    """The base model the adapter was trained on (its adapter_config.json)."""
    base = json.loads((adapter / CONFIG).read_text()).get("base_model_name_or_path")
    if not base:
        raise UsageError(f"{adapter}/{CONFIG} names no base_model_name_or_path; pass --base DRAFT")
    return str(base)


def base_hash(base: str) -> str:
    """Identity of a local base model directory (config + weight files' names, sizes, mtimes); a hub
    id is hashed by name."""
    h = hashlib.sha256(os.path.abspath(base).encode() if os.path.isdir(base) else base.encode())
    if os.path.isdir(base):
        for name in sorted(os.listdir(base)):
            if name.endswith((".json", ".safetensors", ".bin")):
                st = os.stat(os.path.join(base, name))
                h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:12]


def weights_sha256(model) -> str:
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}\0{t.dtype}\0{tuple(t.shape)}\0".encode())
        h.update(t.view(-1).view(dtype=__import__("torch").uint8).numpy().tobytes())
    return h.hexdigest()


def _merge_into(base: str, adapter: Path, tmp: str, hashes: tuple[str, str]) -> dict:
    try:
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as err:
        raise UsageError(f"merging a LoRA draft needs peft and transformers ({err.name} is not installed); "
                         "run ./setup.sh, or merge elsewhere and pass the merged directory as the draft") from None
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), str(adapter)).merge_and_unload()
    model.save_pretrained(tmp)
    if os.path.isdir(base):  # a local base: its tokenizer and generation files as they are
        for name in os.listdir(base):
            if name.startswith(TOKENIZER_FILES) and not os.path.exists(os.path.join(tmp, name)):
                shutil.copy(os.path.join(base, name), tmp)
    else:
        AutoTokenizer.from_pretrained(base).save_pretrained(tmp)
    info = {"adapter": str(adapter), "adapter_hash": hashes[0], "base": base, "base_hash": hashes[1],
            "weights_sha256": weights_sha256(model)}
    Path(tmp, INFO).write_text(json.dumps(info, indent=2) + "\n")
    return info


def merge(adapter: str | Path, base: str | None = None, out: str | None = None) -> tuple[Path, dict, bool]:
    """(merged directory, its speclora_merge.json, whether it came from the cache)."""
    adapter = Path(adapter).resolve()
    if not is_adapter(adapter):
        raise UsageError(f"{adapter}: expected a LoRA adapter directory with {CONFIG} and adapter_model.safetensors")
    base = base or base_of(adapter)
    if out is not None and os.path.exists(out):
        raise UsageError(f"{out} already exists; choose another --out (or leave it out to use the cache)")
    hashes = adapter_hash(adapter), base_hash(base)  # each reads its weights: once per merge
    final = Path(out) if out else cache_root() / f"{hashes[0]}-{hashes[1]}"
    if out is None and (final / INFO).is_file():
        return final, json.loads((final / INFO).read_text()), True
    with publishing(final, replace=True) as tmp:  # replace: a stale cache entry without its info file
        info = _merge_into(base, adapter, str(tmp), hashes)
    return final, info, False


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.lora_merge", description=__doc__.split("\n\n")[0])
    p.add_argument("--adapter", required=True, help="LoRA adapter directory")
    p.add_argument("--base", help="base draft model (default: the adapter's base_model_name_or_path)")
    p.add_argument("--out", help="merged checkpoint directory (must not exist; default: the cache)")
    args = p.parse_args(argv)
    try:
        path, info, cached = merge(args.adapter, args.base, args.out)
    except UsageError as err:
        sys.stderr.write(f"{p.prog}: error: {err}\n")
        return 2
    except ModuleNotFoundError as err:  # torch, peft, transformers: the train extra
        from speclens.base.extras import exit_code_for_missing

        return exit_code_for_missing(p.prog, err)
    sys.stderr.write(f"{'reused cached' if cached else 'merged'} draft, weights sha256 {info['weights_sha256'][:16]}\n")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
