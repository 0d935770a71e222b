"""A small async client for vLLM's OpenAI-compatible HTTP API (httpx), shared by every client.

Every request has a bounded timeout (`timeout_s`, default 120 s per request; connecting is
capped at 10 s). The API key (from --api-key or VLLM_API_KEY) is sent as `Authorization: Bearer`
and is never returned or logged. Any transport failure or non-2xx answer becomes one
`ServerError` whose message is a single line naming the URL and what went wrong.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx

CONNECT_TIMEOUT_S = 10.0


class ServerError(Exception):
    """A server could not be reached or answered with an error (one-line message)."""


class OpenAIServer:
    """One OpenAI-compatible server at `base_url` (e.g. http://127.0.0.1:8000, no /v1)."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout_s: float = 120.0) -> None:
        if not base_url:
            raise ServerError("no server URL given; pass the URL flag or set the SPECLENS_* variable")
        self.base_url = base_url.rstrip("/").removesuffix("/v1")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
        self._http = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=timeout)

    async def __aenter__(self) -> OpenAIServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        url = f"{self.base_url}{path}"
        try:
            response = await self._http.request(method, path, json=body)
        except httpx.TimeoutException:
            raise ServerError(f"{url}: no answer within the request timeout; "
                              "raise --timeout or check the server") from None
        except httpx.HTTPError as err:
            raise ServerError(f"{url}: cannot connect ({type(err).__name__}: {err}); is the server running?") from None
        if response.status_code >= 400:
            detail = response.text.replace("\n", " ")[:300]
            raise ServerError(f"{url}: HTTP {response.status_code}: {detail}")
        return response

    async def post_json(self, path: str, body: dict) -> dict[str, Any]:
        response = await self._request("POST", path, body)
        try:
            return response.json()
        except json.JSONDecodeError:
            raise ServerError(f"{self.base_url}{path}: answer is not JSON") from None

    async def model_names(self) -> list[str]:
        """The ids listed by GET /v1/models."""
        response = await self._request("GET", "/v1/models")
        try:
            return [m["id"] for m in response.json()["data"]]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ServerError(f"{self.base_url}/v1/models: expected an OpenAI model list") from None

    async def resolve_model(self, given: str | None) -> str:
        """`given` when set, else the first model the server lists."""
        if given:
            return given
        names = await self.model_names()
        if not names:
            raise ServerError(f"{self.base_url}/v1/models: the server lists no model; pass --model")
        return names[0]

    async def completion(self, body: dict) -> dict[str, Any]:
        return await self.post_json("/v1/completions", body)

    async def chat(self, body: dict) -> dict[str, Any]:
        return await self.post_json("/v1/chat/completions", body)

    async def tokenize_chat(self, model: str, user_text: str) -> list[int]:
        """Token ids of one user turn rendered with the model's chat template + generation prompt."""
        body = {"model": model, "messages": [{"role": "user", "content": user_text}],
                "add_generation_prompt": True, "add_special_tokens": False}
        return list((await self.post_json("/tokenize", body))["tokens"])

    async def tokenize_text(self, model: str, text: str) -> list[int]:
        body = {"model": model, "prompt": text, "add_special_tokens": True}
        return list((await self.post_json("/tokenize", body))["tokens"])

    async def detokenize(self, model: str, tokens: list[int]) -> str:
        return str((await self.post_json("/detokenize", {"model": model, "tokens": tokens}))["prompt"])

    async def metrics_text(self) -> str:
        """The body of GET /metrics (Prometheus text)."""
        return (await self._request("GET", "/metrics")).text


def api_key_from(flag: str | None) -> str | None:
    """--api-key when given, else $VLLM_API_KEY, else None."""
    return flag or os.environ.get("VLLM_API_KEY") or None
