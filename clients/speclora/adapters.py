"""The checkpoints directory of `speclora train` and how `-a/--lora-adapter` finds an adapter in it.

Layout: `step-NNNNNN/` (a peft adapter: adapter_config.json + adapter_model.safetensors, and its
trainer_state.json) and the aliases `best`, `final`, `latest`: relative symlinks to one of them
(see clients/speclora/train.py for which). `resolve(spec, checkpoints)`: an existing directory
holding adapter_config.json is used as is; an alias or a checkpoint name is looked up in
`checkpoints`; anything else is NoAdapterFound, one line naming where it looked and what it found.
The adapter hash (sha256 over adapter_config.json and the adapter weights, by content) names the
merged draft's cache entry (clients/speclora/lora_merge.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from speclens.base.publish import publishing
from speclens.clients.common.cli import UsageError

ALIASES = ("best", "final", "latest")
CONFIG = "adapter_config.json"
WEIGHT_FILES = ("adapter_model.safetensors", "adapter_model.bin")


class NoAdapterFound(UsageError):
    """-a names no adapter (the message lists what was found and where)."""


def is_adapter(path: Path) -> bool:
    return (path / CONFIG).is_file() and any((path / w).is_file() for w in WEIGHT_FILES)


def found(checkpoints: Path) -> list[str]:
    """Names in `checkpoints` that are adapters: aliases first (with their targets), then checkpoints."""
    if not checkpoints.is_dir():
        return []
    out = [f"{a} -> {os.readlink(checkpoints / a)}" if (checkpoints / a).is_symlink() else a
           for a in ALIASES if is_adapter(checkpoints / a)]
    return out + sorted(p.name for p in checkpoints.iterdir() if p.name not in ALIASES and is_adapter(p))


def resolve(spec: str, checkpoints: Path) -> Path:
    """The adapter directory `spec` names (see module doc)."""
    given = Path(spec)
    if is_adapter(given):
        return given.resolve()
    if os.sep not in spec and is_adapter(checkpoints / spec):
        return (checkpoints / spec).resolve()
    have = found(checkpoints)
    where = f"{checkpoints}/{spec}" if os.sep not in spec else str(given)
    if not checkpoints.is_dir():
        seen = f"{checkpoints} does not exist"
    else:
        seen = f"found in {checkpoints}: {', '.join(have)}" if have else f"no adapters in {checkpoints}"
    raise NoAdapterFound(f"No adapter found for -a {spec}: looked at {where} (an adapter directory has {CONFIG} "
                         f"and adapter_model.safetensors); {seen}; train one with `speclora train`, pass "
                         "--checkpoints-dir DIR or -a PATH, or use --skip-lora")


def adapter_hash(adapter: Path) -> str:
    """sha256 (hex, 16 chars) of the adapter's config and weight files, by content."""
    h = hashlib.sha256()
    for name in (CONFIG, *WEIGHT_FILES):
        if (adapter / name).is_file():
            h.update(name.encode() + b"\0" + (adapter / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def prepare_dir(checkpoints: Path, overwrite: bool) -> None:
    """Create `checkpoints`; one holding a previous run is refused unless `overwrite` (then its
    step-*/ and aliases are removed first)."""
    old = [p for p in checkpoints.iterdir() if p.name.startswith("step-") or p.name in ALIASES] \
        if checkpoints.is_dir() else []
    if old and not overwrite:
        raise UsageError(f"{checkpoints} already holds checkpoints ({', '.join(sorted(p.name for p in old)[:4])}); "
                         "pass --overwrite to replace them or --checkpoints-dir NEW_DIR")
    for p in old:
        p.unlink() if p.is_symlink() else shutil.rmtree(p)
    checkpoints.mkdir(parents=True, exist_ok=True)


def _link(checkpoints: Path, alias: str, step: int) -> None:
    tmp = checkpoints / f".{alias}.tmp"
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(step_name(step), tmp)
    os.replace(tmp, checkpoints / alias)


def step_name(step: int) -> str:
    return f"step-{step:06d}"


def save_checkpoint(model, checkpoints: Path, state: dict) -> None:
    """Save the adapter of `model` as step-NNNNNN (through a temporary directory) and point `latest` at it."""
    with publishing(checkpoints / step_name(state["step"])) as tmp:
        model.save_pretrained(str(tmp))
        (tmp / "trainer_state.json").write_text(json.dumps(state, indent=2) + "\n")
    _link(checkpoints, "latest", state["step"])


def finish(checkpoints: Path, states: list[dict]) -> int:
    """Point `final` at the last checkpoint and `best` at the best one (see clients/speclora/train.py);
    returns the best step."""
    if any(s["heldout_agreement"] is not None for s in states):
        best = max(states, key=lambda s: (s["heldout_agreement"], -(s["heldout_loss"] or 0.0), s["step"]))
    else:
        best = min(states, key=lambda s: (s["train_loss"], -s["step"]))
    _link(checkpoints, "final", states[-1]["step"])
    _link(checkpoints, "best", best["step"])
    return best["step"]
