"""Load-driver results told apart by content (`load_driver`) and found in a folder whatever their name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from speclens.parsers.json_file import read_json
from speclens.parsers.load_results import GUIDELLM, VLLM_BENCH, find_load_results, load_driver

from tests.conftest import ROOT

RECORDED = ROOT / "fixtures" / "recorded"
DRIVERS = RECORDED / "load-drivers"


@pytest.mark.parametrize(("path", "driver"), [
    *((DRIVERS / f / "guidellm_results.json", GUIDELLM) for f in (
        "guidellm-0.3.1-synchronous", "guidellm-0.4.0-synchronous", "guidellm-0.5.4-synchronous",
        "guidellm-0.6.1-synchronous", "guidellm-0.7.4-synchronous", "guidellm-0.8.1-concurrent2")),
    *((DRIVERS / f / "vllm_bench_result.json", VLLM_BENCH) for f in (
        "vllm-bench-0.32.0-concurrency2", "vllm-bench-0.32.0-concurrency2-detailed", "vllm-bench-0.32.0-rate4-chat")),
    (RECORDED / "speclens-run_eval" / "draft-baseline" / "run.json", None),
])
def test_every_recorded_file_is_told_by_its_content(path: Path, driver: str | None) -> None:
    assert load_driver(read_json(str(path))) == driver


@pytest.mark.parametrize("doc", [
    {"config": {}, "summary": {"avg_speed": 1.0}, "results": []},  # draft/verify client (old layout)
    {"client": "gsm8k_accuracy", "config": {}, "metrics": {}, "results": []},
    {"metadata": {}, "per_prompt": [], "summary": {}},  # three-mode client
    [{"benchmarks": []}], "benchmarks", None, {"benchmarks": {"not": "a list"}},
])
def test_client_results_and_other_json_are_not_load_results(doc: object) -> None:
    assert load_driver(doc) is None


def test_guidellm_results_json_is_preferred_and_the_only_file_read(tmp_path: Path) -> None:
    shutil.copy(DRIVERS / "guidellm-0.3.1-synchronous" / "guidellm_results.json", tmp_path / "guidellm_results.json")
    (tmp_path / "broken.json").write_text("{")
    found = find_load_results(str(tmp_path))
    assert (found.used, found.read, found.errors) == (str(tmp_path / "guidellm_results.json"),
                                                      [str(tmp_path / "guidellm_results.json")], [])


def test_other_names_are_read_in_order_and_problems_collected(tmp_path: Path) -> None:
    bench = DRIVERS / "vllm-bench-0.32.0-rate4-chat" / "vllm_bench_result.json"
    shutil.copy(bench, tmp_path / "b-vllm-bench-serve.json")
    shutil.copy(DRIVERS / "guidellm-0.4.0-synchronous" / "guidellm_results.json", tmp_path / "c-guidellm.json")
    (tmp_path / "a-broken.json").write_text('{"benchmarks": [\n')
    (tmp_path / "d-client.json").write_text(json.dumps({"config": {}, "summary": {}, "results": []}))
    (tmp_path / "run.json").write_text("not even JSON")  # the manifest is never a candidate
    found = find_load_results(str(tmp_path))
    assert found.used == str(tmp_path / "b-vllm-bench-serve.json") and found.run is not None
    assert found.run.schema == "vllm-bench-serve"
    assert found.unused == [str(tmp_path / "c-guidellm.json")]
    assert found.other_json == [str(tmp_path / "d-client.json")]
    assert [str(e) for e in found.errors] == [
        f"{tmp_path / 'a-broken.json'}:2: invalid JSON (Expecting value); the file is truncated or not JSON"]
    assert found.read == [str(tmp_path / n) for n in ("a-broken.json", "b-vllm-bench-serve.json", "c-guidellm.json",
                                                      "d-client.json")]


def test_an_unsupported_guidellm_file_is_an_error_not_silence(tmp_path: Path) -> None:
    (tmp_path / "guidellm.json").write_text('{"metadata": {"version": 7}, "benchmarks": []}')
    found = find_load_results(str(tmp_path))
    assert found.used is None and [str(e) for e in found.errors] == [
        f"{tmp_path / 'guidellm.json'}: unknown guidellm JSON schema metadata.version=7 (known: 1, 2); "
        "upgrade speclens, or export the run with a supported guidellm"]
