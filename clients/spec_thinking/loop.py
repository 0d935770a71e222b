"""The speculative-thinking control loop over two OpenAI-compatible vLLM servers (small, large),
as the reference describes it (docs/workloads/spec-thinking.md; the authors'
speculative/speculative_vllm.py), one problem at a time:

1. `begin`: the large model writes `begin_token_num` tokens.
2. The small model writes until a trigger (TRIGGER_TOKENS as stop strings) or end-of-sequence.
3. At a trigger: when `negatives >= threshold`, insert `help_recap_words` and let the large model
   write `recap` tokens ("recap"); then negatives = 0, recap += add_each_recap (≤ max_recap_token_num),
   threshold += add_each_neg (≤ max_negative_num). Otherwise (after `help_think_word`, if any) the small
   model writes a `max_target_tokens` lookahead; its sentiment = sign(#positive − #negative/verify
   keywords present, case-insensitive substrings). Sentiment 0: the lookahead is thrown away and the
   small model goes on from the trigger (the authors' behaviour; `keep_neutral_lookahead: true` keeps
   it). Otherwise ("cue") the large model writes its own `max_target_tokens` from the same prefix;
   the large stretch is kept when `choose_large`, or when the two sentiments disagree; a kept stretch
   with negative sentiment counts as a negative; a kept stretch holding a verify keyword makes the
   large model write `original_recap_token_num` more tokens ("verify").
4. Until end-of-sequence, the token budget (`max_tokens`, counting inserted words too), or
   `time_out` seconds: a timed-out run is kept in the results, flagged, and left out of the statistics.

Every request continues the exact token prefix (token ids as the completions `prompt`,
`return_token_ids`); nothing is re-tokenized. Every large-model call is recorded (kind, position,
tokens, both texts, kept or not), so `large_tokens` (large-model tokens in the answer) and
`total_tokens` (small + large tokens in the answer, inserted words excluded) are exact counts.

vLLM stop strings: at most VLLM_MAX_STOP_STRINGS (default 4) per request (the server rejects more
with HTTP 400; the launcher raises the limit from the config). A stop string is matched on the
detokenized text of the new tokens only, and the token that completes it is returned whole: when a
trigger ends inside a token, the rest of that token stays in the context (we continue from the
tokens the model produced, never from truncated text).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from speclens.clients.common.http import Continuation, OpenAIServer
from speclens.clients.spec_thinking.config import SpecThinkingConfig


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
class LargeCall:
    """One large-model request: `position` = answer tokens before it (inserted words included)."""

    kind: str  # begin | cue | recap | verify
    position: int
    tokens: int
    kept: bool
    large_text: str
    small_text: str | None = None  # the small lookahead it competed with (cue only)
    small_sentiment: int | None = None
    large_sentiment: int | None = None


@dataclass
class Trace:
    """One generation of one problem. Token counts are exact (lengths of returned token id lists)."""

    mode: str
    latency: float = 0.0
    output_ids: list[int] = field(default_factory=list)
    small_tokens: int = 0
    large_tokens: int = 0
    inserted_tokens: int = 0
    small_tokens_discarded: int = 0
    large_tokens_discarded: int = 0
    triggers: int = 0
    cues: int = 0
    calls: list[LargeCall] = field(default_factory=list)
    finish: str = "length"  # eos | length | time_out

    @property
    def total_tokens(self) -> int:
        return self.small_tokens + self.large_tokens

    @property
    def throughput(self) -> float | None:
        return self.total_tokens / self.latency if self.latency > 0 else None

    @property
    def large_ratio(self) -> float | None:
        return self.large_tokens / self.total_tokens if self.total_tokens else None


def sentiment(text: str, config: SpecThinkingConfig) -> int:
    """+1 / −1 / 0: sign of (#positive keywords present − #negative and verify keywords present)."""
    low, kw = text.lower(), config.TARGET_VALIDATION_KEYWORDS
    score = sum(k.lower() in low for k in kw.positive) - sum(k.lower() in low for k in kw.negative + kw.verify)
    return (score > 0) - (score < 0)


def has_verify(text: str, config: SpecThinkingConfig) -> bool:
    low = text.lower()
    return any(k.lower() in low for k in config.TARGET_VALIDATION_KEYWORDS.verify)


@dataclass
class Pair:
    """The two servers, their model names, the sampling and the inserted words' token ids."""

    small: OpenAIServer | None
    large: OpenAIServer
    small_model: str | None
    large_model: str
    sampling: Sampling
    recap_ids: list[int] = field(default_factory=list)
    think_ids: list[int] = field(default_factory=list)


class TimedOut(Exception):
    pass


class _Run:
    def __init__(self, pair: Pair, config: SpecThinkingConfig, prompt: list[int], seed: int | None) -> None:
        self.pair, self.config, self.prompt, self.seed = pair, config, prompt, seed
        self.trace = Trace("spec")
        self.requests = 0
        limit = config.deadline_s
        self.deadline = None if limit is None else time.monotonic() + limit

    @property
    def room(self) -> int:
        return self.pair.sampling.max_tokens - len(self.trace.output_ids)

    async def _call(self, large: bool, max_tokens: int, stop: list[str] | None = None) -> Continuation:
        p = self.pair
        server, model = (p.large, p.large_model) if large else (p.small, p.small_model)
        seed = None if self.seed is None else self.seed + self.requests
        self.requests += 1
        request = server.continue_ids(model, self.prompt + self.trace.output_ids, max_tokens, p.sampling.body(seed),
                                      stop)
        if self.deadline is None:
            return await request
        left = self.deadline - time.monotonic()
        if left <= 0:
            request.close()
            raise TimedOut
        try:
            return await asyncio.wait_for(request, left)
        except TimeoutError:
            raise TimedOut from None

    def _keep(self, ids: list[int], by: str) -> None:
        self.trace.output_ids += ids
        if by == "small":
            self.trace.small_tokens += len(ids)
        elif by == "large":
            self.trace.large_tokens += len(ids)
        else:
            self.trace.inserted_tokens += len(ids)

    async def _large_stretch(self, kind: str, n: int) -> Continuation:
        position = len(self.trace.output_ids)
        c = await self._call(True, min(n, self.room))
        self.trace.calls.append(LargeCall(kind, position, len(c.token_ids), True, c.text))
        self._keep(c.token_ids, "large")
        return c

    async def run(self) -> Trace:
        cfg, t = self.config, self.trace
        negatives, threshold, recap = 0, cfg.recap_after_negative_num, cfg.original_recap_token_num
        if cfg.begin and self.room > 0 and (await self._large_stretch("begin", cfg.begin_token_num)).ended:
            return self._done("eos")
        while self.room > 0:
            c = await self._call(False, self.room, cfg.TRIGGER_TOKENS)
            self._keep(c.token_ids, "small")
            if c.ended or c.stop_string is None or not c.token_ids:
                return self._done("eos" if c.ended else "length")
            t.triggers += 1
            if self.room <= 0:
                break
            if negatives >= threshold:
                self._keep(self.pair.recap_ids, "inserted")
                if self.room <= 0:
                    break
                if (await self._large_stretch("recap", recap)).ended:
                    return self._done("eos")
                negatives = 0
                recap = min(recap + cfg.add_each_recap, cfg.max_recap_token_num)
                threshold = min(threshold + cfg.add_each_neg, cfg.max_negative_num)
                continue
            self._keep(self.pair.think_ids, "inserted")
            look = await self._call(False, min(cfg.max_target_tokens, self.room))
            small_sent = sentiment(look.text, cfg)
            if small_sent == 0:
                if cfg.keep_neutral_lookahead:
                    self._keep(look.token_ids, "small")
                    if look.ended:
                        return self._done("eos")
                else:
                    t.small_tokens_discarded += len(look.token_ids)
                continue
            t.cues += 1
            position = len(t.output_ids)
            big = await self._call(True, min(cfg.max_target_tokens, self.room))
            large_sent = sentiment(big.text, cfg)
            keep_large = cfg.choose_large or (small_sent < 0 <= large_sent) or (small_sent > 0 > large_sent)
            t.calls.append(LargeCall("cue", position, len(big.token_ids), keep_large, big.text, look.text,
                                     small_sent, large_sent))
            kept, kept_sent = (big, large_sent) if keep_large else (look, small_sent)
            self._keep(kept.token_ids, "large" if keep_large else "small")
            if keep_large:
                t.small_tokens_discarded += len(look.token_ids)
            else:
                t.large_tokens_discarded += len(big.token_ids)
            if kept.ended:
                return self._done("eos")
            if kept_sent < 0:
                negatives += 1
            if has_verify(kept.text, cfg) and self.room > 0 and \
                    (await self._large_stretch("verify", cfg.original_recap_token_num)).ended:
                return self._done("eos")
        return self._done("length")

    def _done(self, finish: str) -> Trace:
        self.trace.finish = finish
        return self.trace


async def speculative(pair: Pair, config: SpecThinkingConfig, prompt: list[int], seed: int | None) -> Trace:
    """One speculative-thinking generation; `latency` = wall seconds of all its requests."""
    started = time.perf_counter()
    worker = _Run(pair, config, prompt, seed)
    try:
        trace = await worker.run()
    except TimedOut:
        trace = worker._done("time_out")
    trace.latency = time.perf_counter() - started
    return trace


async def large_alone(pair: Pair, prompt: list[int], seed: int | None) -> Trace:
    """The large model alone: one request of up to max_tokens (no time_out, as the authors' normal_generate)."""
    started = time.perf_counter()
    c = await pair.large.continue_ids(pair.large_model, prompt, pair.sampling.max_tokens, pair.sampling.body(seed))
    trace = Trace("large", output_ids=list(c.token_ids), large_tokens=len(c.token_ids),
                  finish="eos" if c.ended else "length")
    trace.latency = time.perf_counter() - started
    return trace
