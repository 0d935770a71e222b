"""clients/common/warmup.py: discarded requests, a prompt no benchmark shares, sent before timing."""

from __future__ import annotations

import asyncio

from speclens.clients.common.http import OpenAIServer
from speclens.clients.common.warmup import WARMUP_PROMPT, WARMUP_TOKENS, warm_up

from tests.clients.fake_server import FakeServer, FakeWorld


def test_warm_up_sends_n_discarded_completions() -> None:
    world = FakeWorld()

    async def go() -> int:
        async with OpenAIServer(server.url) as s:
            return await warm_up(s, "m", 3)

    with FakeServer(world) as server:
        sent = asyncio.run(go())
    assert sent == 3 and len(world.requests) == 3
    assert all(r["path"] == "/v1/completions" and r["prompt"] == WARMUP_PROMPT and r["max_tokens"] == WARMUP_TOKENS
               and r["temperature"] == 0.0 for r in world.requests)


def test_zero_or_negative_sends_nothing() -> None:
    world = FakeWorld()

    async def go() -> int:
        async with OpenAIServer(server.url) as s:
            return await warm_up(s, "m", 0)

    with FakeServer(world) as server:
        assert asyncio.run(go()) == 0
    assert world.requests == []


def test_a_negative_or_non_numeric_count_is_refused_by_the_flag() -> None:
    import argparse

    import pytest
    from speclens.clients.common.warmup import add_warmup_flag

    parser = argparse.ArgumentParser(exit_on_error=False)
    add_warmup_flag(parser)
    assert parser.parse_args(["--warmup", "0"]).warmup == 0 and parser.parse_args([]).warmup == 2
    for bad in ("-1", "two"):
        with pytest.raises(argparse.ArgumentError, match="expected a whole number >= 0"):
            parser.parse_args(["--warmup", bad])
