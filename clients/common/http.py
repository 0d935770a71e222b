"""A small async client for vLLM's OpenAI-compatible HTTP API (httpx), shared by every client.

Every request has a bounded timeout (`timeout_s`, default 120 s per request; connecting is
capped at 10 s). The API key (from --api-key or VLLM_API_KEY) is sent as `Authorization: Bearer`
and is never returned or logged. Any transport failure or non-2xx answer becomes one
`ServerError` whose message is a single line naming the URL and what went wrong.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import httpx

CONNECT_TIMEOUT_S = 10.0


class ServerError(Exception):
    """A server could not be reached or answered with an error (one-line message)."""


@dataclass(frozen=True)
class Continuation:
    """One /v1/completions answer on a token prefix. `finish_reason` "stop" with a string
    `stop_reason` hit that stop string; "stop" with stop_reason None or an int hit end-of-sequence
    (or a stop token id); "length" used up max_tokens."""

    token_ids: list[int]
    text: str
    finish_reason: str | None
    stop_reason: str | int | None

    @property
    def stop_string(self) -> str | None:
        return self.stop_reason if self.finish_reason == "stop" and isinstance(self.stop_reason, str) else None

    @property
    def ended(self) -> bool:
        """End-of-sequence: stopped, but not at a stop string."""
        return self.finish_reason == "stop" and not isinstance(self.stop_reason, str)


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

    async def model_cards(self) -> list[dict[str, Any]]:
        """The model cards listed by GET /v1/models (`id`, the served name; `root`, what vLLM loaded)."""
        response = await self._request("GET", "/v1/models")
        try:
            cards = response.json()["data"]
            if not all(isinstance(c, dict) and "id" in c for c in cards):
                raise TypeError
            return cards
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ServerError(f"{self.base_url}/v1/models: expected an OpenAI model list") from None

    async def model_names(self) -> list[str]:
        """The ids listed by GET /v1/models."""
        return [c["id"] for c in await self.model_cards()]

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

    async def continue_ids(self, model: str, prompt_ids: list[int], max_tokens: int, sampling: dict,
                           stop: list[str] | None = None) -> Continuation:
        """Continue the exact token prefix `prompt_ids` (vLLM: /v1/completions accepts a list of token
        ids as `prompt`; `return_token_ids` returns the generated ids in `choices[0].token_ids`), so
        no text is re-tokenized between calls. `stop` strings end the request with the stop string
        kept (include_stop_str_in_output); the whole token that completed it is in `token_ids`."""
        body = {"model": model, "prompt": prompt_ids, "max_tokens": max_tokens, "return_token_ids": True,
                **sampling}
        if stop:
            body.update(stop=stop, include_stop_str_in_output=True)
        answer = await self.completion(body)
        try:
            choice = answer["choices"][0]
            ids = choice["token_ids"]
        except (KeyError, IndexError, TypeError):
            raise ServerError(f"{self.base_url}/v1/completions: expected choices[0].token_ids "
                              "(a vLLM server that supports return_token_ids)") from None
        if not isinstance(ids, list) or not all(isinstance(t, int) for t in ids):
            raise ServerError(f"{self.base_url}/v1/completions: choices[0].token_ids is not a list of integers")
        return Continuation(list(ids), str(choice.get("text") or ""), choice.get("finish_reason"),
                            choice.get("stop_reason"))

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

    async def tokenize_plain(self, model: str, text: str) -> list[int]:
        """Token ids of `text` alone (no BOS or other special tokens): for words inserted mid-answer."""
        body = {"model": model, "prompt": text, "add_special_tokens": False}
        return list((await self.post_json("/tokenize", body))["tokens"])

    async def detokenize(self, model: str, tokens: list[int]) -> str:
        return str((await self.post_json("/detokenize", {"model": model, "tokens": tokens}))["prompt"])

    async def metrics_text(self) -> str:
        """The body of GET /metrics (Prometheus text)."""
        return (await self._request("GET", "/metrics")).text


def api_key_from(flag: str | None) -> str | None:
    """--api-key when given, else $VLLM_API_KEY, else None."""
    return flag or os.environ.get("VLLM_API_KEY") or None
