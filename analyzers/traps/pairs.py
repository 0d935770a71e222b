"""Traps 4 and 11: a baseline/spec pair whose servers were set up differently, read from each
run's run.json (`Setup`); part of the one comparability verdict (analyzers.speedup.comparability
appends `setup_checks` to its keys, so `speedup`, `compare` and `report` refuse such a pair unless
--force), with `pair_traps` saying why (speedup's notices, compare's flags column).

11. Setup keys: the vLLM version (config.vllm_version, else versions.vllm; the local "+cpu" part
    dropped), the hardware (run.json `hardware`: GPUs, else machine and CPU count), the
    tensor-parallel size (config.tensor_parallel_size, else `--tensor-parallel-size`/`-tp` of the
    recorded server command, else vLLM's default 1 when a command is recorded) and max-num-seqs
    (`--max-num-seqs` of the server command, else "vLLM default"). A key is listed among the verdict's
    keys only when both runs record it and the values differ: one that is the same or unrecorded
    adds nothing (reports of pairs set up alike stay as they were).
4. Version boundaries that change the numbers: vLLM 0.34 removed Model Runner V1 (a known
   acceptance gap between the runners), moved suffix decoding to a GPU speculator whose default k
   changed (24 -> min(8, max_tree_depth)) and stopped filtering grammar-invalid drafts (guided
   requests count more draft tokens). A pair with one run before 0.34 and one from 0.34 on is
   flagged with what changed (facts as issue 25 states them from the 0.34 sources).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from speclens.analyzers.acceptance.notice import Notice
from speclens.parsers.run_manifest import option_value
from speclens.analyzers.speedup.models import KeyCheck
from speclens.parsers.run_dir import RunManifest

BOUNDARIES = {(0, 34): "Model Runner V1 removed (a known acceptance gap between the runners); suffix decoding's "
              "default k changed from 24 to min(8, max_tree_depth); grammar-invalid drafts are no longer filtered "
              "(guided requests count more draft tokens)"}
PAIR_CODES = ("trap-version-boundary", "trap-different-setup")
SOURCE = "run.json"


@dataclass(frozen=True)
class Setup:
    vllm_version: str | None = None
    hardware: str | None = None
    tensor_parallel_size: str | None = None
    max_num_seqs: str | None = None


def _hardware(manifest: RunManifest) -> str | None:
    hw = manifest.hardware
    if hw is None:
        return None
    if hw.gpus:
        names = sorted(set(hw.gpus))
        return ", ".join(f"{hw.gpus.count(n)} x {n}" for n in names)
    return f"no GPU: {hw.machine or 'n/a'}, {hw.cpus if hw.cpus is not None else 'n/a'} CPUs"


def run_setup(manifest: RunManifest | None) -> Setup:
    """What a run's run.json says about its server's setup (None where it does not say)."""
    if manifest is None or manifest.config is None:
        return Setup(hardware=_hardware(manifest) if manifest else None)
    config = manifest.config
    version = config.vllm_version or (manifest.versions.vllm if manifest.versions else None) or None
    try:
        argv = shlex.split(config.server_command or "")
    except ValueError:
        argv = []
    tp = config.tensor_parallel_size or option_value(argv, "--tensor-parallel-size", "-tp") or ("1" if argv else None)
    seqs = option_value(argv, "--max-num-seqs") or ("vLLM default" if argv else None)
    return Setup(version.split("+")[0] if version else None, _hardware(manifest), str(tp) if tp else None, seqs)


def minor_version(version: str) -> tuple[int, int] | None:
    try:
        major, minor = version.split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return None


def setup_checks(base: Setup | None, spec: Setup | None) -> list[KeyCheck]:
    """The setup keys both runs record with different values (trap 11)."""
    if base is None or spec is None:
        return []
    out = []
    for key in ("vllm_version", "hardware", "tensor_parallel_size", "max_num_seqs"):
        b, s = getattr(base, key), getattr(spec, key)
        if b is not None and s is not None and b != s:
            out.append(KeyCheck(key=key.replace("_", " ") if key == "vllm_version" else key, baseline=b, spec=s,
                                source_baseline=SOURCE, source_spec=SOURCE, status="differs", note=crossing(b, s)))
    return out


def crossing(base: str, spec: str) -> str | None:
    """What changed between two vLLM versions that changes the numbers (trap 4); None: no boundary."""
    b, s = minor_version(base), minor_version(spec)
    if b is None or s is None:
        return None
    changes = [f"vLLM {'.'.join(map(str, at))}: {what}" for at, what in BOUNDARIES.items() if min(b, s) < at <= max(b, s)]
    return "; ".join(changes) or None


def pair_traps(base: Setup | None, spec: Setup | None) -> list[Notice]:
    """Traps 4 and 11 of a pair: one notice each."""
    checks = setup_checks(base, spec)
    if not checks:
        return []
    out = []
    version = next((c for c in checks if c.key == "vllm version"), None)
    if version is not None and version.note:
        out.append(Notice(level="warning", code="trap-version-boundary", location=SOURCE, message=(
            f"baseline ran vLLM {version.baseline}, spec {version.spec}: the pair crosses a version boundary that "
            f"changes the numbers ({version.note}); compare runs of one version")))
    differ = "; ".join(f"{c.key} {c.baseline} vs {c.spec}" for c in checks)
    out.append(Notice(level="warning", code="trap-different-setup", location=SOURCE, message=(
        f"baseline and spec servers were set up differently ({differ}): the speedup mixes that difference with "
        "speculation's; rerun both on one setup (speedup gives no verdict without --force)")))
    return out
