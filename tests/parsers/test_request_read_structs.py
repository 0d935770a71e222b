"""The guidellm per-request reader on msgspec Structs (parsers.request_metrics_guidellm) gives exactly
what the dict reader it replaced gave: the same records, violations (with their locations), sampled
flags and errors, on every guidellm JSON in fixtures/ and the shared recordings and on hand-written
bad files; malformed JSON still ends in one ParseError line.

`_reference` is the replaced dict reader (parsers.request_metrics_readers.guidellm_specs before
msgspec), kept here as the oracle: it reads each row through parsers.guidellm.request_row."""

from __future__ import annotations

import glob
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import detect_schema, request_row
from speclens.parsers.load_config import whole
from speclens.parsers.load_results import GUIDELLM, load_driver
from speclens.parsers.request_metrics import read_request_set, read_request_specs, request_set_of
from speclens.parsers.request_metrics_guidellm import guidellm_structs
from speclens.parsers.request_metrics_records import (RequestSeen, RequestSpec, RequestSpecSet, Violation,
                                                      spec_record)

from tests.conftest import ROOT

SHARED = Path("/work/shared/recordings")


def _sampled(bench: dict, rows: int) -> bool | None:
    totals = (bench.get("metrics") or {}).get("request_totals") if isinstance(bench.get("metrics"), dict) else None
    counted = whole(totals.get("successful")) if isinstance(totals, dict) else None
    if counted is not None:
        return rows < counted
    config = bench.get("config")
    if isinstance(config, dict) and "sample_size" in config:
        return config["sample_size"] is not None
    return None


def _reference(path: str, doc: Any, category: str | None = None) -> RequestSpecSet:
    detect_schema(path, doc)
    records, violations, seen, flags, without = [], [], [], [], 0
    for i, bench in enumerate(doc["benchmarks"]):
        if not isinstance(bench, dict):
            continue
        requests = bench.get("requests") if isinstance(bench.get("requests"), dict) else {}
        rows = requests.get("successful") if isinstance(requests.get("successful"), list) else []
        for j, r in enumerate(rows):
            if not isinstance(r, dict):
                continue
            source = f"{path}:benchmarks[{i}].requests.successful[{j}]"
            row, rid = request_row("successful", r), r.get("request_id") or r.get("response_id")
            rid = rid if isinstance(rid, str) else None
            metrics = r.get("response_metrics")
            raw = metrics.get("speculative_decoding") if isinstance(metrics, dict) else None
            spec = None
            if raw is None:
                without += 1
            else:
                got = spec_record(raw, source, f"{source}.response_metrics.speculative_decoding", request_id=rid,
                                  prompt_tokens=row.prompt_tokens, output_tokens=row.output_tokens,
                                  latency_s=row.latency_s, category=category,
                                  ttft_s=row.ttft_ms / 1000.0 if row.ttft_ms is not None else None)
                if isinstance(got, RequestSpec):
                    records.append(spec := got)
                else:
                    violations.append(got)
            seen.append(RequestSeen(rid, source, row.prompt_tokens, row.output_tokens, row.latency_s, row.ttft_ms,
                                    row.itl_ms, category, spec))
        flags.append(_sampled(bench, sum(isinstance(r, dict) for r in rows)))
    sampled = True if True in flags else None if None in flags or not flags else False
    return RequestSpecSet(tuple(records), "guidellm", len(seen), without, sampled, tuple(violations), tuple(seen))


def _guidellm_files() -> list[str]:
    found = []
    for name in sorted(glob.glob(f"{ROOT}/fixtures/**/*.json", recursive=True)
                       + glob.glob(f"{SHARED}/**/*.json", recursive=True)):
        try:
            doc = orjson.loads(Path(name).read_bytes())
        except orjson.JSONDecodeError:
            continue
        if load_driver(doc) == GUIDELLM:
            found.append(name)
    return found


FILES = _guidellm_files()


def test_every_recorded_guidellm_json_reads_as_the_dict_reader_read_it() -> None:
    assert len(FILES) >= 40  # 63 when written: fixtures/ (every guidellm generation) and the shared recordings
    with_records = 0
    for name in FILES:
        doc = orjson.loads(Path(name).read_bytes())
        assert guidellm_structs(name, Path(name).read_bytes()) is not None, name  # the Struct path is the one taken
        expected = _reference(name, doc, "cat")
        assert read_request_set(name, "cat") == expected, name  # from the bytes
        assert request_set_of(name, doc, "cat") == expected, name  # from a parsed document (run directories)
        with_records += bool(expected.records)
    assert with_records >= 15  # the per-request, categories, sweep and trap fixtures carry records


def _bench(rows: Any, **extra: Any) -> dict:
    return {"config": {"strategy": {"type_": "synchronous"}}, "requests": {"successful": rows}, **extra}


def _doc(*benches: Any) -> dict:
    return {"metadata": {"version": 2, "guidellm_version": "0.8.1"}, "config": {}, "benchmarks": list(benches),
            "conclusions": {}}


# k = 2, histogram [1, 1, 2]: steps 1 + 1 + 2 = 4, accepted 0·1 + 1·1 + 2·2 = 5, drafted 4·2 = 8
GOOD = {"acceptance_histogram": [1, 1, 2], "num_spec_steps": 4, "num_accepted_draft_tokens": 5,
        "num_draft_tokens": 8, "num_spec_tokens": 2, "mean_acceptance_length": 2.25, "draft_acceptance_rate": 0.625}


def _row(rid: Any, spec: Any = None, **extra: Any) -> dict:
    row = {"request_id": rid, "prompt_tokens": 10, "output_tokens": 20, "request_latency": 1.5,
           "time_to_first_token_ms": 120, "inter_token_latency_ms": 7.5,
           "response_metrics": {"speculative_decoding": spec}}
    return row | extra


BAD = [
    _row("ok", GOOD),
    _row("string-count", GOOD | {"num_spec_steps": "4"}),
    _row("bool-count", GOOD | {"num_spec_tokens": True}),
    _row("float-count", GOOD | {"num_draft_tokens": 8.0}),
    _row("no-hist", {key: value for key, value in GOOD.items() if key != "acceptance_histogram"}),
    _row("hist-len", GOOD | {"acceptance_histogram": [1, 1, 2, 0]}),  # 4 bins, k + 1 = 3
    _row("not-object", [1, 2]),
    "a request that is not an object",
    _row(None, GOOD, response_id="chatcmpl-x", prompt_tokens=None, input_metrics={"text_tokens": 9.7},
         output_tokens=True, request_latency="1", time_to_first_token_ms=None),
    _row("metrics-a-string", None, response_metrics="n/a"),
]


def test_hand_written_bad_records_fail_as_before_with_their_location(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    doc = _doc(_bench(BAD, metrics={"request_totals": {"successful": 10}}), "not a benchmark",
               _bench({"not": "a list"}, config={"sample_size": None}))
    path.write_text(json.dumps(doc))
    got = read_request_set(str(path))
    assert got == _reference(str(path), doc)
    at = f"{path}:benchmarks[0].requests.successful"
    where = ".response_metrics.speculative_decoding"
    assert [(v.location, v.what) for v in got.violations] == [
        (f"{at}[1]{where}", "missing or not made of non-negative integers: num_spec_steps"),
        (f"{at}[2]{where}", "missing or not made of non-negative integers: num_spec_tokens"),
        (f"{at}[3]{where}", "missing or not made of non-negative integers: num_draft_tokens"),
        (f"{at}[4]{where}", "missing or not made of non-negative integers: acceptance_histogram"),
        (f"{at}[5]{where}", "len(histogram) 4 != num_spec_tokens + 1 = 3"),
        (f"{at}[6]{where}", "expected an object, got list")]
    assert [r.request_id for r in got.records] == ["ok", "chatcmpl-x"]
    fallback = got.requests[7]  # index 8: the row after the non-object one (index 7, skipped)
    assert fallback.source == f"{at}[8]"
    # prompt: input_metrics.text_tokens 9.7 -> int() 9; output True and latency "1" are not numbers: None
    assert (fallback.prompt_tokens, fallback.output_tokens, fallback.latency_s) == (9, None, None)
    assert fallback.ttft_ms is None
    assert got.requests[8].spec is None and got.without_metrics == 1  # response_metrics "n/a": no record
    # 9 request objects (one of 10 rows is a string) < 10 counted: a sample; benchmark 2 has no list: False
    assert (got.requests_seen, got.sampled) == (9, True)


@pytest.mark.parametrize(("config", "metrics", "sampled"), [
    ({"sample_size": None}, None, False),  # no totals: the reservoir setting decides
    ({"sample_size": 5}, {"request_totals": "n/a"}, True),
    ({}, None, None),  # neither: unknown
    ({"sample_size": 5}, {"request_totals": {"successful": 1}}, False),  # totals win: 1 row of 1
])
def test_sampled_as_before(tmp_path: Path, config: dict, metrics: Any, sampled: bool | None) -> None:
    path = tmp_path / "g.json"
    doc = _doc(_bench([_row("a", GOOD)], config=config, metrics=metrics))
    path.write_text(json.dumps(doc))
    got = read_request_set(str(path))
    assert got == _reference(str(path), doc) and got.sampled is sampled


@pytest.mark.parametrize(("doc", "expected"), [
    ({"metadata": {"version": 7}, "benchmarks": [_bench([_row("a", GOOD)])]}, "unknown guidellm JSON schema"),
    ({"benchmarks": [{"benchmarks": [], "x": 1}]}, "guidellm 0.1 JSON"),
])
def test_guidellm_generations_not_read_give_the_same_error(tmp_path: Path, doc: dict, expected: str) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ParseError, match=expected) as new:
        read_request_set(str(path))
    with pytest.raises(ParseError) as old:
        _reference(str(path), doc)
    assert str(new.value) == str(old.value)


def test_other_documents_still_read_by_the_dict_path(tmp_path: Path) -> None:
    response = {"id": "r1", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4},
                "metrics": {"speculative_decoding": GOOD}}
    path = tmp_path / "responses.json"
    path.write_text(json.dumps([response]))
    assert guidellm_structs(str(path), path.read_bytes()) is None
    assert read_request_specs(str(path)).records[0].request_id == "r1"
    vllm_bench = tmp_path / "bench.json"  # the aggregate keys of vllm bench serve win over a `benchmarks` key
    vllm_bench.write_text(json.dumps({"completed": 1, "duration": 2.0, "request_throughput": 0.5, "benchmarks": []}))
    assert guidellm_structs(str(vllm_bench), vllm_bench.read_bytes()) is None
    assert read_request_set(str(vllm_bench)) is None


GOOD_FILE = json.dumps(_doc(_bench([_row("a", GOOD)]))).encode()


@pytest.mark.parametrize(("data", "expected"), [
    (GOOD_FILE[:-40], "invalid JSON"),  # truncated
    (GOOD_FILE[:30] + b"\xff" + GOOD_FILE[30:], "expected UTF-8 JSON, found an invalid byte at offset 30"),
    (GOOD_FILE[:-1] + b"x}", "invalid JSON"),  # a stray byte before the last brace
])
def test_malformed_json_is_one_clear_line_and_a_failing_exit(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "g.json"
    path.write_bytes(data)
    with pytest.raises(ParseError, match=expected):
        read_request_set(str(path))
    out = tmp_path / "t.csv"
    done = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "requests", str(path), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and not out.exists()
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and expected in lines[0], done.stderr
    assert "Traceback" not in done.stderr
