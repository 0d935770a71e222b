"""Metrics lines without a timestamp under a time window: left out, counted, and said once."""

from __future__ import annotations

from pathlib import Path

from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window

SPEC = ("SpecDecoding metrics: Mean acceptance length: 2.20, Accepted throughput: 1.20 tokens/s, Drafted throughput: "
        "2.00 tokens/s, Accepted: 12 tokens, Drafted: 20 tokens, Per-position acceptance rate: 0.800, 0.400, "
        "Avg Draft acceptance rate: 60.0%")
DIFFUSION = ("DiffusionDecoding metrics: Committed token throughput: 4.80 tokens/s, Mean denoising steps per canvas: "
             "2.50, Mean tokens committed per denoising step: 1.60, Committed: 48 tokens, Denoising steps: 30, Canvas "
             "positions evaluated: 120")


def test_untimed_spec_and_diffusion_lines_are_named_in_one_notice(tmp_path: Path) -> None:
    log = tmp_path / "vllm_server.log"
    log.write_text("\n".join([
        f"INFO 06-01 12:00:10 [metrics.py:101] {SPEC}",
        SPEC,  # no timestamp: cannot be placed in the window
        DIFFUSION,  # nor this one
        "",
    ]))
    report = build_report([str(log)], Window(since="06-01 12:00:00"))
    notices = [n for t in report.targets for n in t.notices] + list(getattr(report, "notices", []))
    [untimed] = [n for n in notices if n.code == "untimed-lines"]
    # 1 spec + 1 diffusion line without a timestamp = 2
    assert untimed.message == ("2 metrics line(s) (SpecDecoding / DiffusionDecoding) without a timestamp were left "
                               "out of the time window")
