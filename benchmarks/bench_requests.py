"""Time reading a 100,000-request guidellm 0.8.1 result JSON into the request table (issue 23: under 5 s).

usage: .venv/bin/python benchmarks/bench_requests.py [--requests 100000] [--runs 3] [--keep DIR [--reuse]]

Generates a guidellm-0.8.1-shaped JSON: the first benchmark of the recorded
fixtures/recorded/per-request/detailed-c2/guidellm_results.json with its successful requests
repeated (their records copied whole: request_args, output, info, input/output_metrics,
response_metrics.speculative_decoding with per-step arrays) up to N, each with its own request_id.
Then times, median of --runs, one row per stage of the path `speclens requests FILE.json` takes
(parsers.request_metrics.read_request_set): msgspec's decode of only the fields read into Structs
(parsers.request_metrics_guidellm.guidellm_structs), the typed records built from them
(guidellm_records), the polars table (analyzers.requests_table.table), and the whole
`read_request_set` + table. For comparison: orjson's and json's whole dict tree (what the reader
parsed before msgspec), and the records of an already-parsed dict document (a run directory's load
results, read once by parsers.load_results: `request_set_of`, msgspec.convert into the same Structs).
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from speclens.analyzers.requests_table.sources import Part
from speclens.analyzers.requests_table.table import request_table
from speclens.parsers.request_metrics import paused_gc, read_request_set, request_set_of
from speclens.parsers.request_metrics_guidellm import guidellm_records, guidellm_structs

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "fixtures" / "recorded" / "per-request" / "detailed-c2" / "guidellm_results.json"


def make_json(path: Path, count: int) -> int:
    doc = json.loads(RECORDED.read_text())
    bench = doc["benchmarks"][0]
    doc["benchmarks"] = [bench]
    recorded = bench["requests"]["successful"]
    rows = []
    for i in range(count):
        row = copy.copy(recorded[i % len(recorded)])
        row["request_id"] = f"bench-{i:06d}"
        rows.append(row)
    bench["requests"]["successful"] = rows
    bench["metrics"]["request_totals"]["successful"] = count
    data = orjson.dumps(doc)
    path.write_bytes(data)
    return len(data)


def timed(fn, runs: int) -> tuple[tuple[float, float], object]:
    """Median (wall, CPU) seconds of `fn()` and its last result (CPU time: what a quiet machine's wall
    time would be, nearly, when other work shares the cores); the previous result is freed before each run
    and the collector paused as the readers pause it (parsers.request_metrics.paused_gc)."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        result = None
        gc.collect()
        with paused_gc():
            start, start_cpu = time.perf_counter(), time.process_time()
            result = fn()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return (statistics.median(times), statistics.median(cpu)), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="write the JSON here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="with --keep: use the JSON already there")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="bench_requests_")
    path = Path(folder) / "guidellm_results.json"
    size = path.stat().st_size if args.reuse and path.exists() else make_json(path, args.requests)
    raw, name = path.read_bytes(), str(path)
    t_json, _ = timed(lambda: json.loads(raw), args.runs)
    _ = None
    t_orjson, doc = timed(lambda: orjson.loads(raw), args.runs)
    t_dict_records, _ = timed(lambda: request_set_of(name, doc, None), args.runs)
    _ = doc = None
    t_structs, benches = timed(lambda: guidellm_structs(name, raw), args.runs)
    t_records, found = timed(lambda: guidellm_records(name, benches, None), args.runs)
    benches = None
    part = Part(name, None, None, None, found)
    t_table, table = timed(lambda: request_table([part]), args.runs)
    found = table = part = None
    t_total, whole = timed(lambda: request_table([Part(name, None, None, None, read_request_set(name))]), args.runs)
    print(f"{args.requests} requests, {size / 1e6:.0f} MB, median of {args.runs} (os.cpu_count() = {os.cpu_count()})")
    print("| step | wall s | CPU s |\n|---|---|---|")
    for label, value in (("msgspec decode, fields read only (guidellm_structs)", t_structs),
                         ("typed records from the Structs (guidellm_records)", t_records),
                         ("polars table (column-wise)", t_table),
                         ("total: read_request_set + table", t_total),
                         ("for comparison: json.loads, whole dict tree", t_json),
                         ("for comparison: orjson.loads, whole dict tree", t_orjson),
                         ("for comparison: records of a parsed dict doc (request_set_of)", t_dict_records)):
        print(f"| {label} | {value[0]:.2f} | {value[1]:.2f} |")
    assert whole.height == args.requests  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
