"""A 0/0 rate (a conditional after a zero-accepted position, a rate of a line that printed nan) is
undefined: `n/a` in text, Markdown and the legacy layout, an empty cell in CSV, null in JSON; never
nan, inf or 0, in any format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.metrics import LegacyTally, conditional
from speclens.analyzers.render import RENDERERS

from tests.conftest import RECORDED, write_log

EAGLE3 = RECORDED / "eagle3-greedy" / "vllm_server.log"  # 6 intervals, Accepted 0 in each, k = 3
LINE = ("(APIServer pid=1) INFO 11-22 21:59:{sec:02d} [metrics.py:120] SpecDecoding metrics: Mean acceptance length: "
        "{mal}, Accepted throughput: 1.00 tokens/s, Drafted throughput: 1.00 tokens/s, Accepted: {acc} tokens, "
        "Drafted: {dr} tokens, Per-position acceptance rate: {pp}, Avg Draft acceptance rate: {rate}%")
NON_FINITE = re.compile(r"\b(nan|NaN|inf|Infinity)\b")


def test_legacy_prints_n_a_for_a_conditional_after_a_zero_position() -> None:
    # eagle3-greedy accepts nothing: weighted = [0, 0, 0]; conditional = [0/1, 0/0, 0/0] = [0, n/a, n/a].
    # numpy pads every element to the widest (3 characters), so "0." prints as " 0.", as the old script did
    text = RENDERERS["legacy"](build_report([str(EAGLE3)], Window()))
    assert "Weighted per-position acceptance rates:\n[0. 0. 0.]\n" in text
    assert "Conditional acceptance rates:\n[ 0. n/a n/a]\n" in text
    assert "nan" not in text


ZERO_MIDDLE = LINE.format(sec=10, mal="1.50", acc=5, dr=30, pp="0.500, 0.000, 0.000", rate="16.7")
# a damaged rate list printing nan with Drafted 30 > 0 (vLLM prints nan only for 0 drafts)
DAMAGED = LINE.format(sec=20, mal="nan", acc=0, dr=30, pp="nan, nan, nan", rate="0.0")


@pytest.mark.parametrize("fmt", ["text", "md", "csv", "json", "legacy"])
@pytest.mark.parametrize("lines", [[ZERO_MIDDLE], [ZERO_MIDDLE, DAMAGED]], ids=["zero-position", "nan-line"])
def test_no_format_prints_nan_or_inf(fmt: str, lines: list[str], tmp_path: Path) -> None:
    text = RENDERERS[fmt](build_report([str(write_log(tmp_path / "zero.log", lines))], Window()))
    assert NON_FINITE.search(text) is None, NON_FINITE.search(text)


def test_a_conditional_after_a_zero_position_is_null_in_json_and_n_a_in_text(tmp_path: Path) -> None:
    # k = 3; rates 0.500, 0.000, 0.000 with Accepted 5 and mean length 1.50: drafts = 5 / 0.50 = 10,
    # accepted per position [5, 0, 0]; PP = [0.5, 0, 0]; conditional = [0.5/1, 0/0.5, 0/0] = [0.5, 0, null]
    report = build_report([str(write_log(tmp_path / "zero.log", [ZERO_MIDDLE]))], Window())
    source = json.loads(RENDERERS["json"](report))["targets"][0]["sources"][0]
    assert source["counts"]["accepted_per_position"] == [5, 0, 0] and source["counts"]["drafts"] == 10
    assert source["metrics"]["conditional"] == [0.5, 0.0, None]
    text = RENDERERS["text"](report)
    assert re.search(r"\n2 +0 +0\.000 +n/a\n", text)  # position 2: accepted 0, PP 0.000, conditional n/a
    csv_row = RENDERERS["csv"](report).splitlines()[1].split(",")
    assert csv_row[-3:] == ["0", "0.0", ""]  # accepted_pos_2, per_position_2, conditional_2 (empty: undefined)


def test_the_legacy_weighting_skips_a_nan_line_as_it_skips_a_drafted_0_one(tmp_path: Path) -> None:
    # weighted = [0.5, 0, 0] over Drafted 30 (the nan line adds nothing but is a sample: 2 samples, 60
    # drafted); conditional = [0.5/1, 0/0.5, 0/0] = [0.5, 0, null]
    report = build_report([str(write_log(tmp_path / "zero.log", [ZERO_MIDDLE, DAMAGED]))], Window())
    legacy = json.loads(RENDERERS["json"](report))["targets"][0]["sources"][0]["log"]["legacy"]
    assert (legacy["samples"], legacy["drafted_tokens"]) == (2, 60)
    assert legacy["weighted_per_position"] == [0.5, 0.0, 0.0] and legacy["conditional"] == [0.5, 0.0, None]
    assert "Conditional acceptance rates:\n[0.5 0.  n/a]\n" in RENDERERS["legacy"](report)


def test_metrics_never_return_non_finite_values() -> None:
    # conditional of [nan, 0.5]: nan / 1 is undefined (None), 0.5 / nan too
    assert conditional([float("nan"), 0.5]) == [None, None]
    tally = LegacyTally()
    tally.add(40, (0.5, float("nan")))  # a damaged interval adds nothing
    tally.add(20, (0.25, 0.0))
    # weighted over the one clean interval: [0.25*20/20, 0] = [0.25, 0]; samples 2, drafted 60
    result = tally.result()
    assert result.weighted_per_position == [0.25, 0.0] and (result.samples, result.drafted_tokens) == (2, 60)
