"""One detection of a run folder's load-driver JSON (parsers.load_results.find_load_results) for
every command: `report` found only `guidellm_results.json`, while `compare` and `speedup` found
the same file by content under any name. With several, the first by name is used and the others
are named as not used, by every command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from speclens.analyzers.compare.table import compare_runs, expand_run_dirs
from speclens.analyzers.render.run_dir import RUN_DIR_RENDERERS
from speclens.analyzers.run_dir_report import build_run_dir_report
from speclens.analyzers.speedup.command import run_speedup
from speclens.parsers.load_results import find_load_results

from tests.conftest import RECORDED

# ngram-greedy: 2560 output tokens / 12.551360845565796 s; base-greedy: 2560 / 16.18153214454651 s
NGRAM_TPUT, BASE_TPUT = 2560 / 12.551360845565796, 2560 / 16.18153214454651


def renamed_pair(tmp_path: Path, spec_name: str, base_name: str) -> Path:
    run = tmp_path / "run"
    shutil.copytree(RECORDED / "ngram-greedy", run)
    shutil.copytree(RECORDED / "base-greedy", run / "baseline")
    (run / "guidellm_results.json").rename(run / spec_name)
    (run / "baseline" / "guidellm_results.json").rename(run / "baseline" / base_name)
    return run


@pytest.mark.parametrize(("spec_name", "base_name"), [("guidellm.json", "vllm-bench-serve.json"),
                                                      ("benchmarks.json", "guidellm.json")])
def test_report_finds_the_driver_json_by_content(tmp_path: Path, spec_name: str, base_name: str) -> None:
    run = renamed_pair(tmp_path, spec_name, base_name)
    report = build_run_dir_report(str(run), None)
    assert report.load is not None and report.load.path == str(run / spec_name)
    assert report.baseline_load is not None and report.baseline_load.path == str(run / "baseline" / base_name)
    assert report.load.levels[0].output_throughput == pytest.approx(NGRAM_TPUT)
    assert report.speedup is not None  # 16.1815 / 12.5514 = 1.2892
    assert report.speedup.levels[0].comparisons[0].speedup == pytest.approx(NGRAM_TPUT / BASE_TPUT)
    text = RUN_DIR_RENDERERS["text"](report)
    assert "Load driver: what the server delivered" in text and f"file {run / spec_name}" in text


def test_every_command_uses_the_same_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = renamed_pair(tmp_path, "guidellm.json", "vllm-bench-serve.json")
    assert run_speedup(str(run / "baseline"), str(run), "json", None) == 0
    doc = json.loads(capsys.readouterr().out)
    [row] = compare_runs(expand_run_dirs([str(run)])[0])[0]
    report = build_run_dir_report(str(run), None)
    assert report.speedup is not None
    assert doc["spec"]["path"] == row.load_file == report.speedup.spec.path == str(run / "guidellm.json")
    assert doc["baseline"]["path"] == report.speedup.baseline.path == str(run / "baseline" / "vllm-bench-serve.json")
    assert row.speedup == pytest.approx(NGRAM_TPUT / BASE_TPUT)


def test_several_candidates_first_by_name_and_the_others_named(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    run = renamed_pair(tmp_path, "a-guidellm.json", "guidellm.json")
    shutil.copy(run / "a-guidellm.json", run / "b-guidellm.json")
    found = find_load_results(str(run))
    assert (found.used, found.unused) == (str(run / "a-guidellm.json"), [str(run / "b-guidellm.json")])
    [row] = compare_runs(expand_run_dirs([str(run)])[0])[0]
    assert row.load_file == str(run / "a-guidellm.json")
    assert "also load-driver results, not used: b-guidellm.json" in row.notes
    report = build_run_dir_report(str(run), None)
    assert report.load is not None and report.load.unused == [str(run / "b-guidellm.json")]
    assert "also load-driver results, not used: b-guidellm.json" in RUN_DIR_RENDERERS["text"](report)
    assert run_speedup(str(run / "baseline"), str(run), "json", None) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["spec"]["path"] == str(run / "a-guidellm.json")
    assert any(n["code"] == "unused-load-results" and "b-guidellm.json" in n["message"] for n in doc["notices"])
