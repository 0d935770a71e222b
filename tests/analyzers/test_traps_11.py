"""Issue 25, trap 11: baseline and spec servers set up differently (vLLM version, hardware,
tensor-parallel size, max-num-seqs, from run.json) are part of the one comparability verdict
(analyzers.speedup.comparability.judge); a key appears only when both runs record it and it differs."""

from __future__ import annotations

import json

import pytest
from speclens.analyzers.speedup.command import run_speedup
from speclens.analyzers.traps.pairs import Setup, run_setup, setup_checks
from speclens.parsers.run_dir import read_manifest

from tests.conftest import CONSTRUCTED, ROOT

PAIR = CONSTRUCTED / "traps" / "11-different-setup"
RECORDED = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline"


def test_setup_read_from_run_json() -> None:
    spec = run_setup(read_manifest(str(RECORDED / "run.json")))
    # schema 1: tensor_parallel_size "1", versions.vllm 0.32.0, hardware x86_64 with 2 CPUs, no --max-num-seqs
    assert spec == Setup("0.32.0", "no GPU: x86_64, 2 CPUs", "1", "vLLM default")
    base = run_setup(read_manifest(str(RECORDED / "baseline" / "run.json")))
    # the legacy baseline records only its commands: --tensor-parallel-size 1, no version, no hardware
    assert base == Setup(None, None, "1", "vLLM default")
    assert setup_checks(base, spec) == []  # the same where both record: the recorded pair's verdict is unchanged


def test_each_differing_key_is_listed() -> None:
    a = Setup("0.32.0", "1 x NVIDIA L4", "1", "vLLM default")
    b = Setup("0.32.0", "2 x NVIDIA H100 80GB HBM3", "2", "64")
    assert [c.key for c in setup_checks(a, b)] == ["hardware", "tensor_parallel_size", "max_num_seqs"]
    assert setup_checks(a, Setup()) == []  # unrecorded: nothing


def test_speedup_refuses_a_pair_with_different_max_num_seqs(capsys: pytest.CaptureFixture) -> None:
    assert run_speedup(str(PAIR / "baseline"), str(PAIR), "json", None) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["comparability"]["short_reasons"] == ["max_num_seqs differs"]
    assert report["levels"][0]["verdict"] == "not comparable"
    [notice] = [n for n in report["notices"] if n["code"] == "trap-different-setup"]
    assert "max_num_seqs vLLM default vs 64" in notice["message"]
    assert not [n for n in report["notices"] if n["code"] == "trap-version-boundary"]


def test_the_recorded_pair_stays_comparable(capsys: pytest.CaptureFixture) -> None:
    run_speedup(str(RECORDED / "baseline"), str(RECORDED), "json", None)
    report = json.loads(capsys.readouterr().out)
    assert report["comparability"]["comparable"]
    assert not [n for n in report["notices"] if n["code"] in ("trap-different-setup", "trap-version-boundary")]
