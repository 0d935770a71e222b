"""--since/--until on a log whose lines are not in time order (several processes writing one file):
each line is placed by its own time, a bound by the log's true earliest and latest stamps, and the
span reported is earliest → latest, not the first line's stamp."""

from __future__ import annotations

from pathlib import Path

from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import TargetReport, Window
from speclens.analyzers.render import RENDERERS
from speclens.analyzers.log.window import YEAR_SECONDS, LogWindow
from speclens.parsers.timestamps import seconds_in_year

from tests.conftest import CONSTRUCTED, write_log

LINE = ("(APIServer pid=1) INFO 06-18 {time} [metrics.py:120] SpecDecoding metrics: Mean acceptance length: {mal}, "
        "Accepted throughput: 1.00 tokens/s, Drafted throughput: 1.00 tokens/s, Accepted: {acc} tokens, "
        "Drafted: 30 tokens, Per-position acceptance rate: {pp}, Avg Draft acceptance rate: {rate}%")
# k = 3, Drafted 30 each; accepted 20, 10, 5 (rates: 0.8+0.7+0.5 = 2.0 per draft x 10 drafts = 20, ...)
A = LINE.format(time="17:27:38", mal="3.00", acc=20, pp="0.800, 0.700, 0.500", rate="66.7")
B = LINE.format(time="17:27:40", mal="2.00", acc=10, pp="0.500, 0.300, 0.200", rate="33.3")
C = LINE.format(time="17:27:18", mal="1.50", acc=5, pp="0.300, 0.100, 0.100", rate="16.7")  # written late


def target(path: Path, **window: object) -> TargetReport:
    return build_report([str(path)], Window(**window)).targets[0]  # type: ignore[arg-type]


def test_until_before_the_first_line_keeps_the_earlier_line_written_later(tmp_path: Path) -> None:
    # the log: first line 17:27:38, third 17:27:18. --until 17:27:30 is inside the log's true span
    # 17:27:18 -> 17:27:40, so it keeps C (accepted 5 of 30) and leaves A and B after it
    t = target(write_log(tmp_path / "ooo.log", [A, B, C]), until="06-18 17:27:30")
    log = t.source("log:0")
    assert log is not None and (log.counts.accepted_tokens, log.counts.draft_tokens) == (5, 30)
    assert log.log is not None and (log.log.intervals_used, log.log.intervals_after_window) == (1, 2)
    w = t.log_window
    assert w is not None and (w.until_on_log, w.until_relation) == ("06-18 17:27:30", "inside the log")
    assert (w.log_first_time, w.log_latest_time) == ("06-18 17:27:18", "06-18 17:27:40")
    assert "no-spec-data" not in [n.code for n in t.notices] and "window-removed-all" not in [n.code for n in t.notices]


def test_since_between_the_stamps_leaves_out_the_earlier_line(tmp_path: Path) -> None:
    # --since 17:27:30 keeps A and B (accepted 20 + 10 = 30 of 60), C (17:27:18) is before it
    t = target(write_log(tmp_path / "ooo.log", [A, B, C]), since="06-18 17:27:30")
    log = t.source("log:0")
    assert log is not None and (log.counts.accepted_tokens, log.counts.draft_tokens) == (30, 60)
    assert log.log is not None and log.log.intervals_before_window == 1
    assert t.log_window is not None and t.log_window.since_relation == "inside the log"


def test_the_span_and_the_scope_say_earliest_to_latest(tmp_path: Path) -> None:
    log = write_log(tmp_path / "ooo.log", [A, C])  # 17:27:38, then 17:27:18
    text = RENDERERS["text"](build_report([str(log)], Window(since="06-18 17:27:00")))
    assert "run 06-18 17:27:18 → 06-18 17:27:38." in text
    assert "lines 1–2, 06-18 17:27:18 → 06-18 17:27:38)" in text  # the source's scope: its lines' time range
    # a window before all of it still names the true span
    none = target(log, until="06-18 17:27:10")
    [notice] = [n for n in none.notices if n.code == "window-removed-all"]
    assert "before the log's earliest line" in notice.message
    assert "run 06-18 17:27:18 → 06-18 17:27:38" in notice.message


def test_an_until_before_everything_read_so_far_gives_it_all_back_as_after() -> None:
    # first line 06-18 17:27:38 (key f). --until 17:27:30: this year's occurrence f - 8 is before the first
    # line, so until stays provisional at next year's (f - 8 + year), taking everything. A line at
    # f - 20 puts this year's occurrence inside the span: until lands there, and what was taken so far
    # (all later than it) is after the window: see() says "until"
    f = seconds_in_year("06-18 17:27:38")
    assert f is not None
    w = LogWindow(Window(until="06-18 17:27:30"))
    w.begin(f)
    assert (w.until, w.pending) == (f - 8 + YEAR_SECONDS, True)
    assert w.see(f + 2) is None and w.until == f - 8 + YEAR_SECONDS
    assert w.see(f - 20) == "until" and (w.until, w.pending) == (f - 8, False)
    assert (w.earliest, w.latest, w.first_key) == (f - 20, f + 2, f)
    assert w.relation(w.until) == "inside the log"


def test_a_since_reached_by_an_earlier_line_is_settled_without_moving() -> None:
    # --since 17:27:30 is 8 s before the first line: this year's occurrence, provisional. A line at
    # f - 20 puts it inside the span: settled there (nothing read so far changes side)
    f = seconds_in_year("06-18 17:27:38")
    assert f is not None
    w = LogWindow(Window(since="06-18 17:27:30"))
    w.begin(f)
    assert (w.since, w.pending) == (f - 8, True)
    assert w.see(f - 20) is None and (w.since, w.pending) == (f - 8, False)


def test_in_order_and_rollover_logs_place_as_before() -> None:
    # the new-year log (in order): --since 12-31 23:59:00 .. --until 01-01 00:05:00 keeps 9 + 15 of segment 0
    t = target(CONSTRUCTED / "vllm-restart-newyear.log", since="12-31 23:59:00", until="01-01 00:05:00")
    s0 = t.source("log:0")
    assert s0 is not None and s0.counts.accepted_tokens == 24
    assert t.log_window is not None and t.log_window.log_first_time == "12-31 23:58:00"
