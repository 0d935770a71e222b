"""--since/--until: accepted forms, the pair check, and where a bound lands on each log's span."""

from __future__ import annotations

from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import TargetReport, Window
from speclens.analyzers.log.window import (
    FORMS,
    YEAR_SECONDS,
    Anchor,
    LogWindow,
    parse_bound,
    parse_run_time,
    parse_window,
    window_length,
)
from speclens.parsers.timestamps import seconds_in_year

from tests.conftest import CONSTRUCTED, RECORDED, write_log

DRAFT_LOG = RECORDED / "draft-greedy" / "vllm_server.log"  # spec lines 21:52:53, 21:53:03, 21:53:13
DAY = 86400


def target(path: Path, **window: object) -> TargetReport:
    return build_report([str(path)], Window(**window)).targets[0]  # type: ignore[arg-type]


# --- forms ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "year", "offset"), [
    ("11-22 22:45:04", None, None),
    ("2026-11-22T22:45:04Z", 2026, 0),
    ("2026-11-22 22:45:04", 2026, None),
    ("2026-11-22T22:45:04.250+01:00", 2026, 60),
    ("2026-11-22T22:45:04-0530", 2026, -330),
    ("2026-11-22 22:45", 2026, None),
])
def test_accepted_forms(text: str, year: int | None, offset: int | None) -> None:
    bound = parse_bound("--since", text)
    assert (bound.month, bound.day, bound.year, bound.offset_minutes) == (11, 22, year, offset)
    assert bound.clock[:2] == (22, 45)


@pytest.mark.parametrize("text", ["yesterday", "22:45:04", "11/22 22:45:04", "2026-11-22", "11-22 22:45"])
def test_unreadable_bound_names_the_forms(text: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_window(text, None, 0)
    assert str(err.value) == f"--since {text!r}: {FORMS}"


def test_impossible_dates_are_refused() -> None:
    with pytest.raises(ValueError, match=r"--until '02-30 10:00:00': not a valid date and time"):
        parse_window(None, "02-30 10:00:00", 0)
    with pytest.raises(ValueError, match="not a valid date"):
        parse_window("2027-02-29 10:00:00", None, 0)  # 2027 is not a leap year
    assert parse_window("02-29 10:00:00", None, 0).since == "02-29 10:00:00"  # year-less: Feb 29 exists


def test_since_after_until_is_refused() -> None:
    with pytest.raises(ValueError, match=r"--since '11-22 21:54:00' is after --until '11-22 21:53:03'"):
        parse_window("11-22 21:54:00", "11-22 21:53:03", 0)
    with pytest.raises(ValueError, match="is after --until"):
        parse_window("2026-11-22T22:00:00Z", "2026-11-22T21:59:59Z", 0)
    # with offsets both are instants: 22:00+01:00 is 21:00Z, before 21:30Z
    assert parse_window("2026-11-22T22:00:00+01:00", "2026-11-22T21:30:00Z", 0).until == "2026-11-22T21:30:00Z"


def test_a_year_less_pair_may_cross_new_year() -> None:
    since, until = parse_bound("--since", "12-31 23:00:00"), parse_bound("--until", "01-01 01:00:00")
    assert window_length(since, until) == 2 * 3600  # 1 h to midnight + 1 h
    # 07-20 is day 201 (0-based: 31+29+31+30+31+30 = 182 days before July, + 19): 01-01 is 201 days
    # back, more than the 180-day rollover, so it is next year's: 366 - 201 = 165 days later
    assert window_length(parse_bound("--since", "07-20 00:00:00"), parse_bound("--until", "01-01 00:00:00")) == \
        (366 - 201) * DAY


def test_skip_first_and_segment_are_checked() -> None:
    with pytest.raises(ValueError, match="--skip-first -1"):
        parse_window(None, None, -1)
    assert parse_window(None, None, 0, "all").segment == "all"
    assert parse_window(None, None, 0, "2").segment == 2
    with pytest.raises(ValueError, match="--segment 'last'"):
        parse_window(None, None, 0, "last")


# --- placement on a log -----------------------------------------------------------------------------

def test_since_a_minute_before_the_first_line_keeps_everything() -> None:
    # first timestamped marker line 21:51:34; 21:50:00 is 94 s before it, not 366 days after
    t = target(DRAFT_LOG, since="11-22 21:50:00")
    log = t.source("log:0")
    assert log is not None and (log.counts.accepted_tokens, log.counts.draft_tokens) == (1337, 3726)
    assert t.log_window is not None and t.log_window.since_relation == "before the log"


def test_until_before_the_first_line_keeps_nothing_and_says_why() -> None:
    t = target(DRAFT_LOG, until="11-22 21:50:00")
    assert t.sources == []
    [notice] = [n for n in t.notices if n.code == "window-removed-all"]
    assert "the log has 3 spec-metrics line(s) in 1 server lifetime(s) and none is left" in notice.message
    assert "--until '11-22 21:50:00' (placed at 11-22 21:50:00, before the log's earliest line) removed 3" in notice.message
    assert "no-spec-data" not in [n.code for n in t.notices]


def test_skip_first_removing_everything_is_said_exactly() -> None:
    t = target(DRAFT_LOG, skip_first=5)
    [notice] = [n for n in t.notices if n.code == "window-removed-all"]
    assert "the log has 3 spec-metrics line(s)" in notice.message and "--skip-first 5 removed 3" in notice.message


def test_iso_bounds_compare_the_wall_clock_digits() -> None:
    # 21:53:00 .. 21:53:03 keeps the 21:53:03 interval: 474 accepted of 1515, 1515/3 = 505 drafts
    t = target(DRAFT_LOG, since="2026-11-22T21:53:00Z", until="2026-11-22 21:53:03")
    log = t.source("log:0")
    assert log is not None and (log.counts.accepted_tokens, log.counts.draft_tokens, log.counts.drafts) == (474, 1515, 505)
    assert any("year and UTC offset are not used" in n.message for n in t.notices if n.code == "window-placement")


def test_a_reversed_window_is_an_error_even_without_the_cli() -> None:
    with pytest.raises(ValueError, match="is after --until"):
        target(DRAFT_LOG, since="11-22 21:53:10", until="11-22 21:53:00")


def test_bounds_around_new_year_on_the_rollover_log() -> None:
    # log 12-31 23:58 -> 01-01 00:10:30; segment 0: 12-31 23:59:50 (6+3 of 18), 01-01 00:00:00 (10+5 of 36)
    t = target(CONSTRUCTED / "vllm-restart-newyear.log", since="12-31 23:59:00", until="01-01 00:05:00")
    s0 = t.source("log:0")
    assert s0 is not None and (s0.counts.accepted_tokens, s0.counts.draft_tokens) == (24, 54)  # 9 + 15, 18 + 36
    assert t.source("log:1") is None  # 01-01 00:10:30 is after the until


def test_each_log_is_placed_on_its_own_span() -> None:
    # 12-31 23:59:00: inside the new-year log, but 39 days after the November log (nearer than 327 days before)
    report = build_report([str(DRAFT_LOG), str(CONSTRUCTED / "vllm-restart-newyear.log")], Window(since="12-31 23:59:00"))
    november, newyear = report.targets
    assert november.sources == [] and november.log_window is not None
    assert november.log_window.since_relation == "after the log"
    assert [s.id for s in newyear.sources] == ["log:0", "log:1"]


def _year_log(tmp_path: Path) -> Path:
    line = "INFO {} [metrics.py:1] SpecDecoding metrics: Accepted: {} tokens, Drafted: 10 tokens"
    return write_log(tmp_path / "year.log", [line.format("01-10 00:00:00", 1), line.format("06-01 00:00:00", 2),
                                             line.format("12-31 23:00:00", 4)])


def test_a_bound_is_placed_nearest_the_whole_span_not_the_first_line(tmp_path: Path) -> None:
    # log 01-10 00:00 -> 12-31 23:00. --since 01-05: this year's is 5 days before the first line,
    # next year's 4 days 1 hour after the last: the later one is nearer, so everything is before it
    # (the three lines are first taken while only the start is known, then given back).
    log = _year_log(tmp_path)
    t = target(log, since="01-05 00:00:00")
    assert t.sources == [] and t.log_window is not None and t.log_window.since_relation == "after the log"
    assert "--since '01-05 00:00:00' (placed at 01-05 00:00:00, after the log's latest line) removed 3" in \
        next(n.message for n in t.notices if n.code == "window-removed-all")
    # --since 01-07: 3 days before the start against 6 days 1 hour after the end: before the start
    kept = target(log, since="01-07 00:00:00").source("log:0")
    assert kept is not None and kept.counts.accepted_tokens == 1 + 2 + 4


def test_an_until_inside_a_long_log_cuts_its_end(tmp_path: Path) -> None:
    # --until 12-31 00:00 on the log 01-10 -> 12-31 23:00: that day of the log's own year is inside the
    # span (not the one 366 days earlier, 10 days before the start), so it keeps 1 + 2 and cuts the 4
    t = target(_year_log(tmp_path), until="12-31 00:00:00")
    log = t.source("log:0")
    assert log is not None and log.counts.accepted_tokens == 3 and log.log is not None
    assert log.log.intervals_after_window == 1


def test_log_window_placement_arithmetic() -> None:
    # first line at 01-10 00:00 (day 9) of year 0; --since 01-05 (day 4): early = day 4 of year 0,
    # late = day 4 of year 1 = 366 + 4. late is nearer once latest > 2*late - first - year
    # = 2*370 - 9 - 366 = day 365 (then late - latest < first - early = 5 days)
    w = LogWindow(Window(since="01-05 00:00:00"))
    w.begin(9 * DAY)
    assert (w.since, w.pending) == (4 * DAY, True)
    assert w.see(365 * DAY) is None  # exactly the threshold: the tie goes to the earlier occurrence
    assert w.see(365 * DAY + 1) == "since" and w.since == YEAR_SECONDS + 4 * DAY and not w.pending


def test_anchored_iso_bound_lands_in_its_own_year() -> None:
    # run.json: the run started 2026-12-31 23:50 (+0000); the log's first line 12-31 23:55 is in 2026 (nearest).
    # 2027-01-01T00:05:00Z is the log's second year: 366 days + 300 s (its key on the log clock)
    anchor = Anchor(parse_run_time("2026-12-31T23:50:00+0000"))  # type: ignore[arg-type]
    w = LogWindow(Window(since="2027-01-01T00:05:00Z"), anchor)
    first = seconds_in_year("12-31 23:55:00")
    w.begin(first)  # type: ignore[arg-type]
    assert (w.since, w.pending, w.notes) == (YEAR_SECONDS + 300, False, [])
    # +01:00 is an hour ahead of the run's +0000: 2027-01-01T01:05:00+01:00 is the same instant
    w = LogWindow(Window(since="2027-01-01T01:05:00+01:00"), anchor)
    w.begin(first)  # type: ignore[arg-type]
    assert w.since == YEAR_SECONDS + 300
    # a first line on 10-27 is 65 days before the run's start: 2026
    assert anchor.first_line_year(seconds_in_year("10-27 00:00:00")) == 2026  # type: ignore[arg-type]
    # ... but one in early January is the next year's: 01-02 is 364 days before 12-31, 2 days after
    assert anchor.first_line_year(seconds_in_year("01-02 00:00:00")) == 2027  # type: ignore[arg-type]
