"""Which models the SpecLoRA commands serve and how they get their servers: `via_launcher` re-runs
the command inside launchers/speclora.sh, which boots the servers of the requested modes, exports
their URLs (SPECLENS_TARGET_URL, SPECLENS_BASE_URL, SPECLENS_LORA_URL; the inner run reads them
with --servers-from-env), and stops them when the inner run ends."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from speclens.base.checkout import NoCheckout, launcher, tiny_pair_dir
from speclens.clients.common.cli import UsageError

ENV_URLS = {"target_url": "SPECLENS_TARGET_URL", "base_url": "SPECLENS_BASE_URL", "lora_url": "SPECLENS_LORA_URL"}
LAUNCHER_MODE = {"target_only": "target", "spec_base": "base", "spec_lora": "lora"}


def tiny_pair() -> Path:
    """The embedded tiny pair's cache directory (the checkout's launchers/tiny/build.py names it)."""
    try:
        return tiny_pair_dir()
    except NoCheckout as err:
        raise UsageError(str(err)) from None


def base_draft(args: argparse.Namespace) -> str:
    """--draft, else (no --target, or --target tiny) the tiny pair's draft."""
    if args.draft:
        return args.draft
    if args.target and args.target != "tiny":
        raise UsageError("--draft BASE_DRAFT is required with --target")
    return str(tiny_pair() / "draft")


def urls_from_env(args: argparse.Namespace) -> None:
    for attr, name in ENV_URLS.items():
        if getattr(args, attr, None) is None and os.environ.get(name):
            setattr(args, attr, os.environ[name])


def default_boot() -> str:
    """sequential everywhere: one mode's server at a time. With a GPU it holds one server's memory; on
    CPU three servers share the cores: measured on 2 cores (tiny pair, 10 prompts), parallel boot gave
    request times of 0.07 s or 0.5-1.0 s at random in every mode (Base 0.55x [0.15x, 2.02x], "LoRA over
    Base +74.9% [-38.8%, +399.7%]"), sequential 0.06-0.09 s (0.98x [0.89x, 1.08x], -1.3% [-6.2%, +3.9%])."""
    return "sequential"


def via_launcher(args: argparse.Namespace, argv: list[str], modes: list[str], lora_draft: str | None) -> int:
    """Run `speclora ARGV --servers-from-env` inside launchers/speclora.sh serving `modes`; its exit status."""
    try:
        script = launcher("speclora.sh")  # found in the checkout (SPECLENS_ROOT), never through a wheel
    except NoCheckout as err:
        raise UsageError(str(err)) from None
    cmd = [str(script), "--port", str(args.port), "-k", str(args.num_speculative_tokens),
           "--modes", ",".join(LAUNCHER_MODE[m] for m in modes)]
    for flag, value in (("--target", args.target), ("--draft", args.draft), ("--lora-draft", lora_draft),
                        ("--log-dir", args.log_dir), ("--tensor-parallel-size", args.tensor_parallel_size)):
        if value:
            cmd += [flag, str(value)]
    cmd += ["--", sys.executable, "-m", "speclens.clients.speclora", *argv, "--servers-from-env"]
    return subprocess.run(cmd, check=False).returncode
