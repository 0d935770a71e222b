from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzers.acceptance import build_report
from analyzers.report import TargetReport, Window
from tests.conftest import CONSTRUCTED, RECORDED, SPEC_RUNS, write_log


def target(*paths: Path, **window: object) -> TargetReport:
    report = build_report([str(p) for p in paths], Window(**window))  # type: ignore[arg-type]
    assert len(report.targets) == 1
    return report.targets[0]


@pytest.mark.parametrize("run", SPEC_RUNS)
def test_log_totals_equal_metrics_counters_on_every_recorded_run(run: str) -> None:
    t = target(RECORDED / run)
    [agreement] = t.agreements
    assert (agreement.a, agreement.b, agreement.agree) == ("metrics_scrape", "log:0", True)
    assert agreement.accepted_tokens_diff == agreement.draft_tokens_diff == agreement.drafts_diff == 0


def test_draft_model_run_numbers() -> None:
    t = target(RECORDED / "draft-greedy")
    log = t.source("log:0")
    assert t.primary == "log:0" and log is not None
    # 3 intervals: accepted 354+474+509 = 1337, drafted 861+1515+1350 = 3726, drafts 3726/3 = 1242
    c = log.counts
    assert (c.k, c.accepted_tokens, c.draft_tokens, c.drafts, c.drafts_from) == (3, 1337, 3726, 1242, "drafted/k")
    assert c.accepted_per_position == [455, 444, 438]  # = the /metrics per-position counters
    assert log.metrics.mean_acceptance_length == pytest.approx(1 + 1337 / 1242)
    assert t.segments[0].spec_method == "draft_model" and t.segments[0].vllm_version == "0.32.0"


def test_baseline_run_has_no_spec_data() -> None:
    t = target(RECORDED / "base-greedy")
    assert t.sources == [] and t.primary is None
    assert [n.code for n in t.notices] == ["no-spec-data"]


def test_skip_first_drops_warmup_interval_per_segment() -> None:
    # without the first interval (354/861): accepted 1337-354 = 983, drafted 3726-861 = 2865, drafts 955
    t = target(RECORDED / "draft-greedy", skip_first=1)
    log = t.source("log:0")
    assert log is not None and log.log is not None
    assert (log.counts.accepted_tokens, log.counts.draft_tokens, log.counts.drafts) == (983, 2865, 955)
    assert (log.log.intervals_used, log.log.intervals_skipped_warmup) == (2, 1)
    # a lifetime-wide scrape is not compared with a windowed log
    assert t.agreements == [] and "not-compared" in [n.code for n in t.notices]


def test_since_until_window_is_inclusive_on_log_time() -> None:
    # intervals at 21:52:53, 21:53:03, 21:53:13; the window keeps 21:53:03 only: 474/1515, 505 drafts
    t = target(RECORDED / "draft-greedy", since="11-22 21:53:00", until="11-22 21:53:03")
    log = t.source("log:0")
    assert log is not None and log.log is not None
    assert (log.counts.accepted_tokens, log.counts.draft_tokens, log.counts.drafts) == (474, 1515, 505)
    assert log.log.intervals_outside_window == 2


def test_restarts_are_separate_segments_never_summed() -> None:
    t = target(CONSTRUCTED / "vllm-restart-newyear.log")
    s0, s1 = t.source("log:0"), t.source("log:1")
    assert s0 is not None and s1 is not None
    # segment 0: (6+3) + (10+5) = 24 accepted of 18+36 = 54 drafted; 10+20 = 30 drafts
    assert (s0.counts.accepted_tokens, s0.counts.draft_tokens, s0.counts.drafts) == (24, 54, 30)
    # segment 1: 16 accepted of 16, 8 drafts; it is the primary (the last lifetime)
    assert (s1.counts.accepted_tokens, s1.counts.draft_tokens, s1.counts.drafts) == (16, 16, 8)
    assert t.primary == "log:1" and len(t.segments) == 2
    assert "several-lifetimes" in [n.code for n in t.notices]


def test_since_across_new_year() -> None:
    # log starts 12-31 23:58; --since 01-01 00:00:00 is the next year: drops only the 12-31 interval (9/18)
    t = target(CONSTRUCTED / "vllm-restart-newyear.log", since="01-01 00:00:00")
    s0 = t.source("log:0")
    assert s0 is not None and (s0.counts.accepted_tokens, s0.counts.draft_tokens) == (15, 36)


def test_gzip_log_gives_the_same_numbers() -> None:
    plain = target(CONSTRUCTED / "vllm-restart-newyear.log")
    packed = target(CONSTRUCTED / "vllm-restart-newyear.log.gz")
    assert [s.counts for s in plain.sources] == [s.counts for s in packed.sources]


def test_v0_cumulative_lines_are_differenced_not_summed() -> None:
    # cumulative lines (accepted, draft, emitted): (1,5,1) (6,15,9) (20,40,28); k = 5
    t = target(CONSTRUCTED / "vllm-v0-cumulative.log")
    c = t.sources[0].counts
    assert (t.sources[0].kind, c.accepted_tokens, c.draft_tokens, c.emitted_tokens, c.drafts) == (
        "log_cumulative_v0", 20, 40, 28, 8)  # the last line; 40 / 5 = 8 drafts
    skipped = target(CONSTRUCTED / "vllm-v0-cumulative.log", skip_first=1).sources[0].counts
    # last − first: 20-1 = 19 accepted, 40-5 = 35 draft tokens, 28-1 = 27 emitted, 35/5 = 7 drafts
    assert (skipped.accepted_tokens, skipped.draft_tokens, skipped.emitted_tokens, skipped.drafts) == (19, 35, 27, 7)


def test_old_v1_format_without_per_position() -> None:
    # vLLM 0.8.4 EAGLE k=3: (60/120) + (45/180) -> 105 accepted of 300, drafts 40 + 60 = 100
    c = target(CONSTRUCTED / "vllm-0.8.4-eagle.log").sources[0].counts
    assert (c.accepted_tokens, c.draft_tokens, c.drafts, c.drafts_from, c.accepted_per_position) == (
        105, 300, 100, "drafted/k", None)


def test_data_parallel_per_engine_log_and_metrics_agree(dp2_run_dir: Path) -> None:
    t = target(dp2_run_dir)
    assert t.primary == "metrics_delta"
    delta, log = t.source("metrics_delta"), t.source("log:0")
    assert delta is not None and log is not None
    # engine 0: 10 drafts, 7+5+2 = 14 accepted of 30; engine 1: 20 drafts, 10+4+1 = 15 of 60
    assert {e: (c.drafts, c.accepted_tokens, c.draft_tokens) for e, c in log.per_engine.items()} == {
        "0": (10, 14, 30), "1": (20, 15, 60)}
    assert {e: (c.drafts, c.accepted_tokens) for e, c in delta.per_engine.items()} == {"0": (10, 14), "1": (20, 15)}
    assert delta.counts.accepted_per_position == [17, 9, 3]  # 7+10, 5+4, 2+1
    assert t.agreements[0].agree


def test_counter_reset_between_scrapes_is_reported(tmp_path: Path) -> None:
    before, after = tmp_path / "b.prom", tmp_path / "a.prom"
    shutil.copy(CONSTRUCTED / "vllm-dp2-metrics_after.prom", before)
    shutil.copy(CONSTRUCTED / "vllm-dp2-metrics_before.prom", after)  # counters went down to 0
    t = target(before, after)
    assert t.kind == "metrics_pair"
    assert "counter-reset" in [n.code for n in t.notices]


def test_stats_logging_disabled_is_explained() -> None:
    t = target(CONSTRUCTED / "vllm-stats-disabled.log")
    assert [n.code for n in t.notices] == ["stats-logging-disabled", "no-spec-data"]


def test_damaged_spec_line_is_counted_with_location(tmp_path: Path) -> None:
    log = write_log(tmp_path / "x.log", [
        "INFO 01-02 03:04:05 [metrics.py:1] SpecDecoding metrics: Accepted: 5 tokens, Drafted: 10 tokens",
        "INFO 01-02 03:04:15 [metrics.py:1] SpecDecoding metrics: Accepted: 5 tokens, Drafted: ten tokens",
    ])
    t = target(log)
    assert t.unparsed_spec_lines == 1
    assert t.first_unparsed == f"{log}:2: expected a non-negative integer for 'drafted', got 'ten tokens'"
    assert t.sources[0].counts.accepted_tokens == 5
