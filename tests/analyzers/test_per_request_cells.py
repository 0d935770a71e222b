"""A multi-phase run (run_eval.sh --categories) pools its cells' per-request records at the top:
fixtures/recorded/categories/run (3 categories x 8 requests, k = 3, one server)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.per_request_cells import cells_request_specs
from speclens.analyzers.acceptance.report import build_report

RUN = Path(__file__).resolve().parents[2] / "fixtures" / "recorded" / "categories" / "run"


def test_the_top_of_a_category_run_pools_every_cells_requests() -> None:
    target = build_report([str(RUN)], Window()).targets[0]
    section = target.per_request
    assert section is not None and section.summary is not None
    # cells code + prose + repeat: 8 + 8 + 8 requests; steps 125 + 101 + 113 = 339;
    # accepted 169 + 171 + 172 = 512; draft tokens 375 + 303 + 339 = 1017 (= the top /metrics delta)
    s = section.summary
    assert (s.requests, s.steps, s.accepted_tokens, s.draft_tokens) == (24, 339, 512, 1017)
    assert section.counter_check is not None and section.counter_check.agree
    # 24 requests: b = min(5, 24 // 5) = 4 prompt-length bins of 6 requests each
    assert [b.requests for b in section.by_prompt_length.bins] == [6, 6, 6, 6]


def test_each_record_carries_its_cells_category() -> None:
    spec_set, files = cells_request_specs(str(RUN))
    assert len(files) == 3
    categories = [r.category for r in spec_set.records]
    assert {c: categories.count(c) for c in set(categories)} == {"code": 8, "prose": 8, "repeat": 8}


def test_cells_of_different_k_are_not_pooled(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(RUN, run)
    manifest = json.loads((run / "run.json").read_text())
    manifest["cells"][1]["num_speculative_tokens"] = 5
    (run / "run.json").write_text(json.dumps(manifest))
    doc = json.loads((run / "cells" / "k3-prose" / "guidellm_results.json").read_text())
    for request in doc["benchmarks"][0]["requests"]["successful"]:  # the cell's records say k = 5 too
        spec = request["response_metrics"]["speculative_decoding"]
        spec["num_spec_tokens"] = 5
        spec["acceptance_histogram"] += [0, 0]
    (run / "cells" / "k3-prose" / "guidellm_results.json").write_text(json.dumps(doc))
    assert cells_request_specs(str(run)) is None
    assert build_report([str(run)], Window()).targets[0].per_request is None
