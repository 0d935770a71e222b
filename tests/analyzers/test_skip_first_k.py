"""--skip-first and the time window leave k alone: k is the server's (its startup line, or any spec
line of the segment, kept or not), never only what the kept lines show."""

from __future__ import annotations

from pathlib import Path

from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import TargetReport, Window
from speclens.analyzers.render import RENDERERS

from tests.conftest import write_log

# vLLM 0.10.2+ lines without a startup line (a log tail): only the per-position rates say k = 3
LINE = ("(APIServer pid=1) INFO 11-22 21:59:{sec:02d} [metrics.py:120] SpecDecoding metrics: Mean acceptance length: "
        "{mal}, Accepted throughput: 1.00 tokens/s, Drafted throughput: 1.00 tokens/s, Accepted: {acc} tokens, "
        "Drafted: {dr} tokens, Per-position acceptance rate: {pp}, Avg Draft acceptance rate: {rate}%")
# 10 drafts of 3 tokens each: 30 drafted; accepted 5 + 3 + 1 = 9; mal = 1 + 9/10 = 1.90
FIRST = LINE.format(sec=10, mal="1.90", acc=9, dr=30, pp="0.500, 0.300, 0.100", rate="30.0")
# a 0.8.3-0.8.4 style line has no rates and no mean acceptance length: alone it says nothing about k
BARE = "INFO 11-22 21:59:{sec:02d} [loggers.py:111] SpecDecoding metrics: Draft acceptance rate: 50.0%, " \
       "Accepted: {acc} tokens, Drafted: {dr} tokens"


def target(path: Path, **window: object) -> TargetReport:
    return build_report([str(path)], Window(**window)).targets[0]  # type: ignore[arg-type]


def test_k_learned_from_a_skipped_line_stays_known(tmp_path: Path) -> None:
    # line 1 has rates (k = 3) and is skipped; line 2 has none: the segment's k is 3 all the same
    log = write_log(tmp_path / "tail.log", [FIRST, BARE.format(sec=20, acc=30, dr=60)])
    t = target(log, skip_first=1)
    [seg] = t.segments
    assert (seg.k, seg.k_from) == (3, "per-position rates")
    src = t.source("log:0")
    assert src is not None and src.counts.k == 3
    assert src.log is not None and src.log.intervals_skipped_warmup == 1


def test_every_line_skipped_still_shows_k(tmp_path: Path) -> None:
    log = write_log(tmp_path / "tail.log", [FIRST, LINE.format(sec=20, mal="1.90", acc=9, dr=30,
                                                               pp="0.500, 0.300, 0.100", rate="30.0")])
    t = target(log, skip_first=16)
    assert t.sources == [] and [(g.k, g.k_from) for g in t.segments] == [(3, "per-position rates")]
    text = RENDERERS["text"](build_report([str(log)], Window(skip_first=16)))
    assert "k=3 (from the per-position rates)" in text and "k=?" not in text


def test_k_from_a_line_outside_the_window_stays_known(tmp_path: Path) -> None:
    # the line with rates is at 21:59:10, before --since 21:59:15: k = 3 is still the segment's
    log = write_log(tmp_path / "tail.log", [FIRST, BARE.format(sec=20, acc=30, dr=60)])
    t = target(log, since="11-22 21:59:15")
    assert [(g.k, g.k_from) for g in t.segments] == [(3, "per-position rates")]
    src = t.source("log:0")
    # k is known, but the method is not (no startup line): a variable-length drafter may draft fewer
    # than k tokens, so Drafted 60 does not give the drafts (60 / 3 = 20 would be a guess)
    assert src is not None and src.counts.k == 3 and src.counts.drafts is None
