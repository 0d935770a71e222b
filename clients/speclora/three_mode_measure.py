"""One measured request of the three-mode suite, and its acceptance.

Time to last token (TTLT) is the wall time of one non-streaming /v1/chat/completions request;
tokens are `usage.completion_tokens`. Acceptance of that request comes, in order of preference,
from the response's own `metrics.speculative_decoding` (servers started with
--per-request-spec-decode-metrics summary) or from the difference of the server's
vllm:spec_decode_* counters (GET /metrics) just before and after it: accepted / draft tokens,
summed over engines (parsers.prometheus.parse_scrape + diff_scrapes). Requests run one at a time,
so the delta belongs to this request alone. None when the server drafted nothing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from speclens.clients.common.http import OpenAIServer, ServerError
from speclens.parsers.prometheus import SpecScrape, diff_scrapes, parse_scrape

SETTLE_TRIES = 10
SETTLE_SECONDS = 0.1


@dataclass
class Measured:
    """One request: seconds to the last token, completion tokens, and draft/accepted counts
    (None when unknown: no speculation, or the server exports no counters)."""

    ttlt: float
    tokens: int
    drafted: int | None
    accepted: int | None
    source: str


def _totals(scrape: SpecScrape) -> tuple[int, int]:
    total = scrape.total()
    return total.draft_tokens or 0, total.accepted or 0


async def settled_scrape(server: OpenAIServer, previous: SpecScrape | None = None) -> SpecScrape:
    """A /metrics scrape taken once two consecutive scrapes agree (the engine's stat loggers may
    record a finished request a moment after its response was sent)."""
    last = previous
    for _ in range(SETTLE_TRIES):
        scrape = parse_scrape(f"{server.base_url}/metrics", await server.metrics_text())
        if last is not None and _totals(scrape) == _totals(last) and scrape.generation == last.generation:
            return scrape
        last = scrape
        await asyncio.sleep(SETTLE_SECONDS)
    return last  # type: ignore[return-value]


def acceptance_from_delta(before: SpecScrape, after: SpecScrape) -> tuple[int | None, int | None]:
    """(draft tokens, accepted) between two scrapes summed over engines; (None, None) when the
    server exports no spec-decode counters."""
    if after.generation is None:
        return None, None
    delta, _resets = diff_scrapes(before, after)
    return _totals(delta)


async def measure(server: OpenAIServer, model: str, prompt: str, max_tokens: int, speculative: bool) -> Measured:
    """Send one greedy chat request and measure it (see module doc)."""
    before = await settled_scrape(server) if speculative else None
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens,
            "temperature": 0.0}
    started = time.perf_counter()
    reply = await server.chat(body)
    ttlt = time.perf_counter() - started
    usage = reply.get("usage") or {}
    if usage.get("completion_tokens") is None:
        raise ServerError(f"{server.base_url}/v1/chat/completions: the answer has no usage.completion_tokens")
    tokens = int(usage["completion_tokens"])
    per_request = ((reply.get("metrics") or {}).get("speculative_decoding")) if speculative else None
    if per_request:
        return Measured(ttlt, tokens, int(per_request["num_draft_tokens"]),
                        int(per_request["num_accepted_draft_tokens"]), "per_request_metrics")
    if before is None:
        return Measured(ttlt, tokens, None, None, "none")
    after = await settled_scrape(server)
    drafted, accepted = acceptance_from_delta(before, after)
    return Measured(ttlt, tokens, drafted, accepted, "metrics_delta" if drafted is not None else "none")
