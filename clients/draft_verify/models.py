"""Server addresses and model identities for the draft/verify client.

`server_url("localhost:50051")` is "http://localhost:50051" (benchmark_gsm8k.py's --server HOST:PORT); a URL
with a scheme is kept. `resolve_card` reads GET /v1/models: vLLM lists each model as
{"id": served name, "root": the model it loaded (hub ID or path)}. Requests use the id; the
result JSON names the root, so a launcher's alias ("draft", "target") never stands in for the
real model.
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from speclens.clients.common.http import OpenAIServer, ServerError


def server_url(text: str) -> str:
    """HOST:PORT or a URL → a base URL; e.g. "10.0.0.5:8001" → "http://10.0.0.5:8001"."""
    url = text if "://" in text else f"http://{text}"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT or a URL, got {text!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT or an http(s) URL, got {text!r}")
    return url


def pick_card(cards: list[dict], given: str | None) -> tuple[str, str] | None:
    """(served name, real model) of the card whose id or root is `given` (the first card when
    `given` is None); None when no card matches. A card without root is its own root."""
    for card in cards:
        served, root = str(card["id"]), str(card.get("root") or card["id"])
        if given is None or given in (served, root):
            return served, root
    return None


async def resolve_card(server: OpenAIServer, given: str | None, flag: str) -> tuple[str, str]:
    """(served name for requests, real model ID or path for the JSON) from GET /v1/models."""
    cards = await server.model_cards()
    found = pick_card(cards, given)
    if found is None:
        listed = ", ".join(f"{c['id']} ({c.get('root') or c['id']})" for c in cards) or "no model"
        raise ServerError(f"{server.base_url}/v1/models: {flag} {given!r} is neither a served name nor a loaded "
                          f"model there; it serves {listed}")
    return found
