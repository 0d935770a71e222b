from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzers.compare import expand_run_dirs
from analyzers.compare import compare_runs, sort_rows
from tests.conftest import RECORDED


def test_rows_for_recorded_runs_sorted_by_acceptance_length() -> None:
    rows = sort_rows(compare_runs([str(RECORDED / n) for n in ("draft-greedy", "ngram-greedy", "base-greedy")]),
                     "-mean_acceptance_length")
    # ngram 1 + 1831/630 = 3.906 > draft 1 + 1337/1242 = 2.076; the baseline has none and goes last
    assert [Path(r.run).name for r in rows] == ["ngram-greedy", "draft-greedy", "base-greedy"]
    assert rows[0].mean_acceptance_length == pytest.approx(1 + 1831 / 630)
    assert (rows[1].method, rows[1].k, rows[1].load) == ("draft_model", 3, "synchronous")
    assert rows[2].mean_acceptance_length is None and rows[2].output_tokens_per_s is not None


def _legacy_client_json(tmp_path: Path) -> Path:
    """A draft/verify client result in the old scripts' JSON layout (OPT-350m -> OPT-1.3b)."""
    legacy = {"config": {"draft_model": "facebook/opt-350m", "target_model": "facebook/opt-1.3b"},
              "summary": {"avg_acceptance_rate": 0.852, "avg_speed": 66.1, "total_tokens": 5120,
                          "total_draft_generated": 5733, "total_draft_accepted": 4845}, "results": []}
    path = tmp_path / "dv.json"
    path.write_text(json.dumps(legacy))
    return path


def test_client_result_json_gets_a_row(tmp_path: Path) -> None:
    path = _legacy_client_json(tmp_path)
    [row] = compare_runs(expand_run_dirs([str(path)]))
    assert (row.method, row.model, row.draft_acceptance_rate, row.output_tokens_per_s) == (
        "client draft/verify", "facebook/opt-1.3b", 0.852, 66.1)


def test_unknown_sort_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="--sort 'nope': expected one of run, model"):
        sort_rows([], "nope")


def test_report_renders_a_client_result_json(tmp_path: Path) -> None:
    from analyzers.client_report import client_markdown

    path = _legacy_client_json(tmp_path)
    text = client_markdown(str(path))
    assert "| total_draft_accepted | 4845 |" in text and "| avg_acceptance_rate | 0.852 |" in text
    assert "| target_model | facebook/opt-1.3b |" in text and "| speedup | n/a |" in text
