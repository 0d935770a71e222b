"""A scripted fake pair of vLLM OpenAI-compatible servers for the speculative-thinking control loop.

Each server serves one model. A model is a script of text pieces by answer position: after a prompt
of [BOS, 10 + question index] and m more tokens (whoever wrote them, inserted words included), its
next token is `script[m]` (EOS past the end). So a hand-computed trace only needs positions. Both
servers share one vocabulary (EOS: "" in completion texts, "<|eot|>" in /detokenize) (`Vocab`: piece text <-> id ≥ 100), so token ids mean the same on
both. /v1/completions honours max_tokens and stop strings (matched on the new text, as vLLM does,
token kept whole), answers `token_ids` (return_token_ids) and waits `delay_s` first; every request
is recorded (a text-prompt warm-up as {"warmup": True, ...}, answered with one EOS).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from tests.clients.fake_server import BOS, EOS, FakeServer


@dataclass
class Vocab:
    pieces: dict[int, str] = field(default_factory=lambda: {BOS: "", EOS: ""})
    questions: list[str] = field(default_factory=list)

    def ids(self, *texts: str) -> list[int]:
        out = []
        for text in texts:
            if text == "<eos>":
                out.append(EOS)
                continue
            found = next((i for i, p in self.pieces.items() if p == text and i >= 100), None)
            if found is None:
                found = 100 + sum(1 for i in self.pieces if i >= 100)
                self.pieces[found] = text
            out.append(found)
        return out

    def text(self, ids: list[int]) -> str:
        return "".join(self.pieces.get(t, "?") for t in ids)


@dataclass
class ScriptedModel:
    name: str
    vocab: Vocab
    script: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    requests: list[dict] = field(default_factory=list)

    def say(self, *texts: str) -> None:
        self.script = self.vocab.ids(*texts)

    def continuation(self, prompt: list[int], max_tokens: int, stops: list[str]) -> tuple[list[int], str, str | None]:
        m = len(prompt) - 2
        out: list[int] = []
        while len(out) < max_tokens:
            token = self.script[m + len(out)] if m + len(out) < len(self.script) else EOS
            out.append(token)
            if token == EOS:
                return out, "stop", None
            text = self.vocab.text(out)
            hit = next((s for s in stops if s in text), None)
            if hit is not None:
                return out, "stop", hit
        return out, "length", None


def make_pair_app(model: ScriptedModel) -> web.Application:
    vocab = model.vocab

    async def models(request: web.Request) -> web.Response:
        return web.json_response({"data": [{"id": model.name}]})

    async def tokenize(request: web.Request) -> web.Response:
        body = await request.json()
        if "messages" in body:
            text = body["messages"][-1]["content"]
            if text not in vocab.questions:
                vocab.questions.append(text)
            return web.json_response({"tokens": [BOS, 10 + vocab.questions.index(text)]})
        return web.json_response({"tokens": vocab.ids(body["prompt"]) if body["prompt"] else []})

    async def detokenize(request: web.Request) -> web.Response:
        tokens = (await request.json())["tokens"]  # like vLLM's /detokenize, it prints special tokens
        return web.json_response({"prompt": "".join("<|eot|>" if t == EOS else vocab.text([t]) for t in tokens)})

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        if isinstance(body["prompt"], str):  # a text prompt no problem owns (clients' warm-up): one EOS
            model.requests.append({"warmup": True, "prompt": body["prompt"], "max_tokens": body["max_tokens"]})
            return web.json_response({"choices": [{"index": 0, "text": "", "finish_reason": "stop",
                                                   "stop_reason": None, "token_ids": [EOS]}]})
        prompt = list(body["prompt"])
        model.requests.append({"position": len(prompt) - 2, "max_tokens": body["max_tokens"],
                               "stop": body.get("stop"), "seed": body.get("seed")})
        if model.delay_s:
            await asyncio.sleep(model.delay_s)
        ids, finish, reason = model.continuation(prompt, body["max_tokens"], body.get("stop") or [])
        choice = {"index": 0, "text": vocab.text(ids), "finish_reason": finish, "stop_reason": reason,
                  "token_ids": ids}
        return web.json_response({"choices": [choice]})

    app = web.Application()
    app.add_routes([web.get("/v1/models", models), web.post("/tokenize", tokenize),
                    web.post("/detokenize", detokenize), web.post("/v1/completions", completions)])
    return app


class PairServer(FakeServer):
    """FakeServer's thread and port handling, serving one ScriptedModel."""

    def __init__(self, model: ScriptedModel) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.model = model

    def _serve(self) -> None:
        from aiohttp import web as _web

        asyncio.set_event_loop(self._loop)
        self._runner = _web.AppRunner(make_pair_app(self.model))
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(_web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()
