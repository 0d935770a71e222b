"""What a file looks like (`parsers.sniff`), on real files of every kind the project keeps."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from speclens.parsers.sniff import sniff

from tests.conftest import CONSTRUCTED, RECORDED, ROOT

DRIVERS = ROOT / "fixtures" / "recorded" / "load-drivers"


@pytest.mark.parametrize(("path", "kind"), [
    (RECORDED / "draft-greedy", "run_dir"),
    (RECORDED / "draft-greedy" / "vllm_server.log", "vllm_log"),
    (CONSTRUCTED / "vllm-restart-newyear.log.gz", "vllm_log"),
    (CONSTRUCTED / "vllm-0.11.0-eagle3-ansi.log", "vllm_log"),
    (CONSTRUCTED / "vllm-v0-cumulative.log", "vllm_log"),
    (RECORDED / "draft-greedy" / "metrics_after.prom", "prometheus"),
    (RECORDED / "draft-greedy" / "guidellm_results.json", "guidellm_json"),
    (RECORDED / "draft-greedy" / "guidellm_output.log", "guidellm_console"),
    (DRIVERS / "guidellm-0.3.1-synchronous" / "guidellm_output.log", "guidellm_console"),
    (DRIVERS / "guidellm-0.3.1-synchronous" / "guidellm_results.json", "guidellm_json"),
    (DRIVERS / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_result.json", "vllm_bench_json"),
    (DRIVERS / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_output.log", "vllm_bench_console"),
    (ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline" / "run.json", "run_json"),
    (ROOT / "README.md", "unknown_text"),
    (ROOT / "tests" / "data" / "acceptance-schema1.json", "speclens_report"),
])
def test_real_files(path: Path, kind: str) -> None:
    assert sniff(str(path)).kind == kind


def test_empty_binary_and_odd_files(tmp_path: Path) -> None:
    (tmp_path / "empty.log").write_bytes(b"")
    (tmp_path / "bin.log").write_bytes(bytes(range(256)))
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "other.json").write_text('{"a": 1}')
    (tmp_path / "cut.json").write_text('{"benchmarks": [')
    (tmp_path / "stats.txt").write_text("Engine 000: Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 2.0\n")
    (tmp_path / "m.txt").write_text("# HELP x y\n# TYPE x counter\nx_total 3.0\nx_created 1.7e9\n")
    with gzip.open(tmp_path / "m.gz", "wt") as handle:
        handle.write("INFO 01-02 03:04:05 [metrics.py:1] SpecDecoding metrics: Accepted: 1 tokens, Drafted: 3 tokens\n")
    kinds = {p.name: sniff(str(p)).kind for p in tmp_path.iterdir()}
    assert kinds == {"empty.log": "empty", "bin.log": "binary", "bad.gz": "binary", "other.json": "unknown_json",
                     "cut.json": "unknown_json", "stats.txt": "vllm_log", "m.txt": "prometheus", "m.gz": "vllm_log"}
    assert sniff(str(tmp_path)).kind == "directory"


def test_hint_names_the_reading_command() -> None:
    hint = sniff(str(RECORDED / "draft-greedy" / "guidellm_results.json")).hint()
    assert hint == ("a guidellm result JSON (load-driver timings, no acceptance counts); "
                    "read it with `speclens speedup` or `speclens compare`")
