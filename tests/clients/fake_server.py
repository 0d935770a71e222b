"""An in-process fake of vLLM's OpenAI-compatible server (aiohttp on 127.0.0.1, its own thread).

Every model is a scripted greedy "language model": for a question it has a fixed answer sequence
of token ids, and its next token after a context is `seq[m]`, where m is the number of tokens
generated so far (context tokens ≥ 100 or EOS). Prompt tokens are [BOS, 10 + question index], so
the server knows the question from any context. Pieces of text per token id make detokenize and
the `text` fields exact. /metrics exports spec-decode counters that grow by a scripted
(drafted, accepted) per chat request on models listed in `spec_models`.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field

from aiohttp import web
from speclens.clients.common.warmup import WARMUP_QUESTION

BOS, EOS = 1, 2


@dataclass
class FakeWorld:
    """`answers[model][question]` = token ids (ending with EOS); `pieces` = text per id."""

    questions: list[str] = field(default_factory=list)
    answers: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    pieces: dict[int, str] = field(default_factory=lambda: {BOS: "", EOS: ""})
    spec_models: dict[str, tuple[int, int]] = field(default_factory=dict)
    per_request_metrics: bool = False
    counters: dict[str, int] = field(default_factory=lambda: {"drafts": 0, "draft_tokens": 0, "accepted": 0})
    requests: list[dict] = field(default_factory=list)
    required_key: str | None = None
    broken: bool = False  # answer chat requests with JSON that has no "choices"

    def encode(self, *texts: str) -> list[int]:
        """Ids for text pieces (new pieces get new ids ≥ 100), with EOS appended."""
        ids = []
        for text in texts:
            found = [i for i, p in self.pieces.items() if p == text and i >= 100]
            if not found:
                found = [100 + len([i for i in self.pieces if i >= 100])]
                self.pieces[found[0]] = text
            ids.append(found[0])
        return [*ids, EOS]

    def script(self, model: str, question: str, ids: list[int]) -> None:
        if question not in self.questions:
            self.questions.append(question)
        self.answers.setdefault(model, {})[question] = ids

    def qid(self, question: str) -> int:
        if question not in self.questions:
            self.questions.append(question)
        return self.questions.index(question)

    def continuation(self, model: str, prompt: list[int], max_tokens: int,
                     stops: list[str]) -> tuple[list[int], str, str | None]:
        question = self.questions[prompt[1] - 10]
        if question == WARMUP_QUESTION:  # the clients' warm-up question: answered with EOS, never scripted
            return [EOS], "stop", None
        seq = self.answers[model][question]  # an unscripted question fails (HTTP 500)
        m = sum(1 for t in prompt[2:] if t >= 100 or t == EOS)
        out: list[int] = []
        text = ""
        while len(out) < max_tokens:
            token = seq[m + len(out)] if m + len(out) < len(seq) else EOS
            out.append(token)
            text += self.pieces[token]
            if token == EOS:
                return out, "stop", None
            for stop in stops:
                if stop in text:
                    return out, "stop", stop
        return out, "length", None


def _scored(world: FakeWorld, model: str, ids: list[int]) -> list:
    """prompt_logprobs: None first, then {top: rank 1, actual: rank 2} (one entry when equal)."""
    out: list = [None]
    for j in range(1, len(ids)):
        top = world.continuation(model, ids[:j], 1, [])[0][0] if len(ids[:j]) >= 2 else ids[j]
        entry = {str(top): {"logprob": -0.1, "rank": 1, "decoded_token": "</s>" if top == EOS else "x"}}
        if ids[j] != top:
            entry[str(ids[j])] = {"logprob": -3.0, "rank": 2, "decoded_token": "x"}
        out.append(entry)
    return out


def make_app(world: FakeWorld) -> web.Application:
    async def record(request: web.Request) -> dict:
        if world.required_key and request.headers.get("Authorization") != f"Bearer {world.required_key}":
            raise web.HTTPUnauthorized(text='{"error": "bad key"}')
        body = await request.json() if request.can_read_body else {}
        world.requests.append({"path": request.path, **body})
        return body

    async def models(request: web.Request) -> web.Response:
        await record(request)
        return web.json_response({"data": [{"id": m} for m in world.answers]})

    async def tokenize(request: web.Request) -> web.Response:
        body = await record(request)
        if "messages" in body:
            text = body["messages"][-1]["content"]
        else:
            text = body["prompt"].removeprefix("Question: ").split("\n")[0]
        return web.json_response({"tokens": [BOS, 10 + world.qid(text)], "count": 2})

    async def detokenize(request: web.Request) -> web.Response:
        body = await record(request)
        return web.json_response({"prompt": "".join(world.pieces.get(t, "?") for t in body["tokens"])})

    async def completions(request: web.Request) -> web.Response:
        body = await record(request)
        if isinstance(body["prompt"], str):  # a text prompt no question owns (clients' warm-up): one EOS
            return web.json_response({"choices": [{"index": 0, "text": "", "finish_reason": "stop",
                                                   "stop_reason": None, "token_ids": [EOS]}]})
        model, prompt = body["model"], list(body["prompt"])
        stops = body.get("stop") or []
        ids, finish, reason = world.continuation(model, prompt, body.get("max_tokens", 16), stops)
        choice = {"index": 0, "text": "".join(world.pieces[t] for t in ids), "finish_reason": finish,
                  "stop_reason": reason, "token_ids": ids}
        if body.get("prompt_logprobs"):
            choice["prompt_logprobs"] = _scored(world, model, prompt)
        return web.json_response({"choices": [choice], "usage": {"completion_tokens": len(ids)}})

    async def chat(request: web.Request) -> web.Response:
        body = await record(request)
        if world.broken:
            return web.json_response({"oops": 1})
        model = body["model"]
        prompt = [BOS, 10 + world.qid(body["messages"][-1]["content"])]
        ids, finish, _ = world.continuation(model, prompt, body.get("max_tokens", 16), [])
        text = "".join(world.pieces[t] for t in ids)
        reply = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
                 "usage": {"completion_tokens": len(ids)}}
        if model in world.spec_models:
            drafted, accepted = world.spec_models[model]
            world.counters["drafts"] += 1
            world.counters["draft_tokens"] += drafted
            world.counters["accepted"] += accepted
            if world.per_request_metrics:
                reply["metrics"] = {"speculative_decoding": {"num_draft_tokens": drafted,
                                                             "num_accepted_draft_tokens": accepted}}
        return web.json_response(reply)

    async def metrics(request: web.Request) -> web.Response:
        c = world.counters
        lines = [f'vllm:spec_decode_num_drafts_total{{engine="0",model_name="m"}} {c["drafts"]}',
                 f'vllm:spec_decode_num_draft_tokens_total{{engine="0",model_name="m"}} {c["draft_tokens"]}',
                 f'vllm:spec_decode_num_accepted_tokens_total{{engine="0",model_name="m"}} {c["accepted"]}']
        return web.Response(text="\n".join(lines) + "\n")

    app = web.Application()
    app.add_routes([web.get("/v1/models", models), web.post("/tokenize", tokenize),
                    web.post("/detokenize", detokenize), web.post("/v1/completions", completions),
                    web.post("/v1/chat/completions", chat), web.get("/metrics", metrics)])
    return app


class FakeServer:
    """Runs `make_app(world)` on a free 127.0.0.1 port in a daemon thread; `url` is its base URL."""

    def __init__(self, world: FakeWorld) -> None:
        self.world = world
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(make_app(self.world))
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> FakeServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
