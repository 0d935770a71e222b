"""Advice on k: no recommended k when no k is modeled faster than the target alone, no cost ratio
measured from a pair the report itself calls not comparable, and --cost-ratio validated."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.advice import advise
from speclens.analyzers.render.run_dir import RUN_DIR_RENDERERS
from speclens.analyzers.run_dir_report import build_run_dir_report

from tests.conftest import RECORDED, ROOT

DRAFT = RECORDED / "draft-greedy"


def test_every_k_slower_recommends_none() -> None:
    # draft-greedy: conditional c_1 = 455 / 1242 = 0.36634; at --cost-ratio 2, k=1: (1 + 0.36634) / (1 + 2) =
    # 1697/3726 = 0.45545, and every longer k is lower still: no k beats the target alone (was "recommended 1")
    report = build_run_dir_report(str(DRAFT), 2.0)
    advice = report.advice
    assert advice is not None and advice.rows[0].modeled_speedup == pytest.approx(1697 / 3726)
    assert max(r.modeled_speedup or 0 for r in advice.rows) < 1
    assert (advice.recommended_k, advice.speculation_pays) == (None, False)
    text = RUN_DIR_RENDERERS["text"](report)
    assert "speculation does not pay under these assumptions" in text
    assert "best modeled speedup 0.455 at k=1" in text


def test_a_gain_still_recommends_the_best_k() -> None:
    # c = [0.8, 0.5], cost 0.25: k=2: 2.2 / 1.5 = 1.4667 > 1
    advice = advise([0.8, 0.5], 2, 0.25, "test", max_k=3)
    assert advice is not None and (advice.recommended_k, advice.speculation_pays) == (2, True)
    assert advise([0.8, 0.5], 2, None, "none").speculation_pays is None  # type: ignore[union-attr]


def test_no_cost_ratio_from_a_baseline_that_is_not_comparable(tmp_path: Path) -> None:
    # base-t1 ran at another temperature: the report marks the pair NOT COMPARABLE, so its TPOTs give no c
    # (it took c = (9.9253 x 2.0765 / 6.0345 - 1) / 3 = 0.805 from them and recommended k=1)
    run = tmp_path / "run"
    shutil.copytree(DRAFT, run)
    shutil.copytree(RECORDED / "base-t1", run / "baseline")
    advice = build_run_dir_report(str(run), None).advice
    assert advice is not None and (advice.cost_ratio, advice.recommended_k) == (None, None)
    assert advice.cost_ratio_source == ("none: not measured from the paired baseline (not comparable: temperature "
                                        "differs); pass --cost-ratio C")
    # --force: measured as before, and said to be forced. MAL = 1 + 1337/1242 = 2.07649;
    # c = (9.925288055 x 2.07649 / 6.034503225 - 1) / 3 = 0.80511
    forced = build_run_dir_report(str(run), None, force=True).advice
    assert forced is not None and forced.cost_ratio == pytest.approx(
        (9.925288055092096 * (1 + 1337 / 1242) / 6.034503225237131 - 1) / 3)
    assert forced.cost_ratio_source.startswith("measured from the paired baseline (synchronous), forced")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "0"])
def test_cost_ratio_must_be_finite_and_positive(tmp_path: Path, value: str) -> None:
    out = tmp_path / "r.txt"
    proc = cli("report", str(DRAFT), "--format", "text", "--cost-ratio", value, "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "--cost-ratio" in proc.stderr and "finite number > 0" in proc.stderr
    assert "internal error" not in proc.stderr and not out.exists()
