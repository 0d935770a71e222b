"""Speculative thinking over HTTP: the small model reasons; at a trigger (a paragraph break or a
word such as "wait"/"but", configurable) the large model takes over for at most
`takeover_tokens` tokens, then the small model continues. Both servers must share a tokenizer:
the prompt is rendered once (/tokenize with the chat template) and the growing context is sent
as token ids to /v1/completions with return_token_ids.

Triggers are vLLM stop strings on the small model's request (include_stop_str_in_output), so the
small model stops exactly where a trigger appears. vLLM 0.32 accepts at most VLLM_MAX_STOP_STRINGS
(default 4) stop strings per request, hence at most 4 triggers unless the server raises it.
A request that ends with finish_reason
"stop" and no stop string (stop_reason null or a token id) hit end-of-sequence: the answer is done.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from speclens.clients.http import OpenAIServer

DEFAULT_TRIGGERS = "\\n\\n, wait, Wait, but"
MAX_STOP_STRINGS = 4  # vLLM rejects more stop strings per request (VLLM_MAX_STOP_STRINGS, default 4)


def parse_triggers(text: str) -> list[str]:
    """Comma-separated stop strings; `\\n` is a newline. ' wait' keeps its leading space."""
    out = [t.replace("\\n", "\n") for t in text.split(",")]
    return [t for t in out if t.strip(" ") != "" or "\n" in t]


@dataclass
class Sampling:
    temperature: float
    top_p: float
    top_k: int
    max_tokens: int

    def body(self, seed: int | None) -> dict:
        out = {"temperature": self.temperature, "top_p": self.top_p, "top_k": self.top_k}
        if seed is not None and self.temperature > 0:
            out["seed"] = seed
        return out


@dataclass
class RunResult:
    """One generation. `large_tokens` = tokens the large model produced; `takeovers` = large
    model turns; `latency` = wall seconds from the first request to the last answer."""

    mode: str
    problem_idx: int
    run: int
    latency: float
    total_tokens: int
    large_tokens: int
    takeovers: int
    text_ids: list[int]

    @property
    def throughput(self) -> float | None:
        """total_tokens / latency (tokens per second); None when latency is 0."""
        return self.total_tokens / self.latency if self.latency > 0 else None

    @property
    def large_ratio(self) -> float | None:
        """large_tokens / total_tokens; None when nothing was generated."""
        return self.large_tokens / self.total_tokens if self.total_tokens else None


def _ended(choice: dict) -> bool:
    """True when the request hit end-of-sequence (not a trigger, not the length limit)."""
    return choice.get("finish_reason") == "stop" and not isinstance(choice.get("stop_reason"), str)


async def large_alone(large: OpenAIServer, model: str, prompt: list[int], sampling: Sampling, seed: int | None,
                      idx: int, run: int) -> RunResult:
    started = time.perf_counter()
    body = {"model": model, "prompt": prompt, "max_tokens": sampling.max_tokens, "return_token_ids": True,
            **sampling.body(seed)}
    ids = list((await large.completion(body))["choices"][0].get("token_ids") or [])
    return RunResult("large", idx, run, time.perf_counter() - started, len(ids), len(ids), 0, ids)


async def speculative(small: OpenAIServer, large: OpenAIServer, models: tuple[str, str], prompt: list[int],
                      sampling: Sampling, triggers: list[str], takeover_tokens: int, seed: int | None,
                      idx: int, run: int) -> RunResult:
    """Alternate small (until a trigger) and large (≤ takeover_tokens) until EOS or max_tokens."""
    started = time.perf_counter()
    context, out = list(prompt), []
    large_tokens = takeovers = 0
    turn = 0
    while len(out) < sampling.max_tokens:
        small_turn = turn % 2 == 0
        budget = sampling.max_tokens - len(out)
        body = {"model": models[0] if small_turn else models[1], "prompt": context, "return_token_ids": True,
                "max_tokens": budget if small_turn else min(takeover_tokens, budget),
                **sampling.body(None if seed is None else seed + turn)}
        if small_turn:
            body.update(stop=triggers, include_stop_str_in_output=True)
        choice = (await (small if small_turn else large).completion(body))["choices"][0]
        ids = list(choice.get("token_ids") or [])
        context += ids
        out += ids
        if not small_turn:
            large_tokens += len(ids)
            takeovers += 1
        if _ended(choice) or not ids or (small_turn and choice.get("finish_reason") == "length"):
            break
        turn += 1
    return RunResult("spec", idx, run, time.perf_counter() - started, len(out), large_tokens, takeovers, out)
