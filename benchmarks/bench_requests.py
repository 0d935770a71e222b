"""Time reading a 100,000-request guidellm 0.8.1 result JSON into the request table (issue 23: under 5 s).

usage: .venv/bin/python benchmarks/bench_requests.py [--requests 100000] [--runs 3] [--keep DIR [--reuse]]

Generates a guidellm-0.8.1-shaped JSON: the first benchmark of the recorded
fixtures/recorded/per-request/detailed-c2/guidellm_results.json with its successful requests
repeated (their records copied whole: request_args, output, info, input/output_metrics,
response_metrics.speculative_decoding with per-step arrays) up to N, each with its own request_id.
Then times, median of --runs: the JSON parse alone (orjson, which parsers.request_metrics uses, and
the standard json for comparison), building the typed records (parsers.request_metrics.request_set_of),
building the polars table (analyzers.requests_table.table), and the whole `read_request_set` + table.
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
    raw = path.read_bytes()
    t_json, _ = timed(lambda: json.loads(raw), args.runs)
    _ = None
    t_orjson, doc = timed(lambda: orjson.loads(raw), args.runs)
    t_records, found = timed(lambda: request_set_of(str(path), doc, None), args.runs)
    part = Part(str(path), None, None, None, found)
    t_table, table = timed(lambda: request_table([part]), args.runs)
    found = table = part = doc = None
    t_total, whole = timed(lambda: request_table([Part(str(path), None, None, None, read_request_set(str(path)))]),
                       args.runs)
    print(f"{args.requests} requests, {size / 1e6:.0f} MB, median of {args.runs} (os.cpu_count() = {os.cpu_count()})")
    print("| step | wall s | CPU s |\n|---|---|---|")
    for name, value in (("json.loads (stdlib, for comparison)", t_json), ("orjson.loads (used)", t_orjson),
                        ("typed records (request_set_of)", t_records), ("polars table (column-wise)", t_table),
                        ("total: read_request_set + table", t_total)):
        print(f"| {name} | {value[0]:.2f} | {value[1]:.2f} |")
    assert whole.height == args.requests  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
