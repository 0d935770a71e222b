from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Counts, SourceResult, TargetReport, Window
from speclens.analyzers.acceptance.metrics import acceptance_metrics
from speclens.analyzers.render import RENDERERS
from speclens.analyzers.acceptance.sources import agreement_between

from tests.conftest import CONSTRUCTED, RECORDED, ROOT, SPEC_RUNS, write_log


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
    assert [n.code for n in t.notices if not n.code.startswith("trap-")] == ["no-spec-data"]  # traps: test_traps_*


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


# --- V0 logs ----------------------------------------------------------------------------------------

def test_v0_runs_pasted_into_one_file_are_two_segments() -> None:
    # run A (k=5): cumulative (accepted, draft, emitted) (1,5,1) (6,15,9) (20,40,28); run B pasted
    # after it without a startup line: (2,5,3) (9,20,13): the counters go down, so B is segment 1
    t = target(CONSTRUCTED / "vllm-v0-two-runs.log")
    a, b = t.source("log:0"), t.source("log:1")
    assert a is not None and b is not None
    # A: last − server start = 20 accepted, 40 draft tokens, 28 emitted, 40/5 = 8 drafts, 28/8 = 3.5
    assert (a.counts.accepted_tokens, a.counts.draft_tokens, a.counts.emitted_tokens, a.counts.drafts) == (20, 40, 28, 8)
    assert a.metrics.mean_acceptance_length == 3.5
    # B: 9 accepted, 20 draft tokens, 13 emitted, 20/5 = 4 drafts, 13/4 = 3.25; the primary (last lifetime)
    assert (b.counts.accepted_tokens, b.counts.draft_tokens, b.counts.emitted_tokens, b.counts.drafts) == (9, 20, 13, 4)
    assert b.metrics.mean_acceptance_length == 3.25 and t.primary == "log:1"
    assert t.segments[1].starts_because == "V0 counters went down" and t.segments[1].first_line == 9
    [reset] = [n for n in t.notices if n.code == "v0-counters-reset"]
    assert "segment 1 starts at line 9: from line 7 the cumulative counters went down (draft tokens 40 → 5" in reset.message


def test_v0_mean_acceptance_length_formula_and_k_are_stated() -> None:
    # one V0 line: k=4, accepted 12, draft tokens 20, emitted 15 -> 20/4 = 5 drafts; emitted/drafts = 15/5 = 3.0
    # (1 + accepted/drafts would be 1 + 12/5 = 3.4: V0's accepted also counts tokens after a rejection)
    t = target(CONSTRUCTED / "vllm-v0-old-labels.log")
    s = t.sources[0]
    assert (s.counts.k, s.counts.drafts, s.metrics.mean_acceptance_length) == (4, 5, 3.0)
    assert s.metrics.mean_acceptance_length_formula == "emitted_tokens / drafts"
    assert (t.segments[0].k, t.segments[0].k_from) == (4, "V0 spec lines")  # the segment line shows the table's k
    text = RENDERERS["text"](build_report([str(CONSTRUCTED / "vllm-v0-old-labels.log")], Window()))
    assert "method ?, k=4 (from the V0 spec lines)" in text and "k=n/a" not in text
    assert "mean acc. length of log:0 = emitted / drafts" in text


# --- /metrics pairs ---------------------------------------------------------------------------------

RUN_EVAL = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline"


def test_swapped_scrapes_are_detected_by_their_created_times() -> None:
    # given (after, before): every counter went down with identical _created times -> used the other way round
    t = target(RUN_EVAL / "metrics_after.prom", RUN_EVAL / "metrics_before.prom")
    delta = t.source("metrics_delta")
    assert delta is not None  # 186 - 0 drafts, 558 draft tokens, 340 accepted (156 + 101 + 83)
    assert (delta.counts.drafts, delta.counts.draft_tokens, delta.counts.accepted_tokens) == (186, 558, 340)
    assert [n.code for n in t.notices] == ["scrapes-swapped"]  # one notice, not six counter resets


def _scaled(text: str, factor: float, created_shift: float = 0.0) -> str:
    """The scrape with every spec counter times `factor` and every _created time moved by `created_shift`."""
    def line(m: re.Match[str]) -> str:
        value = float(m.group(2))
        return f"{m.group(1)} {value + created_shift if m.group(1).split('{')[0].endswith('_created') else value * factor}"
    return re.sub(r"^(vllm:spec_decode_num_\w+\{[^}]*\}) (\S+)$", line, text, flags=re.M)


def test_a_restart_between_scrapes_counts_only_the_later_lifetime(tmp_path: Path) -> None:
    # before: 186 drafts / 558 / 340; after: a new lifetime (_created 100 s later) that already counted
    # 2 x as much: after − before would say 186, but the counts since the restart are 372 / 1116 / 680
    after_text = (RUN_EVAL / "metrics_after.prom").read_text()
    before, after = tmp_path / "before.prom", tmp_path / "after.prom"
    before.write_text(after_text)
    after.write_text(_scaled(after_text, 2, 100.0))
    t = target(before, after)
    delta = t.source("metrics_delta")
    assert delta is not None and (delta.counts.drafts, delta.counts.draft_tokens, delta.counts.accepted_tokens) == (
        372, 1116, 680)
    assert [n.code for n in t.notices] == ["counter-reset"]


def test_incomplete_per_position_series_is_a_warning_not_a_smaller_k(tmp_path: Path) -> None:
    # the after-scrape lost position 2 (83 accepted): 156 + 101 = 257 != 340 accepted, and 558 draft
    # tokens / 186 drafts = 3 per draft > 2 series: k is not 2
    lines = [ln for ln in (RUN_EVAL / "metrics_after.prom").read_text().splitlines() if 'position="2"' not in ln]
    after = tmp_path / "after.prom"
    after.write_text("\n".join(lines) + "\n")
    shutil.copy(RUN_EVAL / "metrics_before.prom", tmp_path / "before.prom")
    t = target(tmp_path / "before.prom", after)
    delta = t.source("metrics_delta")
    assert delta is not None and delta.counts.k is None and delta.counts.accepted_per_position == [156, 101]
    [warning] = [n for n in t.notices if n.code == "per-position-series-incomplete"]
    assert "add up to 257, not to accepted tokens 340" in warning.message
    assert "558 draft tokens in 186 drafts is more than 2 per draft" in warning.message


# --- estimated and unknown drafts -------------------------------------------------------------------

def _v1_0_8_3(ts: str, accepted: int, drafted: int) -> str:
    return (f"INFO {ts} [loggers.py:87] SpecDecoding metrics: Draft acceptance rate: {accepted / drafted * 100:.1f}%, "
            f"Accepted: {accepted} tokens, Drafted: {drafted} tokens")


def test_estimated_drafts_show_their_range(tmp_path: Path) -> None:
    # ngram k=3, 0.8.3 format (no MAL, no per-position): Accepted 60 of Drafted 120 fits any d in
    # [120/3, 120] = [40, 120]; the estimate is 120/3 = 40; MAL range 1 + 60/120 = 1.5 .. 1 + 60/40 = 2.5
    log = write_log(tmp_path / "ngram.log", [
        "INFO 04-15 10:00:00 [core.py:58] Initializing a V1 LLM engine (v0.8.4) with config: model='m', "
        "speculative_config=SpeculativeConfig(method='ngram', model=None, num_spec_tokens=3), tokenizer='m'",
        _v1_0_8_3("04-15 10:00:40", 60, 120)])
    s = target(log).sources[0]
    assert (s.counts.drafts, s.counts.drafts_from, s.counts.drafts_range) == (40, "estimated", [40, 120])
    assert s.metrics.mean_acceptance_length_range == [1.5, 2.5]
    assert "40 (40–120)" in RENDERERS["text"](build_report([str(log)], Window()))


def test_unknown_k_gives_no_mean_acceptance_length(tmp_path: Path) -> None:
    # no startup line, no MAL, no per-position: drafts could be anything in 1..120; it used to be 120
    # (k = 1 silently: MAL 1 + 60/120 = 1.5)
    log = write_log(tmp_path / "bare.log", [_v1_0_8_3("04-15 10:00:40", 60, 120)])
    t = target(log)
    s = t.sources[0]
    assert (s.counts.k, s.counts.drafts, s.counts.drafts_from, s.metrics.mean_acceptance_length) == (
        None, None, "unavailable", None)
    assert "drafts-unknown" in [n.code for n in t.notices]


# --- output never shows None ------------------------------------------------------------------------

def test_no_python_none_in_any_text_output(tmp_path: Path) -> None:
    # the last spec line has no vLLM prefix (pasted raw): its time is unknown
    log = write_log(tmp_path / "mixed.log", [
        "INFO 01-02 03:04:05 [metrics.py:1] SpecDecoding metrics: Accepted: 5 tokens, Drafted: 10 tokens",
        "SpecDecoding metrics: Accepted: 7 tokens, Drafted: 10 tokens"])
    paths = [str(log), *(str(p) for p in sorted(CONSTRUCTED.glob("*.log"))), str(RUN_EVAL), str(RECORDED / "base-greedy")]
    for path in paths:
        report = build_report([path], Window())
        for fmt in ("text", "md", "csv"):
            assert "None" not in RENDERERS[fmt](report), (path, fmt)
    assert "lines 1–2, 01-02 03:04:05 → ?" in RENDERERS["text"](build_report([str(log)], Window()))


def test_json_carries_units_and_schema_3() -> None:
    report = build_report([str(RECORDED / "draft-greedy")], Window())
    data = json.loads(RENDERERS["json"](report))
    assert data["schema_version"] == 3  # 3 since inputs[].digest replaced inputs[].sha256
    assert data["units"]["metrics.draft_acceptance_rate"].startswith("fraction 0..1 (not percent)")
    assert data["units"]["metrics.per_position"].startswith("fraction 0..1 per position")
    assert data["targets"][0]["sources"][1]["metrics"]["mean_acceptance_length_formula"] == "1 + accepted_tokens / drafts"


def _source(source_id: str, **counts: object) -> SourceResult:
    c = Counts(**{"k": 3, "drafts": 10, "draft_tokens": 30, "accepted_tokens": 9, **counts})  # type: ignore[arg-type]
    return SourceResult(id=source_id, kind="metrics_delta", scope="", files=[], counts=c, metrics=acceptance_metrics(c))


def test_agreement_between_compares_what_both_sources_have() -> None:
    a = _source("a", accepted_per_position=[5, 3], emitted_tokens=19)
    b = _source("b", drafts=None, accepted_per_position=[5, 3, 1], emitted_tokens=20)
    agreement = agreement_between(a, b)
    # accepted 9 - 9 = 0, draft tokens 30 - 30 = 0; drafts unknown in b: not compared; per-position
    # [5, 3, 0] (padded) against [5, 3, 1]: position 2 differs by 1; emitted tokens are not compared
    assert (agreement.accepted_tokens_diff, agreement.draft_tokens_diff, agreement.drafts_diff) == (0, 0, None)
    assert (agreement.per_position_diff, agreement.agree) == ([0, 0, 1], False)
    same = agreement_between(a, _source("c", drafts=None, accepted_per_position=None, emitted_tokens=0))
    assert (same.drafts_diff, same.per_position_diff, same.agree) == (None, None, True)  # emitted 19 vs 0: ignored


def test_acceptance_runs_the_anomaly_checks(tmp_path) -> None:  # noqa: ANN001
    # three V1 intervals, k = 3: the first has mean acceptance length 1 + 10/30 = 1.33, the others
    # 1 + 60/30 = 3.0 each; 1.33 is 56% below their mean 3.0 (> 25%): the warm-up notice fires
    from speclens.analyzers.acceptance.report import build_report
    from speclens.analyzers.acceptance.models import Window

    line = ("INFO 01-02 03:04:{s:02d} [metrics.py:1] SpecDecoding metrics: Mean acceptance length: {mal}, "
            "Accepted throughput: 1.00 tokens/s, Drafted throughput: 9.00 tokens/s, Accepted: {a} tokens, "
            "Drafted: 90 tokens, Per-position acceptance rate: {pp}, Avg Draft acceptance rate: {r}%")
    log = tmp_path / "vllm.log"
    log.write_text("\n".join([
        "INFO 01-02 03:04:00 [core.py:1] Initializing a V1 LLM engine (v0.32.0) with config: model='m', "
        "speculative_config=SpeculativeConfig(method='eagle3', model='d', num_spec_tokens=3), tokenizer='m'",
        line.format(s=10, mal="1.33", a=10, pp="0.200, 0.100, 0.033", r="11.1"),
        line.format(s=20, mal="3.00", a=60, pp="1.000, 0.667, 0.333", r="66.7"),
        line.format(s=30, mal="3.00", a=60, pp="1.000, 0.667, 0.333", r="66.7"),
    ]) + "\n")
    target = build_report([str(log)], Window()).targets[0]
    assert [n.code for n in target.notices if n.code == "warmup-interval"] == ["warmup-interval"]
