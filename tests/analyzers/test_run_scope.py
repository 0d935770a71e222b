"""A run directory's log is scoped to the run's own window (run.json), so a cumulative log (the
server served earlier traffic) agrees with the /metrics delta; --since/--until override it and
the agreement table then says what makes the difference."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import TargetReport, Window
from speclens.analyzers.render import RENDERERS

from tests.conftest import ROOT

RUN = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline"


def _earlier(line: str) -> str:
    """The line 20 s earlier: 23:56:07 -> 23:55:47 (the run's intervals are at 23:56:07/09/11)."""
    return re.sub(r"11-22 23:56:(\d\d)", lambda m: f"11-22 23:55:{int(m.group(1)) + 40:02d}", line)


@pytest.fixture
def cumulative_run(tmp_path: Path) -> Path:
    """The recorded run, but its server first served the same traffic 20 s earlier (3 intervals
    right after startup, before the metrics-before step at 23:55:55); the scrapes then read
    (186, 558, 340) before and twice that after, so their delta is the run's 186 / 558 / 340."""
    run = tmp_path / "run"
    run.mkdir()
    lines = (RUN / "vllm_server.log").read_bytes().decode().rstrip("\n").split("\n")  # some lines hold a \r
    started = next(i for i, line in enumerate(lines) if "Starting vLLM server" in line)
    traffic = [_earlier(line) for line in lines if ("SpecDecoding metrics:" in line or "Engine 000:" in line)
               and re.search(r"23:56:(0\d|1[01])", line)]
    (run / "vllm_server.log").write_bytes(("\n".join(lines[:started + 1] + traffic + lines[started + 1:]) + "\n").encode())
    after = (RUN / "metrics_after.prom").read_text()
    (run / "metrics_before.prom").write_text(after)
    doubled = re.sub(r"^(vllm:spec_decode_num_\w+_total\{[^}]*\}) (\S+)$",
                     lambda m: f"{m.group(1)} {float(m.group(2)) * 2}", after, flags=re.M)
    (run / "metrics_after.prom").write_text(doubled)
    manifest = json.loads((RUN / "run.json").read_text())
    for step in manifest["steps"]:
        if step["name"] == "metrics-before":
            step["started_at"] = step["ended_at"] = "2026-11-22T23:55:55+0000"
        if step["name"] == "metrics-after":
            step["started_at"], step["ended_at"] = "2026-11-22T23:56:23+0000", "2026-11-22T23:56:24+0000"
    (run / "run.json").write_text(json.dumps(manifest))
    return run


def target(run: Path, **window: object) -> TargetReport:
    return build_report([str(run)], Window(**window)).targets[0]  # type: ignore[arg-type]


def test_cumulative_log_is_scoped_to_the_run_and_agrees(cumulative_run: Path) -> None:
    t = target(cumulative_run)
    log, delta = t.source("log:0"), t.source("metrics_delta")
    assert log is not None and delta is not None and log.log is not None
    # only the 3 intervals at 23:56:07/09/11: 99+180+61 = 340 accepted of 177+279+102 = 558, 558/3 = 186 drafts
    assert (log.counts.accepted_tokens, log.counts.draft_tokens, log.counts.drafts) == (340, 558, 186)
    assert (log.log.intervals_used, log.log.intervals_before_window) == (3, 3)
    assert t.agreements[0].agree
    assert t.log_window is not None and (t.log_window.origin, t.log_window.since) == ("run.json", "2026-11-22T23:55:55+0000")
    [scoped] = [n for n in t.notices if n.code == "run-scoped"]
    assert "3 spec-metrics line(s) outside this run (3 before it began, 0 after it ended)" in scoped.message
    assert "run.json steps metrics-before → metrics-after" in scoped.message


def test_explicit_window_overrides_and_the_difference_is_explained(cumulative_run: Path) -> None:
    t = target(cumulative_run, since="11-22 23:55:00")
    log = t.source("log:0")
    assert log is not None and (log.counts.accepted_tokens, log.counts.draft_tokens) == (680, 1116)  # 2 x 340, 2 x 558
    [agreement] = t.agreements
    assert (agreement.agree, agreement.accepted_tokens_diff, agreement.draft_tokens_diff) == (False, 340, 558)
    # the 6 copied lines (stats, spec) x 3 follow "Starting vLLM server" (line 107): spec lines 109, 111, 113
    assert "the log source holds 3 interval(s) from before the run began (lines 109–113)" in agreement.note
    text = RENDERERS["text"](build_report([str(cumulative_run)], Window(since="11-22 23:55:00")))
    assert "from before the run began" in text


def test_iso_bound_with_offset_uses_the_runs_offset(cumulative_run: Path) -> None:
    # run.json says +0000; 2026-11-23T00:55:55+01:00 is 23:55:55 there: the run's 3 intervals only
    log = target(cumulative_run, since="2026-11-23T00:55:55+01:00").source("log:0")
    assert log is not None and log.counts.accepted_tokens == 340
    # a plain log has no anchor: the digits 11-23 00:55:55 are compared, after every line: nothing left
    alone = build_report([str(cumulative_run / "vllm_server.log")], Window(since="2026-11-23T00:55:55+01:00")).targets[0]
    assert alone.sources == [] and "window-removed-all" in [n.code for n in alone.notices]


def test_old_run_dir_falls_back_to_the_runs_start_and_end(tmp_path: Path) -> None:
    # the recorded run.json has no per-step times: the window is started_at .. ended_at, which holds the whole log
    t = target(RUN)
    assert t.log_window is not None and (t.log_window.since, t.log_window.until) == (
        "2026-11-22T23:54:22+0000", "2026-11-22T23:58:28+0000")
    assert t.agreements[0].agree and "run-scoped" not in [n.code for n in t.notices]
    # a run.json that cannot be read leaves the log unscoped
    copy = tmp_path / "copy"
    shutil.copytree(RUN, copy, ignore=shutil.ignore_patterns("baseline"))
    (copy / "run.json").write_text("{not json")
    unscoped = target(copy)
    assert unscoped.log_window is None and "run-json-unusable" in [n.code for n in unscoped.notices]


def test_legacy_layout_of_a_cumulative_run_is_the_runs_slice(cumulative_run: Path) -> None:
    text = RENDERERS["legacy"](build_report([str(cumulative_run)], Window()))
    first, *_ = text.splitlines()
    assert first.startswith(f"# {cumulative_run}: log segment 0, 3 intervals") and "within the run's window" in first
    assert "3 spec line(s) of this segment left out (0 by --skip-first, 3 by the time window)" in first
    assert "Total samples: 3\nTotal drafted tokens: 558\nAverage drafted tokens: 186.00\n" in text
