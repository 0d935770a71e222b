"""Issue 25, trap 4: a baseline/spec pair across the vLLM 0.34 boundary (Model Runner V1 removed, suffix
decoding's default k, grammar-invalid drafts no longer filtered) gets no verdict without --force, says
what changed, and shows in compare's flags column (fixtures/constructed/traps/4-version-boundary)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from speclens.analyzers.compare.table import run_compare
from speclens.analyzers.speedup.command import run_speedup
from speclens.analyzers.traps.pairs import Setup, crossing, pair_traps

from tests.conftest import CONSTRUCTED

PAIR = CONSTRUCTED / "traps" / "4-version-boundary"


def test_crossing_names_the_boundary_only_when_straddled() -> None:
    assert "Model Runner V1 removed" in (crossing("0.32.0", "0.34.0") or "")
    assert "min(8, max_tree_depth)" in (crossing("0.34.1", "0.33.2") or "")  # either order
    assert crossing("0.32.0", "0.33.1") is None  # both before 0.34
    assert crossing("0.34.0", "0.35.0") is None  # both from 0.34 on
    codes = [n.code for n in pair_traps(Setup(vllm_version="0.33.1"), Setup(vllm_version="0.34.0"))]
    assert codes == ["trap-version-boundary", "trap-different-setup"]


def test_speedup_refuses_the_pair_and_says_why(capsys: pytest.CaptureFixture) -> None:
    assert run_speedup(str(PAIR / "baseline"), str(PAIR), "json", None) == 0
    report = json.loads(capsys.readouterr().out)
    assert not report["comparability"]["comparable"]
    assert "vllm version differs: baseline 0.32.0 (run.json), spec 0.34.0 (run.json)" in report["comparability"]["reasons"]
    assert report["levels"][0]["verdict"] == "not comparable"
    codes = {n["code"]: n["level"] for n in report["notices"]}
    assert codes["trap-version-boundary"] == "warning"


def test_speedup_force_gives_the_ratio(capsys: pytest.CaptureFixture) -> None:
    run_speedup(str(PAIR / "baseline"), str(PAIR), "json", None, force=True)
    level = json.loads(capsys.readouterr().out)["levels"][0]
    # 8 x 64 tokens each side: 5.126745701 / 4.050978899 = 1.2656 (the recorded draft-baseline pair)
    assert level["comparisons"][0]["speedup"] == pytest.approx(5.126745700836182 / 4.050978899002075)


def test_compare_flags_the_pair(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    run_compare([str(PAIR)], "csv", str(out), None)
    [row] = list(csv.DictReader(io.StringIO(out.read_text())))
    flags = row["flags"].split(",")
    assert "trap-version-boundary" in flags and "trap-different-setup" in flags
    assert row["speedup_verdict"].startswith("not comparable: vllm version differs")
