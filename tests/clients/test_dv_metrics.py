"""The draft/verify client's pure helpers: the seed's buckets, its expected-speedup formula, the
--server address and the model identity from /v1/models; numbers computed by hand in comments."""

from __future__ import annotations

import argparse

import pytest
from speclens.clients.draft_verify import metrics as dm
from speclens.clients.draft_verify.models import pick_card, server_url
from speclens.clients.draft_verify.speedup import draft_speed_ratio, expected_speedup, speedup_block


def item(accepted: int, generated: int, tokens: int = 10, time: float = 1.0) -> dm.ItemResult:
    return dm.ItemResult("q", "1", "", "1", True, tokens, generated, accepted, 1, time)


def test_buckets_use_the_seeds_labels_and_edges() -> None:
    # rates 0/10, 4999/10000, 1/2, 3/4, 9/10, 10/10 and one question that drafted nothing
    items = [item(0, 10), item(4999, 10000), item(1, 2), item(3, 4), item(9, 10), item(10, 10), item(0, 0)]
    dist = dm.acceptance_distribution(items)
    assert {k: (v["label"], v["count"]) for k, v in dist.items()} == {
        "lt_50": ("Low (<50%)", 2),            # 0 and 0.4999
        "50_75": ("Medium (50-75%)", 1),       # 0.5 is in [0.5, 0.75)
        "75_90": ("High (75-90%)", 1),         # 0.75
        "90_100": ("Very High (90-100%)", 2),  # 0.9 and 1.0 (100% included)
        "n_a": ("no drafts", 1)}
    assert dist["lt_50"]["fraction"] == round(2 / 6, 4) and dist["n_a"]["fraction"] is None  # over the 6 that drafted


def test_summary_mean_over_questions_vs_pooled() -> None:
    # question A: 3/4 accepted, 10 tokens in 1 s; question B: 1/2, 30 tokens in 2 s
    s = dm.summarize([item(3, 4, 10, 1.0), item(1, 2, 30, 2.0)])
    assert s["avg_acceptance_rate"] == 0.625  # (0.75 + 0.5) / 2
    assert s["draft_efficiency"] == round(4 / 6, 4) == 0.6667  # (3 + 1) / (4 + 2)
    assert s["avg_speed"] == 12.5  # (10/1 + 30/2) / 2
    assert s["pooled_speed"] == round(40 / 3, 3) == 13.333  # (10 + 30) / (1 + 2)


def test_the_seeds_expected_speedup_formula() -> None:
    assert draft_speed_ratio(100.0, 40.0) == 1.5  # (100 − 40) / 40
    assert expected_speedup(0.845, 100.0, 40.0) == pytest.approx(2.2675)  # 1 + 0.845 × 1.5
    assert expected_speedup(0.5, 30.0, 40.0) == pytest.approx(0.875)  # a slower draft: 1 + 0.5 × (−0.25)
    assert expected_speedup(0.845, None, 40.0) is None and expected_speedup(None, 100.0, 40.0) is None
    assert draft_speed_ratio(100.0, 0.0) is None  # undefined, not 0


def test_speedup_block_from_the_runs_alone() -> None:
    spec = [item(3, 4, 10, 1.0), item(1, 2, 30, 2.0)]  # acceptance pooled 4/6
    target = [item(0, 0, 20, 1.0), item(0, 0, 20, 1.0)]  # 40 tokens / 2 s = 20 tok/s
    draft = [item(0, 0, 60, 1.0), item(0, 0, 40, 1.0)]  # 100 / 2 = 50 tok/s
    e = speedup_block(spec, target, draft)
    # draft_speed_ratio = (50 − 20) / 20 = 1.5; expected = 1 + (4/6) × 1.5 = 2.0
    assert (e["speed_draft"], e["speed_target"], e["draft_speed_ratio"], e["value"]) == (50.0, 20.0, 1.5, 2.0)
    assert e["acceptance"] == 0.6667
    none = speedup_block(spec, None, None)
    assert (none["speed_draft"], none["speed_target"], none["value"]) == (None, None, None)


def test_server_host_port() -> None:
    assert server_url("localhost:50051") == "http://localhost:50051"
    assert server_url("https://gpu-box:8443/") == "https://gpu-box:8443/"
    for bad in ("localhost:port", "ftp://x:1", ":8000"):
        with pytest.raises(argparse.ArgumentTypeError):
            server_url(bad)


def test_pick_card_by_served_name_or_loaded_model() -> None:
    cards = [{"id": "draft", "root": "facebook/opt-350m"}, {"id": "other"}]
    assert pick_card(cards, None) == ("draft", "facebook/opt-350m")  # the first card
    assert pick_card(cards, "draft") == ("draft", "facebook/opt-350m")
    assert pick_card(cards, "facebook/opt-350m") == ("draft", "facebook/opt-350m")
    assert pick_card(cards, "other") == ("other", "other")  # no root: its own
    assert pick_card(cards, "facebook/opt-125m") is None
