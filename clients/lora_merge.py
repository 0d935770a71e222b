"""Merge a LoRA adapter into its draft model and save a plain checkpoint vLLM can use as a
speculative draft (vLLM's drafter loads no adapter). Needs torch, transformers and peft.

    .venv/bin/python -m speclens.clients.lora_merge --base BASE_DRAFT --adapter data/checkpoints/best --out merged_draft
    launchers/qwen3.sh --target TARGET --draft merged_draft --port 8002   # then clients.three_mode --lora-url ...

The output directory must not exist yet; the merge is written to a temporary sibling directory
and renamed into place at the end, so a half-written checkpoint is never left at --out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

from speclens.clients.cli_common import UsageError


def merge(base: str, adapter: str, out: str) -> str:
    """Load `base`, apply `adapter`, merge_and_unload(), save model + tokenizer to `out`."""
    if os.path.exists(out):
        raise UsageError(f"{out} already exists; choose another --out")
    if not os.path.isdir(adapter) or not os.path.exists(os.path.join(adapter, "adapter_config.json")):
        raise UsageError(f"{adapter}: expected a LoRA adapter directory with adapter_config.json")
    try:
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as err:
        raise UsageError(f"merging a LoRA draft needs peft and transformers ({err.name} is not installed); "
                         "pip install peft, or merge elsewhere and pass the merged directory as the draft") from None
    parent = os.path.dirname(os.path.abspath(out))
    tmp = tempfile.mkdtemp(prefix=".lora-merge-", dir=parent)
    try:
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), adapter).merge_and_unload()
        model.save_pretrained(tmp)
        AutoTokenizer.from_pretrained(base).save_pretrained(tmp)
        os.rename(tmp, out)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.lora_merge", description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="base draft model (directory or hub id)")
    p.add_argument("--adapter", required=True, help="LoRA adapter directory")
    p.add_argument("--out", required=True, help="merged checkpoint directory (must not exist)")
    args = p.parse_args(argv)
    try:
        print(merge(args.base, args.adapter, args.out))
    except UsageError as err:
        sys.stderr.write(f"{p.prog}: error: {err}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
