"""The per-request acceptance section wired into `speclens acceptance` and `speclens report`: a
real recorded run directory (fixtures/recorded/speclens-run_eval/draft-c4, 40 guidellm requests,
k = 3) whose guidellm JSON is given hand-made `response_metrics.speculative_decoding` for two
requests; the same run as recorded (no per-request data): one notice; a saved report re-rendered."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_cli import run

C4 = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"
NO_DATA = "no per-request spec-decode metrics in guidellm_results.json (run_eval.sh and the launchers turn them on"

# Request 0: histogram [1, 0, 1, 2] -> steps 1+0+1+2 = 4, accepted 0·1+1·0+2·1+3·2 = 8, drafted 3·4 = 12.
# Request 1: histogram [2, 1, 0, 0] -> steps 3, accepted 1, drafted 3·3 = 9.
SPECS = [([1, 0, 1, 2], 4, 8, 12), ([2, 1, 0, 0], 3, 1, 9)]


def _spec(hist: list[int], steps: int, accepted: int, drafted: int) -> dict:
    return {"mean_acceptance_length": 1 + accepted / steps, "draft_acceptance_rate": accepted / drafted,
            "acceptance_histogram": hist, "num_spec_steps": steps, "num_accepted_draft_tokens": accepted,
            "num_draft_tokens": drafted, "num_spec_tokens": 3}


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    out = tmp_path / "draft-c4"
    shutil.copytree(C4, out)
    path = out / "guidellm_results.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = doc["benchmarks"][0]["requests"]["successful"]
    for row, spec in zip(rows, SPECS):
        row["response_metrics"] = {**(row.get("response_metrics") or {}), "speculative_decoding": _spec(*spec)}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return out


def test_acceptance_json_holds_the_hand_computed_section(run_dir: Path) -> None:
    proc = run("acceptance", str(run_dir), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    target = report["targets"][0]
    s = target["per_request"]
    assert (s["source_kind"], s["requests_seen"], s["requests_without_metrics"], s["sampled"]) == ("guidellm", 40, 38,
                                                                                                   False)
    m = s["summary"]
    assert (m["requests"], m["steps"], m["accepted_tokens"], m["draft_tokens"]) == (2, 7, 9, 21)  # 4+3, 8+1, 12+9
    assert m["mean_acceptance_length_step_weighted"] == pytest.approx(1 + 9 / 7)  # 2.2857
    assert m["mean_acceptance_length_request_weighted"] == pytest.approx((3 + 4 / 3) / 2)  # (1+8/4 + 1+1/3)/2 = 2.1667
    assert m["acceptance_rate_pooled"] == pytest.approx(9 / 21)  # 0.4286
    assert m["acceptance_rate_request_weighted"] == pytest.approx((8 / 12 + 1 / 9) / 2)  # 0.3889
    h = s["histogram"]
    assert h["counts"] == [3, 1, 1, 2]  # [1+2, 0+1, 1+0, 2+0]
    assert h["per_position"] == pytest.approx([4 / 7, 3 / 7, 2 / 7])  # Σ_{j>=i} H_j / 7
    # the counters (metrics_delta of the recording): accepted 3253, draft tokens 5583, drafts 1861,
    # per position [1497, 988, 768]; the sums of the two hand-made requests are far below them
    c = s["counter_check"]
    assert c["counters"].startswith("metrics_delta")
    assert (c["accepted_tokens_diff"], c["draft_tokens_diff"], c["steps_diff"]) == (9 - 3253, 21 - 5583, 7 - 1861)
    assert c["per_position_diff"] == [4 - 1497, 3 - 988, 2 - 768] and c["agree"] is False
    codes = [n["code"] for n in s["notices"]]
    assert "per-request-vs-counters" in codes and "requests-without-metrics" in codes
    assert "no-per-request-metrics" not in [n["code"] for n in target["notices"]]
    assert {"path": str(run_dir / "guidellm_results.json"), "role": "load_results"}.items() <= next(
        i for i in report["inputs"] if i["role"] == "load_results").items()


def test_acceptance_text_shows_the_section_and_the_counter_disagreement(run_dir: Path) -> None:
    proc = run("acceptance", str(run_dir), "--format", "text")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Acceptance per request: two weightings" in out
    assert "step-weighted = 1 + Σ accepted / Σ steps = 1 + 9 / 7" in out
    assert "2.286" in out and "2.167" in out and "42.86%" in out and "38.89%" in out
    assert "per-request sums differ from metrics_delta: accepted -3244, draft tokens -5562, steps -1854" in out
    assert "[-1493 -985 -766]" in out  # per-position differences
    assert NO_DATA not in out


def test_report_shows_the_same_section(run_dir: Path) -> None:
    proc = run("report", str(run_dir), "--format", "text", "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert "Acceptance per request: two weightings" in proc.stdout
    assert "Pooled acceptance histogram (k=3)" in proc.stdout
    assert "per-request sums differ from metrics_delta: accepted -3244" in proc.stdout
    md = run("report", str(run_dir), "-o", "-")
    assert md.returncode == 0 and "## Acceptance per request: two weightings" in md.stdout


def test_a_run_without_per_request_data_says_so_once() -> None:
    for command in (["acceptance", str(C4)], ["report", str(C4), "--format", "text", "-o", "-"]):
        proc = run(*command)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.count(NO_DATA) == 1
        assert "Acceptance per request" not in proc.stdout
    report = json.loads(run("acceptance", str(C4), "--format", "json").stdout)
    assert report["targets"][0]["per_request"] is None


def test_logs_alone_say_nothing(tmp_path: Path) -> None:
    log = tmp_path / "vllm_server.log"
    shutil.copy(C4 / "vllm_server.log", log)
    proc = run("acceptance", str(log), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    target = json.loads(proc.stdout)["targets"][0]
    assert target["per_request"] is None and "no-per-request-metrics" not in [n["code"] for n in target["notices"]]


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_a_saved_report_renders_the_section(run_dir: Path, tmp_path: Path, fmt: str) -> None:
    saved = tmp_path / "acceptance.json"
    assert run("acceptance", str(run_dir), "-o", str(saved)).returncode == 0
    assert json.loads(saved.read_text(encoding="utf-8"))["targets"][0]["per_request"]["summary"]["steps"] == 7
    direct = run("acceptance", str(run_dir), "--format", fmt)
    rendered = run("render", str(saved), "--format", fmt)
    assert rendered.returncode == 0 and rendered.stderr == ""
    assert rendered.stdout == direct.stdout and "Acceptance per request: two weightings" in rendered.stdout


def test_a_saved_run_report_renders_the_section(run_dir: Path, tmp_path: Path) -> None:
    saved = tmp_path / "report.json"
    assert run("report", str(run_dir), "--format", "json", "-o", str(saved)).returncode == 0
    rendered = run("render", str(saved), "--format", "text")
    assert rendered.returncode == 0 and rendered.stderr == ""
    assert "1 + 9 / 7" in rendered.stdout and "[-1493 -985 -766]" in rendered.stdout


REAL = ROOT / "fixtures" / "recorded" / "per-request"


@pytest.mark.parametrize(("run", "positions"), [("summary-sync", False), ("detailed-c2", True)])
def test_real_recordings_agree_with_their_counters(run: str, positions: bool) -> None:
    # recorded with run_eval.sh's default per-request metrics (fixtures/README.md): 12 requests, k = 3
    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "acceptance", str(REAL / run),
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    section = json.loads(proc.stdout)["targets"][0]["per_request"]
    assert (section["source_kind"], section["requests_seen"], section["sampled"]) == ("guidellm", 12, False)
    # Σ over the 12 requests' histograms: [87, 141, 82, 230] -> steps 540, accepted 141 + 2·82 + 3·230 = 995,
    # drafted 3·540 = 1620 (every step drafted k)
    assert section["histogram"]["counts"] == [87, 141, 82, 230] and section["histogram"]["every_step_drafted_k"]
    s = section["summary"]
    assert (s["steps"], s["accepted_tokens"], s["draft_tokens"]) == (540, 995, 1620)
    assert s["mean_acceptance_length_step_weighted"] == pytest.approx(1 + 995 / 540)  # 2.8426
    assert s["acceptance_rate_pooled"] == pytest.approx(995 / 1620)  # 0.6142
    # per-position P(accepted >= i): (141 + 82 + 230) / 540, (82 + 230) / 540, 230 / 540
    assert section["histogram"]["per_position"] == pytest.approx([453 / 540, 312 / 540, 230 / 540])
    check = section["counter_check"]  # the sums equal the run's /metrics delta exactly
    assert check["agree"]
    assert (check["accepted_tokens_diff"], check["draft_tokens_diff"], check["steps_diff"]) == (0, 0, 0)
    # only `detailed` carries per-step arrays: output positions 0-255 hold all 540 steps
    bands = section["by_output_position"]
    assert (bands["bins"][0]["steps"] if bands else None) == (540 if positions else None)
