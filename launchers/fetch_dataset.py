"""Resolve a Hugging Face dataset ID to a local .json/.jsonl file, failing fast when offline.

usage: python launchers/fetch_dataset.py ORG/NAME[:FILE]   (prints the local path)

Without `:FILE` the first .jsonl/.json file of the repository (sorted by path) is used. The hub
is probed first with a 3-second TCP connect, so an unreachable hub is a clear error within
seconds instead of a hang; HF_HUB_OFFLINE=1 skips the network and uses the local cache only.
"""

from __future__ import annotations

import os
import sys

from speclens.clients.hub import hub_endpoint, hub_offline, hub_reachable


def _die(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    sys.exit(2)


def main(spec: str) -> str:
    repo, _, wanted = spec.partition(":")
    if repo.count("/") != 1:
        _die(f"dataset {spec!r}: expected emulated, a local .json/.jsonl/.txt file, or a Hugging Face ID ORG/NAME[:FILE]")
    offline, endpoint = hub_offline(), hub_endpoint()
    if not offline and not hub_reachable(endpoint):
        _die(f"dataset {repo}: the Hugging Face hub ({endpoint}) is not reachable from this machine; "
             "pass a local .json/.jsonl file with -d, or set HF_HUB_OFFLINE=1 to use a cached copy")
    from huggingface_hub import snapshot_download

    patterns = [wanted] if wanted else ["*.json", "*.jsonl", "**/*.json", "**/*.jsonl"]
    try:
        local = snapshot_download(repo, repo_type="dataset", allow_patterns=patterns, local_files_only=offline)
    except Exception as err:  # noqa: BLE001 - every hub failure becomes one clear line
        _die(f"dataset {repo}: could not fetch ({type(err).__name__}: {err})")
    files = sorted(os.path.relpath(os.path.join(d, f), local) for d, _, fs in os.walk(local) for f in fs
                   if f.endswith((".json", ".jsonl")))
    if wanted:
        files = [f for f in files if f == wanted]
    if not files:
        _die(f"dataset {spec}: no .json/.jsonl file found in the repository")
    return os.path.join(local, files[0])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        _die("usage: fetch_dataset.py ORG/NAME[:FILE]")
    print(main(sys.argv[1]))
