"""Build the embedded tiny model pair (target, draft, EAGLE-3 head) offline.

Usage (from the repo root, with the serving venv, which has torch/transformers):

    .venv/bin/python launchers/tiny/build.py            # build or reuse
    .venv/bin/python launchers/tiny/build.py --print-path  # path only
    .venv/bin/python -m speclens.launchers.tiny.build --out DIR   # explicit dir

Output: ``${SPECLENS_CACHE:-$HOME/.cache/speclens}/tiny/<recipe-hash>/`` with
``target/``, ``draft/`` and ``eagle3/`` (HF checkpoints sharing one tokenizer),
``recipe.json`` and ``build_report.json``.  The hash covers this directory's
builder sources, ``RECIPE`` and the torch/transformers/tokenizers versions, so
the models are rebuilt only when one of them changes.  The build runs in a temp
dir next to the target and is renamed into place at the end; a complete cache
returns in well under a second.  Everything is seeded: same recipe, same data
order, same weights.  Never point ``--out`` inside the git repository.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import shutil
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from speclens.base.atomic import write_atomic

HERE = Path(__file__).resolve().parent
SOURCES = ["build.py", "tokenizer.py", "train.py", "eagle3.py", "stages.py", "../../base/arithmetic.py"]  # from here

RECIPE = {
    "seed": 1234,
    "corpus": {"train_problems": 24000, "heldout_eval_problems": 256},
    "tokenizer": {"vocab_size": 1024, "number_tokens_upto": 199},
    "data": {"seq_len": 256},
    "target": {"hidden": 256, "layers": 2, "heads": 4, "kv_heads": 4, "intermediate": 768,
               "max_pos": 2048, "steps": 280, "batch": 16, "lr": 3e-3},
    "draft": {"hidden": 128, "layers": 2, "heads": 2, "kv_heads": 2, "intermediate": 384,
              "max_pos": 2048, "steps": 160, "batch": 16, "lr": 4e-3, "kd": 0.5},
    "eagle3": {"aux_layer_ids": [0, 1, 2], "ttt_steps": 3, "steps": 90, "batch": 8, "lr": 3e-3},
}


def _code_of(source: str) -> str:
    """The source's code without comments and docstrings (`ast.dump`), so editing prose does not
    invalidate the cache; any change to what the code does does."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False)


def recipe_hash() -> str:
    h = hashlib.sha256()
    for name in SOURCES:
        h.update(name.encode() + b"\0" + _code_of((HERE / name).read_text(encoding="utf-8")).encode() + b"\0")
    versions = {p: version(p) for p in ("torch", "transformers", "tokenizers")}
    h.update(json.dumps({"recipe": RECIPE, "versions": versions}, sort_keys=True).encode())
    return h.hexdigest()[:16]


def default_out(digest: str) -> Path:
    root = os.environ.get("SPECLENS_CACHE") or str(Path.home() / ".cache" / "speclens")
    return Path(root) / "tiny" / digest


def is_complete(out: Path) -> bool:
    return all((out / p).exists() for p in (
        "build_report.json", "recipe.json", "target/config.json", "draft/config.json",
        "eagle3/config.json", "eagle3/model.safetensors"))


def _inside_git_repo(path: Path) -> bool:
    p = path.resolve()
    return any((q / ".git").exists() for q in [p, *p.parents])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="output dir (default: cache dir by recipe hash)")
    ap.add_argument("--force", action="store_true", help="rebuild even if complete")
    ap.add_argument("--print-path", action="store_true", help="print the output dir and exit")
    args = ap.parse_args(argv)
    try:
        digest = recipe_hash()  # reads the torch/transformers/tokenizers versions: the train extra
    except PackageNotFoundError as err:
        from speclens.base.extras import exit_code_for_missing

        return exit_code_for_missing("tiny build", ModuleNotFoundError(name=err.name))
    out = (args.out or default_out(digest)).resolve()
    if args.print_path:
        print(out)
        return 0
    if _inside_git_repo(out.parent if not out.exists() else out):
        print(f"refusing to write weights inside a git repository: {out}", file=sys.stderr)
        return 2
    if is_complete(out) and not args.force:
        print(f"[tiny] cache complete (recipe {digest}), nothing to do: {out}")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        from speclens.launchers.tiny import stages  # heavy imports (torch) only when building

        report = stages.build_all(RECIPE, tmp, log=lambda m: print(m, flush=True))
        report["recipe_hash"] = digest
        write_json(tmp / "recipe.json", {"recipe_hash": digest, "recipe": RECIPE,
                                         "sources": SOURCES, "versions": report["versions"]})
        write_json(tmp / "build_report.json", report)
        if out.exists():
            shutil.rmtree(out)  # --force, or a stale incomplete dir
        os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"[tiny] total {report['total_seconds']:.1f} s -> {out}")
    return 0


def write_json(path: Path, obj) -> None:
    write_atomic(str(path), json.dumps(obj, indent=2, sort_keys=True) + "\n")  # the one atomic writer


if __name__ == "__main__":
    sys.exit(main())
