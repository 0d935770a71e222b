from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.models import (
    Counts,
    FirstInterval,
    LogDetail,
    Metrics,
    SourceResult,
)
from speclens.analyzers.acceptance.advice import advise, cost_ratio_from_pair, expected_acceptance_length
from speclens.analyzers.acceptance.anomalies import check_source
from speclens.analyzers.run_dir_report import write_run_report

from tests.conftest import RECORDED


def test_expected_acceptance_length_from_conditional_rates() -> None:
    # c = [0.8, 0.5]: k=1: 1 + 0.8 = 1.8; k=2: 1 + 0.8 + 0.8*0.5 = 2.2; k=3 reuses 0.5: 2.2 + 0.4*0.5 = 2.4
    assert [expected_acceptance_length([0.8, 0.5], k) for k in (1, 2, 3)] == pytest.approx([1.8, 2.2, 2.4])


def test_cost_ratio_from_paired_tpot() -> None:
    # per-step time 5 ms * MAL 3 = 15 ms vs 10 ms target step: (15/10 - 1)/k=2 = 0.25
    assert cost_ratio_from_pair(5.0, 10.0, 3.0, 2) == pytest.approx(0.25)
    assert cost_ratio_from_pair(2.0, 10.0, 3.0, 2) == 0.0  # faster than possible: clamped


def test_advise_picks_the_k_with_the_highest_modeled_speedup() -> None:
    # c = [0.8, 0.5], cost 0.25: k=1: 1.8/1.25 = 1.44; k=2: 2.2/1.5 = 1.4667; k=3: 2.4/1.75 = 1.371
    advice = advise([0.8, 0.5], 2, 0.25, "test", max_k=3)
    assert advice is not None
    assert [round(r.modeled_speedup or 0, 4) for r in advice.rows] == [1.44, 1.4667, 1.3714]
    assert advice.recommended_k == 2
    assert advise([0.8, None], 2, 0.25, "test") is None  # an undefined rate gives no advice


def source(mal: float, k: int, pp: list[float], series: list[float] | None = None) -> SourceResult:
    """A source whose log intervals had the mean acceptance lengths `series` (as the fold sums them:
    the first one, and the unweighted mean of the rest)."""
    head = FirstInterval(first_mean_acceptance_length=series[0], rest_mean=sum(series[1:]) / len(series[1:]),
                         intervals=len(series)) if series else None
    log = LogDetail(segment=0, formats=[], intervals_used=len(series or []), intervals_skipped_warmup=0,
                    intervals_outside_window=0, first_line=None, last_line=None, first_time=None, last_time=None,
                    first_interval=head) if series else None
    return SourceResult(id="s", kind="log_intervals", scope="", files=[], counts=Counts(
        k=k, drafts=1, draft_tokens=k, accepted_tokens=0), metrics=Metrics(
        mean_acceptance_length=mal, draft_acceptance_rate=None, per_position=pp, conditional=None), log=log)


def test_anomalies() -> None:
    codes = [n.code for n in check_source(source(4.5, 3, [0.5, 0.6, 0.2]))]
    assert codes == ["acceptance-length-out-of-range", "per-position-increasing"]  # 4.5 > k+1 = 4; 0.6 > 0.5
    # first interval 1.2 vs the rest's mean (2.0+2.2)/2 = 2.1: 43% away > 25%
    assert [n.code for n in check_source(source(2.0, 3, [0.5, 0.3, 0.2], [1.2, 2.0, 2.2]))] == ["warmup-interval"]
    assert check_source(source(2.0, 3, [0.5, 0.3, 0.2], [2.0, 2.0, 2.2])) == []


def test_report_writes_markdown_and_plots(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(RECORDED / "ngram-greedy", run)
    shutil.copytree(RECORDED / "base-greedy", run / "baseline")
    written = write_run_report(str(run), str(run / "report.md"), None)
    assert [Path(p).name for p in written] == ["report.md", "positions.png", "intervals.png", "speedup.png", "advice.png"]
    text = (run / "report.md").read_text()
    assert "![speedup vs load](report_plots/speedup.png)" in text and "## Advice on k" in text
    assert all(Path(p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written[1:])


def test_report_names_a_corrupt_run_json(tmp_path: Path) -> None:
    # as `speclens acceptance` does: the log and scrape still count, run.json's window and
    # temperature do not, and the report says so
    run = tmp_path / "run"
    shutil.copytree(RECORDED / "ngram-greedy", run)
    (run / "run.json").write_text('{"config": {"temperature": \n')
    write_run_report(str(run), str(run / "report.md"), None)
    text = (run / "report.md").read_text()
    assert "run-json-unusable" in text and "run.json is unreadable" in text
