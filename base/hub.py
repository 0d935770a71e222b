"""The Hugging Face hub as the launchers see it: whether it can be reached (decided within
seconds, no hang when offline), where the local cache is, and one message for "not here, not
reachable" that names the ID and the cache directory that was looked in."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

PROBE_SECONDS = 3.0


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


def hub_offline() -> bool:
    """huggingface_hub's offline mode (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE = 1/true/yes/on): use the
    local cache only. Its own constant, read once when huggingface_hub is imported: that is the value its
    downloads (and datasets') obey in this process, and a CLI is a fresh process, so the environment it
    was started with is the one that counts. Tests that change the variable in-process patch the constant."""
    from huggingface_hub import constants

    return constants.HF_HUB_OFFLINE


def hub_cache_dir() -> str:
    """The cache huggingface_hub reads: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
    (huggingface_hub.constants resolves exactly this, including the legacy HUGGINGFACE_HUB_CACHE)."""
    from huggingface_hub import constants

    return constants.HF_HUB_CACHE


def hub_reachable(endpoint: str) -> bool:
    """A TCP connect to the endpoint's host within PROBE_SECONDS."""
    parsed = urlparse(endpoint)
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    try:
        with socket.create_connection((parsed.hostname or "huggingface.co", port), PROBE_SECONDS):
            return True
    except OSError:
        return False


def hub_available() -> bool:
    """Whether a download may be tried: not offline and the endpoint answers a TCP connect."""
    return not hub_offline() and hub_reachable(hub_endpoint())


def not_available(what: str, repo: str, repo_type: str = "model") -> str:
    """The one line for a repo that is neither in the local cache nor downloadable now."""
    folder = os.path.join(hub_cache_dir(), f"{repo_type}s--{repo.replace('/', '--')}")
    flag = "HF_HUB_OFFLINE" if os.environ.get("HF_HUB_OFFLINE") else "TRANSFORMERS_OFFLINE"  # huggingface_hub's `or`
    why = f"{flag}=1 is set" if hub_offline() else f"the hub ({hub_endpoint()}) is not reachable"
    return (f"{what} {repo}: not in the local Hugging Face cache (looked in {folder}; set HF_HUB_CACHE or HF_HOME "
            f"to use another cache) and {why}; download it where the hub is reachable "
            f"(`hf download {repo}{' --repo-type dataset' if repo_type == 'dataset' else ''}`) or pass a local path")
