"""What `run_eval.sh -m MODEL` names, read from MODEL's config.json: a speculators-format checkpoint
(served directly: vLLM reads `speculators_config` and serves the verifier with the head attached)
or anything else. For a checkpoint, its algorithm, k and verifier, with the verifier resolved as
vLLM resolves it (an absolute path; a relative path from the working directory; else a hub ID).

usage: python launchers/model_info.py MODEL
prints four KEY=VALUE lines (read by key: launchers/lib.sh lib::key_values): FORMAT= (speculators |
other | no-config: a directory without config.json), ALGORITHM=, K=, VERIFIER= (the last three
empty unless speculators). A hub ID is looked up with huggingface_hub (its own cache and download code): downloaded
when the hub is reachable, else read from the local cache; neither is one line on stderr naming
the ID and the cache directory, exit 2, within seconds (a 3-second reachability probe).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable

from speclens.base.hub import hub_available, not_available


FIELDS = ("FORMAT", "ALGORITHM", "K", "VERIFIER")  # the keys main prints, in describe()'s order


class ModelError(Exception):
    """One line for stderr."""


def _is_hub_id(name: str) -> bool:
    return name.count("/") == 1 and not name.startswith((".", "/", "~")) and not os.path.exists(name)


def config_path(model: str, online: Callable[[], bool] = hub_available) -> str | None:
    """MODEL's config.json (a local file path), None when a local dir has none; `online()` says
    whether the hub may be asked (the probe, made at most once per describe())."""
    if os.path.isdir(model):
        path = os.path.join(model, "config.json")
        return path if os.path.isfile(path) else None
    if not _is_hub_id(model):
        raise ModelError(f"model {model}: no such directory, and not a Hugging Face ID (ORG/NAME)")
    from huggingface_hub import hf_hub_download

    try:
        return hf_hub_download(model, "config.json", local_files_only=not online())
    except Exception as err:  # noqa: BLE001 - every hub failure becomes one line
        if type(err).__name__ in ("LocalEntryNotFoundError", "OfflineModeIsEnabled"):
            raise ModelError(not_available("model", model)) from None
        raise ModelError(f"model {model}: could not fetch config.json ({type(err).__name__}: {err})") from None


def resolve_verifier(name: str, checkpoint: str, online: Callable[[], bool] = hub_available) -> str:
    """The verifier as vLLM will load it: an existing path (absolute, or relative to the working
    directory, as vLLM opens it), else a hub ID that is cached or downloadable."""
    if os.path.isdir(name):
        return os.path.abspath(name)
    if os.path.isabs(name) or name.startswith("."):
        raise ModelError(f"model {checkpoint}: its speculators_config.verifier.name_or_path {name!r} is not a "
                         f"directory (relative paths are read from the working directory {os.getcwd()}, as vLLM does)")
    config_path(name, online)  # a hub ID: cached or downloadable, else the one-line error
    return name


def describe(model: str) -> tuple[str, str, str, str]:
    online = functools.cache(hub_available)  # the checkpoint and its verifier share one probe
    path = config_path(model, online)
    if path is None:
        return "no-config", "", "", ""
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except (OSError, ValueError) as err:
        raise ModelError(f"{path}: cannot read it as JSON ({err})") from None
    spec = config.get("speculators_config") if isinstance(config, dict) else None
    if spec is None:
        return "other", "", "", ""
    try:
        algorithm = config.get("speculators_model_type") or spec["algorithm"]
        methods = spec["proposal_methods"]
        default = spec.get("default_proposal_method")
        method = next((m for m in methods if m.get("proposal_type") == default), methods[0])
        k, verifier = int(method["speculative_tokens"]), spec["verifier"]["name_or_path"]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise ModelError(f"{path}: speculators_config needs proposal_methods[].speculative_tokens and "
                         "verifier.name_or_path (is it a speculators-format checkpoint?)") from None
    return "speculators", str(algorithm), str(k), resolve_verifier(str(verifier), model, online)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: model_info.py MODEL", file=sys.stderr)
        return 2
    try:
        print("\n".join(f"{key}={value}" for key, value in zip(FIELDS, describe(argv[0]), strict=True)))
    except ModelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
