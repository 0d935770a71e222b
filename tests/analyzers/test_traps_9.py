"""Issue 25, trap 9: a high prefix-cache hit share over the run (vllm:prefix_cache_hits / queries,
the before/after scrapes)."""

from __future__ import annotations

from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.traps.evidence import Evidence, prefix_cache_delta
from speclens.analyzers.traps.server import prefix_cache_hits

from tests.conftest import CONSTRUCTED, ROOT

FIXTURE = CONSTRUCTED / "traps" / "9-prefix-cache-hits"
RECORDED = ROOT / "fixtures" / "recorded" / "per-request" / "summary-sync"


def test_delta_read_from_the_scrapes() -> None:
    # before: hits 0, queries 0; after: hits 800 (constructed), queries 1008 (12 prompts of 84 tokens)
    assert prefix_cache_delta(str(FIXTURE / "metrics_before.prom"), str(FIXTURE / "metrics_after.prom")) == (800, 1008)
    assert prefix_cache_delta(str(RECORDED / "metrics_before.prom"), str(RECORDED / "metrics_after.prom")) == (0, 1008)
    # after before swapped: queries fell 1008 -> 0, no delta
    assert prefix_cache_delta(str(RECORDED / "metrics_after.prom"), str(RECORDED / "metrics_before.prom")) is None


def test_threshold_half() -> None:
    notice = prefix_cache_hits(Evidence(where="d", prefix_cache=(800, 1008)))[0]
    assert "79% of the prompt tokens" in notice.message  # 800 / 1008 = 0.794
    assert prefix_cache_hits(Evidence(where="d", prefix_cache=(504, 1008)))  # 0.5: fires
    assert prefix_cache_hits(Evidence(where="d", prefix_cache=(503, 1008))) == []  # 0.499
    assert prefix_cache_hits(Evidence(where="d", prefix_cache=(0, 0))) == []  # undefined share: quiet


def test_fires_on_its_fixture() -> None:
    target = build_report([str(FIXTURE)], Window()).targets[0]
    assert ("warning", "trap-prefix-cache-hits") in [(n.level, n.code) for n in target.notices]
