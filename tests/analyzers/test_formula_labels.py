"""Wherever a mean acceptance length is printed, the formula said with it is the one that produced it
for that source: emitted / drafts for V0 sources, 1 + accepted / drafts for V1 ones (one owner:
analyzers.acceptance.mal_formula)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.mal_formula import MAL_V0, MAL_V1
from speclens.analyzers.render import RENDERERS
from speclens.analyzers.render.compare import FORMULAS

from tests.conftest import RECORDED, ROOT, write_log

V0 = ("INFO 02-06 03:05:{sec:02d} metrics.py:475] Speculative metrics: Draft acceptance rate: {rate}, System "
      "efficiency: 0.420, Number of speculative tokens: 4, Number of accepted tokens: {acc}, Number of draft tokens: "
      "{dr}, Number of emitted tokens: {em}.")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def v0_log(tmp_path: Path) -> Path:
    # cumulative, k = 4: at the end 40 draft tokens = 10 drafts, 25 accepted (V0 counts matches after a
    # rejection too), 21 emitted. Printed: emitted / drafts = 21 / 10 = 2.1; the V1 formula would say
    # 1 + 25 / 10 = 3.5, more than the tokens those drafts produced
    return write_log(tmp_path / "v0.log", [V0.format(sec=10, rate="0.625", acc=10, dr=16, em=9),
                                           V0.format(sec=15, rate="0.625", acc=25, dr=40, em=21)])


def test_a_v0_log_prints_emitted_over_drafts_and_says_so(v0_log: Path) -> None:
    report = build_report([str(v0_log)], Window())
    source = report.targets[0].source("log:0")
    assert source is not None and source.metrics.mean_acceptance_length == pytest.approx(2.1)  # 21 / 10
    assert source.metrics.mean_acceptance_length_formula == MAL_V0
    text = _flat(RENDERERS["text"](report))
    assert "mean acc. length of log:0 = emitted / drafts (V0 sources:" in text
    assert "the bonus token only when all k draft tokens were accepted" in text
    assert "drafts = draft tokens / k" in text
    assert "log:0 = 1 + accepted / drafts" not in text
    assert "mean acc. length of log:0 = emitted / drafts" in _flat(RENDERERS["md"](report))
    row = RENDERERS["csv"](report).splitlines()[1]
    assert "2.1," in row and MAL_V0 in row


def test_a_v1_log_says_1_plus_accepted_over_drafts() -> None:
    text = _flat(RENDERERS["text"](build_report([str(RECORDED / "draft-greedy")], Window())))
    # its /metrics scrape and its log are both V1 sources: one note for both
    assert "mean acc. length of metrics_scrape, log:0 = 1 + accepted / drafts (V1 sources:" in text
    assert "emitted / drafts" not in text


def test_json_field_descriptions_name_the_formula_per_source(v0_log: Path) -> None:
    units = json.loads(RENDERERS["json"](build_report([str(v0_log)], Window())))["units"]
    formula = _flat(units["metrics.mean_acceptance_length_formula"])
    assert f"'{MAL_V1}' for V1 sources" in formula and f"'{MAL_V0}' for V0 sources" in formula
    assert "the formula in mean_acceptance_length_formula" in units["metrics.mean_acceptance_length"]
    # emitted tokens hold the bonus token only when every draft token was accepted (else the target's correction)
    assert "bonus token only when all k draft tokens were accepted" in units["counts.emitted_tokens"]
    assert "V1" in units["log.series[].mean_acceptance_length"]  # log intervals exist only in V1 logs


def test_compare_footer_says_the_formula_per_source() -> None:
    footer = _flat(" ".join(FORMULAS))
    assert "mean acceptance length = 1 + accepted / drafts for V1 sources" in footer
    assert "emitted / drafts for V0 sources" in footer
    assert "mean acc. length = 1 + accepted / drafts;" not in footer  # the old one-formula-for-all wording


def test_acceptance_help_says_the_formula_per_source() -> None:
    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "acceptance", "-h"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    help_text = _flat(proc.stdout)
    assert "mean acceptance length = 1 + accepted / drafts for V1 sources" in help_text
    assert "emitted / drafts for V0 sources" in help_text
    assert "mean acceptance length = 1 + accepted/drafts;" not in help_text


def test_the_report_model_allows_exactly_the_owner_s_formulas() -> None:
    import typing

    from speclens.analyzers.acceptance.models import MalFormula

    assert set(typing.get_args(MalFormula)) == {MAL_V0, MAL_V1}
