"""The three-mode suite's result goes through one typed model both ways
(parsers/client_results/three_mode.py): the client writes through it, the parser and the view read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.analyzers.client_results import three_mode as view
from speclens.analyzers.client_results.report import client_markdown
from speclens.clients.speclora import three_mode_report as report
from speclens.clients.speclora.three_mode_measure import Measured
from speclens.parsers.client_results import ThreeModeResult, parse_client_result
from speclens.parsers.errors import ParseError

from tests.clients.report_check import assert_report_refuses

SEED = Path(__file__).resolve().parents[1] / "data" / "seed002_example.json"  # the original tool's example


def _written() -> dict:
    none = lambda t, n: Measured(t, n, None, None, "none")
    results = {"target_only": [report.per_prompt([none(1.0, 40)]), report.per_prompt([none(2.0, 50)])],
               "spec_base": [report.per_prompt([Measured(0.8, 40, 30, 20, "metrics_delta")]),
                             report.per_prompt([Measured(1.5, 50, 40, 25, "metrics_delta")])]}
    meta = {"num_prompts": 2, "max_tokens": 64, "iterations": 1, "adapter_path": None, "seed": 1,
            "prompts_file": None, "skip_lora": True, "models": {"target_only": "t", "spec_base": "s"},
            "urls": {"target_only": "http://t", "spec_base": "http://s"}}
    return report.build_result(meta, ["p1", "p2"], results)


def test_the_client_writes_kind_and_version_first_and_reads_back_the_same() -> None:
    doc = _written()
    assert list(doc) == ["client", "schema_version", "metadata", "summary", "comparison", "per_prompt"]
    assert (doc["client"], doc["schema_version"]) == ("three_mode", 1)
    assert not hasattr(report, "CLIENT")  # the kind lives in the model only
    back = parse_client_result("tm.json", json.loads(json.dumps(doc)))
    assert isinstance(back, ThreeModeResult)
    assert back.model_dump(mode="json", exclude_unset=True) == doc
    base = back.summary["spec_base"]
    # pooled: (20 + 25) / (30 + 40) = 45 / 70 = 0.642857 → 0.6429;
    # avg: per prompt 20/30 → 0.6667, 25/40 = 0.625; (0.6667 + 0.625) / 2 = 0.64585 → 0.6459
    assert (base.accepted_tokens, base.draft_tokens, base.pooled_acceptance_rate) == (45, 70, 0.6429)
    assert base.avg_acceptance_rate == 0.6459
    assert back.per_prompt[1].spec_base.draft_tokens == 40 and back.per_prompt[0].target_only.acceptance_rate is None


def test_the_original_tools_file_reads_without_client_or_version() -> None:
    data = json.loads(SEED.read_text())
    assert "client" not in data and "schema_version" not in data
    result = parse_client_result(str(SEED), data)
    assert isinstance(result, ThreeModeResult) and result.schema_version is None and result.comparison is None
    assert result.summary["spec_lora"].avg_tokens_per_second == 71.8
    assert result.summary["spec_lora"].draft_tokens is None  # the original tool counts no tokens
    assert list(result.configuration()) == ["timestamp", "num_prompts", "max_tokens", "iterations", "adapter_path"]
    assert view.speedup(result, "spec_lora") == pytest.approx(71.8 / 45.2)  # 1.588, no comparison in the file


def test_an_older_files_acceptance_gain_is_its_acceptance_difference() -> None:
    data = {"client": "three_mode", "metadata": {}, "per_prompt": [], "summary": {},
            "comparison": {"speedup_vs_target": {}, "lora_vs_base": {"tokens_per_second_gain": 0.2,
                                                                      "acceptance_gain": 0.15}}}
    result = parse_client_result("old.json", data)
    assert view.lora_vs_base(result) == {"tokens_per_second_gain": 0.2, "acceptance_gain": 0.15,
                                         "acceptance_difference": 0.15}
    # 100 × 0.2 = +20.0%, 100 × 0.15 = +15.0 pts
    assert view.footer_lines(result) == ["LoRA improvement over Base: +20.0% tok/s, +15.0 pts acceptance"]


def test_the_report_lists_a_hand_written_summary_in_the_files_order(tmp_path: Path) -> None:
    path = tmp_path / "tm.json"  # pooled_acceptance_rate written last, not where the client writes it
    path.write_text(json.dumps({"metadata": {}, "per_prompt": [], "summary": {"spec_base": {
        "avg_tokens_per_second": 50.0, "draft_tokens": 10, "accepted_tokens": 5, "pooled_acceptance_rate": 0.5}}}))
    rows = [line.split(" |")[0] for line in client_markdown(str(path)).splitlines() if line.startswith("| ")]
    assert rows[1:5] == ["| avg_tokens_per_second", "| draft_tokens", "| accepted_tokens", "| pooled_acceptance_rate"]


@pytest.mark.parametrize(("change", "message"), [
    (("summary", "spec_base", "avg_tokens_per_second", "fast"),
     "expected a number at summary.spec_base.avg_tokens_per_second, got str"),
    (("summary", "spec_base", "num_prompts", True), "expected an integer at summary.spec_base.num_prompts, got bool"),
    (("metadata", "skip_lora", 1), "expected true or false at metadata.skip_lora, got int"),
])
def test_a_wrong_field_is_named(change: tuple, message: str) -> None:
    doc = _written()
    *where, key, value = change
    target = doc
    for part in where:
        target = target[part]
    target[key] = value
    with pytest.raises(ParseError, match=message.replace(".", r"\.")):
        parse_client_result("bad.json", doc)


def test_report_on_a_bad_file_is_one_line_and_keeps_the_output(tmp_path: Path) -> None:
    doc = _written()
    doc["summary"]["spec_base"]["avg_tokens_per_second"] = "fast"
    assert_report_refuses(tmp_path, doc, "expected a number at summary.spec_base.avg_tokens_per_second, got str")
