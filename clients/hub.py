"""Whether the Hugging Face hub can be reached, decided within seconds (no hang when offline)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

PROBE_SECONDS = 3.0


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


def hub_offline() -> bool:
    """HF_HUB_OFFLINE=1: use the local cache only, probe nothing."""
    return os.environ.get("HF_HUB_OFFLINE") == "1"


def hub_reachable(endpoint: str) -> bool:
    """A TCP connect to the endpoint's host within PROBE_SECONDS."""
    parsed = urlparse(endpoint)
    try:
        with socket.create_connection((parsed.hostname or "huggingface.co", parsed.port or 443), PROBE_SECONDS):
            return True
    except OSError:
        return False
