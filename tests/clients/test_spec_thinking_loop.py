"""The speculative-thinking control loop against a scripted fake server pair: who writes which
token, counted by hand from the scripts' positions (see tests/clients/spec_thinking_fake.py)."""

from __future__ import annotations

import asyncio

import pytest
from speclens.clients.spec_thinking import loop as core
from speclens.clients.common.http import OpenAIServer
from speclens.clients.spec_thinking.config import SpecThinkingConfig

from tests.clients.spec_thinking_fake import PairServer, ScriptedModel, Vocab

BASE = dict(target_model_name="large", speculative_model_name="small", TRIGGER_TOKENS=["\n"],
            TARGET_VALIDATION_KEYWORDS={"verify": ["check"], "negative": ["wait"], "positive": ["yes"]},
            help_recap_words="R:", choose_large=True, max_target_tokens=2, begin=False, begin_token_num=2,
            original_recap_token_num=3, recap_after_negative_num=2, add_each_recap=1, max_recap_token_num=10,
            add_each_neg=1, max_negative_num=5, time_out=None)


@pytest.fixture
def pair():
    vocab = Vocab()
    small, large = ScriptedModel("small", vocab), ScriptedModel("large", vocab)
    with PairServer(small) as s, PairServer(large) as big:
        yield small, large, s.url, big.url


def run(pair, max_tokens: int = 50, **overrides) -> core.Trace:
    _, _, small_url, large_url = pair
    config = SpecThinkingConfig(**{**BASE, **overrides})

    async def go() -> core.Trace:
        async with OpenAIServer(small_url) as s, OpenAIServer(large_url) as big:
            p = core.Pair(s, big, "small", "large", core.Sampling(0.0, 1.0, -1, max_tokens),
                          recap_ids=await big.tokenize_plain("large", config.help_recap_words))
            return await core.speculative(p, config, [1, 10], 0)

    return asyncio.run(go())


def calls(trace: core.Trace) -> list[tuple]:
    return [(c.kind, c.position, c.tokens, c.kept) for c in trace.calls]


def test_no_cue_keeps_the_small_model_and_throws_neutral_lookaheads_away(pair) -> None:
    small, large, *_ = pair
    small.say("a", "b", "\n", "c", "d", "\n", "e", "<eos>")
    t = run(pair)
    # small a b \n (3, trigger) → lookahead c d (2, no keyword: thrown away) → small c d \n (3, trigger)
    # → lookahead e <eos> (2, thrown away) → small e <eos> (2, end): 3 + 3 + 2 = 8 small, 0 large
    assert (t.small_tokens, t.large_tokens, t.small_tokens_discarded, t.triggers, t.cues) == (8, 0, 4, 2, 0)
    assert t.large_ratio == 0 and t.finish == "eos" and large.requests == [] and len(small.requests) == 5
    assert small.requests[0]["stop"] == ["\n"] and small.requests[1]["stop"] is None  # lookahead: no stop strings


def test_cue_lets_the_large_model_write_its_stretch(pair) -> None:
    small, large, *_ = pair
    small.say("a", "\n", " wait", "x", "\n", "b", "<eos>")
    large.say("-", "-", "L1", "L2", "-", "-")
    t = run(pair)
    # small a \n (2) → lookahead " wait" x (negative cue) → large from position 2: L1 L2 (2, kept, neutral)
    # → small from 4: \n (1, trigger) → lookahead b <eos> (neutral, thrown away) → small b <eos> (2)
    # small 2 + 1 + 2 = 5, large 2: ratio 2 / 7
    assert (t.small_tokens, t.large_tokens, t.small_tokens_discarded) == (5, 2, 4)
    assert calls(t) == [("cue", 2, 2, True)] and t.large_ratio == 2 / 7
    assert t.calls[0].small_text == " waitx" and t.calls[0].large_text == "L1L2"
    assert (t.calls[0].small_sentiment, t.calls[0].large_sentiment) == (-1, 0)
    assert large.requests[0] == {"position": 2, "max_tokens": 2, "stop": None, "seed": None}


def test_without_choose_large_an_agreeing_large_stretch_is_not_kept(pair) -> None:
    small, large, *_ = pair
    small.say("a", "\n", " wait", "x", "e", "<eos>")
    large.say("-", "-", " wait", "L")
    t = run(pair, choose_large=False)
    # both stretches negative: they agree, so the small lookahead " wait" x stays (2 small) and the large
    # stretch (2) is thrown away; small then writes e <eos>: small 2 + 2 + 2 = 6, large 0
    assert (t.small_tokens, t.large_tokens, t.large_tokens_discarded) == (6, 0, 2)
    assert calls(t) == [("cue", 2, 2, False)] and t.large_ratio == 0


def test_recap_after_two_negatives_inserts_words_and_grows(pair) -> None:
    small, large, *_ = pair
    small.say("a", "\n", " wait", "x", "\n", " wait", "y", "\n", "-", "-", "-", "-", "e", "<eos>")
    large.say("-", "-", " wait", "L", "-", " wait", "L", "-", "-", "r1", "r2", "r3")
    t = run(pair)
    # small a \n (2) → cue: large " wait" L kept (negative: 1) → small \n (1) → cue at 5: large " wait" L
    # (negative: 2) → small \n (1, trigger at 8) → 2 ≥ recap_after_negative_num: insert "R:" (1 token,
    # position 8), large recap of original_recap_token_num = 3 tokens at 9: r1 r2 r3 → small e <eos> (2)
    # small 2 + 1 + 1 + 2 = 6, large 2 + 2 + 3 = 7, inserted 1: ratio 7 / 13
    assert (t.small_tokens, t.large_tokens, t.inserted_tokens) == (6, 7, 1)
    assert calls(t) == [("cue", 2, 2, True), ("cue", 5, 2, True), ("recap", 9, 3, True)]
    assert t.large_ratio == 7 / 13 and t.calls[2].large_text == "r1r2r3"


def test_second_recap_is_longer_and_waits_for_more_negatives(pair) -> None:
    small, large, *_ = pair
    # recap_after_negative_num 1: every trigger after a negative stretch is a recap; the first is 3 tokens,
    # the second 3 + add_each_recap 1 = 4, and the threshold grows 1 → 2
    small.say("a", "\n", " wait", "x", "\n", "-", "-", "-", "-", "\n", " wait", "x", "\n", " wait", "y", "\n",
              *["-"] * 5, "e", "<eos>")
    large.say("-", "-", " wait", "L", "-", "-", "r1", "r2", "r3", "-", " wait", "L", "-", " wait", "L", "-", "-",
              "s1", "s2", "s3", "s4")
    t = run(pair, recap_after_negative_num=1)
    # a \n | cue@2 " wait" L (neg 1) | \n (trigger, recap: "R:" @5, large r1 r2 r3 @6, neg 0, threshold 2)
    # | \n (small @9) | cue@10 (neg 1) | \n @12 | cue@13 (neg 2) | \n @15 | recap: "R:" @16, 4 tokens @17
    assert calls(t) == [("cue", 2, 2, True), ("recap", 6, 3, True), ("cue", 10, 2, True), ("cue", 13, 2, True),
                        ("recap", 17, 4, True)]
    # large 2 + 3 + 2 + 2 + 4 = 13; small a \n, \n, \n, \n, \n, e <eos> = 2 + 1 + 1 + 1 + 1 + 2 = 8; inserted 2
    assert (t.large_tokens, t.small_tokens, t.inserted_tokens) == (13, 8, 2)


def test_verify_cue_gives_the_large_model_more_tokens(pair) -> None:
    small, large, *_ = pair
    small.say("a", "\n", " check", "x", "-", "-", "-", "e", "<eos>")
    large.say("-", "-", " check", "L", "v1", "v2", "v3")
    t = run(pair)
    # small a \n (2) → lookahead " check" x (verify: negative sentiment) → large " check" L (2, kept, holds a
    # verify keyword) → large writes original_recap_token_num = 3 more at 4: v1 v2 v3 → small e <eos> (2)
    # small 4, large 2 + 3 = 5: ratio 5 / 9
    assert calls(t) == [("cue", 2, 2, True), ("verify", 4, 3, True)]
    assert (t.small_tokens, t.large_tokens, t.large_ratio) == (4, 5, 5 / 9)


def test_begin_phase(pair) -> None:
    small, large, *_ = pair
    small.say("-", "-", "e", "<eos>")
    large.say("B1", "B2")
    t = run(pair, begin=True)
    # large B1 B2 (begin_token_num 2) → small from 2: e <eos>: 2 large of 4
    assert calls(t) == [("begin", 0, 2, True)] and (t.large_tokens, t.small_tokens, t.large_ratio) == (2, 2, 0.5)


def test_token_budget_ends_the_run(pair) -> None:
    small, large, *_ = pair
    small.say("a", "\n", " wait", "x", "b", "c", "d")
    large.say("-", "-", "L1", "L2", "L3")
    t = run(pair, max_tokens=3)
    # small a \n (2 of 3) → lookahead of min(2, 1) = 1 token " wait" (cue) → large 1 token L1 → budget used up
    assert (t.small_tokens, t.large_tokens, t.finish) == (2, 1, "length") and calls(t) == [("cue", 2, 1, True)]


def test_time_out_stops_the_problem(pair) -> None:
    small, _, *_ = pair
    small.say("a", "b", "\n", "c", "d", "\n", "e", "<eos>")
    small.delay_s = 0.3
    t = run(pair, time_out=0.45)
    # request 1 (0.3 s) returns a b \n; the lookahead would end at 0.6 s > 0.45 s: cancelled at the deadline
    assert t.finish == "time_out" and t.small_tokens == 3 and 0.4 < t.latency < 0.6


def test_a_server_without_return_token_ids_is_one_clear_error() -> None:
    import httpx
    from speclens.clients.common.http import ServerError

    async def go() -> None:
        server = OpenAIServer("http://fake")
        server._http = httpx.AsyncClient(base_url="http://fake", transport=httpx.MockTransport(
            lambda request: httpx.Response(200, json={"choices": [{"text": "x", "finish_reason": "length"}]})))
        async with server:
            await server.continue_ids("m", [1, 2], 4, {})

    with pytest.raises(ServerError, match="expected choices\\[0\\].token_ids"):
        asyncio.run(go())
