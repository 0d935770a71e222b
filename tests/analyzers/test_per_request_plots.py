"""PNG plots of the per-request section in `speclens report`: by prompt length, output length,
output position (only binnings with at least two bins) and the pooled histogram P(j accepted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from speclens.analyzers.acceptance.per_request import per_request_section
from speclens.analyzers.render.per_request_plots import per_request_plots
from tests.analyzers.test_per_request_math import spec, spec_set
from tests.conftest import ROOT
from tests.test_cli import run

pytest.importorskip("matplotlib")
PNG = b"\x89PNG\r\n\x1a\n"
DETAILED = ROOT / "fixtures" / "recorded" / "per-request" / "detailed-c2"  # 12 requests, one prompt/output length


def _varied():  # noqa: ANN202
    short = [spec(f"s{i}", (0, 0, 1, 2), prompt=100 + i, output=300 + i, per_step=(2, 3, 3)) for i in range(5)]
    long = [spec(f"l{i}", (3, 2, 0, 0), prompt=2000 + i, output=20 + i) for i in range(5)]
    return per_request_section(spec_set(short + long))


def test_every_plot_with_data_is_listed_and_written(tmp_path: Path) -> None:
    plots = per_request_plots(_varied())
    # prompt: bins 100–104 and 2000–2004; output: 20–24 and 300–304; position: only s* carry per-step
    # arrays, 3 steps at positions 0, 3, 7 (all in band 0–255): one band, no plot
    assert [name for _, name, _ in plots] == ["per-request-by-prompt-length.png", "per-request-by-output-length.png",
                                             "per-request-histogram.png"]
    for _, name, write in plots:
        assert write(str(tmp_path / name)) == name
        assert (tmp_path / name).read_bytes().startswith(PNG)


def test_no_data_no_plot() -> None:
    assert per_request_plots(None) == []
    assert per_request_plots(per_request_section(spec_set([], seen=3))) == []  # no records: no summary


def test_report_links_the_histogram_of_a_real_run(tmp_path: Path) -> None:
    # the recorded run has one prompt length (84) and one output length (128): one bin each, so only the
    # histogram (540 steps) is drawn, linked from report.md like the other plots
    out = tmp_path / "report.md"
    proc = run("report", str(DETAILED), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    png = tmp_path / "report_plots" / "per-request-histogram.png"
    assert png.read_bytes().startswith(PNG)
    text = out.read_text(encoding="utf-8")
    assert "![pooled acceptance histogram P(j accepted)](report_plots/per-request-histogram.png)" in text
    assert "by-prompt-length" not in text


def test_a_run_without_per_request_data_draws_none(tmp_path: Path) -> None:
    run_dir = tmp_path / "draft-c4"
    shutil.copytree(ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4", run_dir)
    proc = run("report", str(run_dir), "-o", str(tmp_path / "report.md"))
    assert proc.returncode == 0, proc.stderr
    assert not list((tmp_path / "report_plots").glob("per-request-*"))
