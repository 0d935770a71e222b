"""Time `speclens acceptance` on large generated vLLM logs against grep and a naive Python parser.

For each size, on the same page-cached file, in one run, median of `--runs`:
  (a) `grep -F -c 'SpecDecoding metrics' FILE` (output to a pipe: GNU grep stops at the first
      match when its output is /dev/null), the practical scan limit of the machine;
  (b) `benchmarks/naive_parser.py FILE`, the line-by-line regex parser users' scripts are;
  (c) `speclens acceptance FILE --format json`.
Wall time, MB/s, peak RSS of the largest process (`/usr/bin/time -f %M`, else
`getrusage(RUSAGE_CHILDREN)` of a fresh subprocess) and of the whole process tree (sampled sum
of VmRSS every 20 ms: speclens may fork scan workers), the ratios (c)/(a) and (b)/(c), and an
exact check that (b), (c) and the generator's truth agree (Accepted and Drafted totals and spec
lines per server lifetime) and that grep counts the same spec lines.

    .venv/bin/python benchmarks/bench_scan.py --sizes 100M,1G,5G --runs 3

Files are generated once into `--cache-dir` (default ~/.cache/speclens/bench) and reused while
the seed, size and generator version match. `--baseline-repo DIR` adds a row for speclens run
from another checkout (e.g. before a change); `--speclens-env K=V` sets environment variables for
(c) (e.g. SPECLENS_SCAN_WORKERS=0); `--breakdown` adds rows for speclens in one process (c1,
SPECLENS_SCAN_WORKERS=0; by default (c) forks the scan pool, one worker per CPU, for files >= 128 MB), with
plain `bytes.find` instead of the SIMD search (c2), and the file's BLAKE3 digest alone (d) (the
input digest every speclens report carries, analyzers/digest.py) beside its sha256 (d0, the digest
reports carried before). `--densities dense,sparse` also times sparse logs (gen_log.py --density
sparse: ~7k marker lines per GB, a long-running server's log), cached as vllm_SIZE_sparse_seedN.log.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

import gen_log  # noqa: E402 - a sibling module: the script's own directory is on sys.path

TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
NAIVE_LIMIT_S = 300.0


# --- machine -----------------------------------------------------------------------------------
def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
            mem = f"{kb / (1 << 20):.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cpus
    return (f"CPU: {model}, {cpus} logical cores ({usable} usable); RAM {mem}; "
            f"Python {platform.python_version()}; {platform.system()} {platform.release()}")


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# --- files ---------------------------------------------------------------------------------------
def checkout_speclens(repo: str) -> list[str]:
    """The argv that runs `speclens` from another checkout: one with the speclens.* namespace (its folders
    linked under a `speclens/` directory in the checkout's .bench-ns/), or an older one with top-level
    `analyzers`. Also used by bench_startup.py."""
    ns = os.path.join(repo, ".bench-ns", "speclens")
    os.makedirs(ns, exist_ok=True)
    for name in ("base", "parsers", "analyzers", "clients", "launchers"):
        link = os.path.join(ns, name)
        if os.path.isdir(os.path.join(repo, name)) and not os.path.islink(link):
            os.symlink(os.path.join(repo, name), link)
    code = (f"import sys; sys.path[:0] = [{os.path.dirname(ns)!r}, {repo!r}]\n"
            "try:\n    from speclens.analyzers.cli import main\nexcept ImportError:\n    from analyzers.cli import main\n"
            "sys.argv[0] = 'speclens'\nmain()")
    return [sys.executable, "-c", code]


def baseline_command(repo: str, path: str) -> list[str]:
    """`speclens acceptance PATH --format json` run from another checkout (`checkout_speclens`)."""
    return [*checkout_speclens(repo), "acceptance", path, "--format", "json"]


def ensure_log(cache: str, size: str, seed: int, density: str = "dense") -> tuple[str, dict]:
    path = os.path.join(cache, f"vllm_{size}_seed{seed}.log" if density == "dense" else f"vllm_{size}_{density}_seed{seed}.log")
    truth_path = path + ".truth.json"
    if os.path.exists(path) and os.path.exists(truth_path):
        with open(truth_path, encoding="utf-8") as handle:
            truth = json.load(handle)
        if (truth.get("generator_version") == gen_log.GENERATOR_VERSION and truth.get("seed") == seed
                and truth.get("size") == size and os.path.getsize(path) == truth.get("bytes")
                and truth.get("density", "dense") == density):
            return path, truth
    need = gen_log.parse_size(size) * 1.05 + (64 << 20)
    free = shutil.disk_usage(cache).free
    if free < need:
        raise SystemExit(f"not enough disk space in {cache} for the {size} log: {free / 1e9:.1f} GB free, "
                         f"{need / 1e9:.1f} GB needed")
    print(f"generating {path} ...", file=sys.stderr)
    t0 = time.perf_counter()
    truth = gen_log.generate(size, seed, path, density)
    print(f"  {truth['bytes'] / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path, truth


def ensure_gzip(path: str) -> str:
    """`path`.gz (gzip -6, the default level of logrotate's compress), made once and reused while
    newer than `path`."""
    packed = path + ".gz"
    if os.path.exists(packed) and os.path.getmtime(packed) >= os.path.getmtime(path):
        return packed
    print(f"compressing {path} -> {packed} ...", file=sys.stderr)
    t0 = time.perf_counter()
    with open(packed + ".tmp", "wb") as out:
        subprocess.run(["gzip", "-6", "-c", path], stdout=out, check=True)
    os.replace(packed + ".tmp", packed)
    print(f"  {os.path.getsize(packed) / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return packed


def warm(path: str) -> float:
    """Read the file once so every timed run sees it page-cached; returns the read time."""
    buf = bytearray(8 << 20)
    t0 = time.perf_counter()
    with open(path, "rb", buffering=0) as handle:
        while handle.readinto(buf):
            pass
    return time.perf_counter() - t0


# --- running ---------------------------------------------------------------------------------------
def _tree_rss_kb(root: int) -> int:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
                todo.extend(int(x) for x in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


class Run:
    __slots__ = ("wall", "rss_kb", "tree_kb", "stdout", "code", "cpu")

    def __init__(self, wall: float, rss_kb: int, tree_kb: int, stdout: bytes, code: int, cpu: float) -> None:
        self.wall, self.rss_kb, self.tree_kb, self.stdout, self.code = wall, rss_kb, tree_kb, stdout, code
        self.cpu = cpu  # user + system seconds of the process and its children: steadier than wall on a busy machine


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> Run:
    """Run `cmd` in a fresh process, stdout to a temporary file (never /dev/null)."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r", suffix=".time") as tfile:
        full = [TIME, "-f", "%e %M", "-o", tfile.name, *cmd] if TIME else cmd
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=subprocess.PIPE, env=env, cwd=cwd)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime - cpu_before  # includes /usr/bin/time itself: negligible
        rss = 0
        if TIME:
            lines = tfile.read().split("\n")
            fields = next((line.split() for line in reversed(lines) if line.strip()), [])
            if len(fields) == 2:
                rss = int(fields[1])
        else:
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            rss = rss if rss > before else 0  # only meaningful if this child set a new maximum
        out.seek(0)
        stdout = out.read()
        if proc.returncode != 0:
            sys.stderr.write(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode(errors='replace')[-2000:]}\n")
        return Run(wall, rss, peak[0], stdout, proc.returncode, cpu)


# --- results ---------------------------------------------------------------------------------------
def speclens_segments(stdout: bytes) -> list[tuple[int, int, int]]:
    report = json.loads(stdout)
    sources = report["targets"][0]["sources"]
    logs = [s for s in sources if s["kind"] == "log_intervals"]
    logs.sort(key=lambda s: int(s["id"].split(":")[1]))
    return [(s["log"]["intervals_used"], s["counts"]["accepted_tokens"], s["counts"]["draft_tokens"]) for s in logs]


def naive_segments(stdout: bytes) -> list[tuple[int, int, int]]:
    return [(s["spec_lines"], s["accepted"], s["drafted"]) for s in json.loads(stdout)["segments"]]


def truth_segments(truth: dict) -> list[tuple[int, int, int]]:
    return [(s["spec_lines"], s["accepted"], s["drafted"]) for s in truth["segments"] if s["spec_lines"]]


def fmt_mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB" if kb else "?"


def bench_size(size: str, path: str, truth: dict, runs: int, speclens: list[str], env: dict[str, str],
               baseline: str | None, naive_limit: float, rows: list[str], problems: list[str],
               naive_rate: list[float], breakdown: bool = False) -> None:
    nbytes = truth["bytes"] if path.endswith(".gz") else os.path.getsize(path)  # MB/s of the log's text
    mb = nbytes / 1e6
    warm_s = warm(path)
    print(f"[{size}] {mb:.0f} MB, page cache warmed ({warm_s:.2f} s), load {load()}", file=sys.stderr)
    want = truth_segments(truth)
    spec_total = sum(s[0] for s in want)
    tools: list[tuple[str, list[str], dict | None, str | None, str]] = [
        ("(a) grep -F -c", ["grep", "-F", "-c", "SpecDecoding metrics", path], None, None, "grep"),
        ("(b) naive Python parser", [sys.executable, os.path.join(HERE, "naive_parser.py"), path], None, None, "naive"),
        ("(c) speclens acceptance --format json", [*speclens, "acceptance", path, "--format", "json"], env, None, "speclens"),
    ]
    if path.endswith(".gz"):  # the same log gzip'd: grep through zcat, the naive parser through gzip.open, speclens with ISA-L (c) and zlib (c3)
        tools[0] = ("(a) zgrep -F -c (gzip -dc | grep)", ["zgrep", "-F", "-c", "SpecDecoding metrics", path], None, None,
                    "grep")
        tools.append(("(c3) speclens, zlib inflate instead of ISA-L (SPECLENS_GZIP=zlib)", tools[2][1],
                      {**env, "SPECLENS_GZIP": "zlib"}, None, "speclens"))
    if breakdown:  # where (c)'s time goes: the same command with one part switched off, and its hash alone
        tools += [
            ("(c1) speclens, one process (SPECLENS_SCAN_WORKERS=0)", tools[2][1], {**env, "SPECLENS_SCAN_WORKERS": "0"},
             None, "speclens"),
            ("(c2) speclens, bytes.find instead of SIMD (SPECLENS_SIMD=0)", tools[2][1], {**env, "SPECLENS_SIMD": "0"},
             None, "speclens"),
            ("(d) blake3 of the file alone (the report's input digest, as (c) computes it)",
             [sys.executable, "-c", "import sys\nfrom blake3 import blake3\nh = blake3()\nwith open(sys.argv[1], 'rb') as f:\n"
              "    while b := f.read(1 << 20):\n        h.update(b)\nprint(h.hexdigest())", path], None, None, "reference"),
            ("(d0) sha256 of the file alone (hashlib: the digest before blake3)",
             [sys.executable, "-c", "import hashlib, sys\nh = hashlib.sha256()\nwith open(sys.argv[1], 'rb') as f:\n"
              "    while b := f.read(1 << 20):\n        h.update(b)\nprint(h.hexdigest())", path], None, None, "reference"),
        ]
    if baseline:
        tools.append((f"(c0) speclens @ {baseline}", baseline_command(baseline, path), env, baseline, "speclens"))
    results: dict[str, tuple[float, int, int, int] | None] = {}
    naive_runs = runs
    if naive_rate:
        predicted = nbytes / naive_rate[0]
        if predicted > naive_limit:
            naive_runs = 1 if predicted < 3 * naive_limit else 0
    for label, cmd, tool_env, cwd, kind in tools:
        n = naive_runs if kind == "naive" else runs
        if n == 0:
            results[label] = None
            continue
        walls, rss, tree, cpus = [], [], [], []
        for i in range(n):
            r = run(cmd, {**os.environ, **tool_env} if tool_env else None, cwd)
            walls.append(r.wall)
            cpus.append(r.cpu)
            rss.append(r.rss_kb)
            tree.append(r.tree_kb)
            if r.code != 0:
                problems.append(f"{size}: {label} exited {r.code}")
                continue
            if i == 0:  # the outputs are deterministic: check the first run of each tool
                try:
                    if kind == "reference":
                        pass
                    elif kind == "grep":
                        got_count = int(r.stdout.strip())
                        if got_count != spec_total:
                            problems.append(f"{size}: grep counted {got_count} spec lines, truth {spec_total}")
                    else:
                        got = speclens_segments(r.stdout) if kind == "speclens" else naive_segments(r.stdout)
                        if got != want:
                            problems.append(f"{size}: {label} gives {got}, truth {want}")
                except (ValueError, KeyError, IndexError) as err:
                    problems.append(f"{size}: {label}: unreadable output ({err})")
            print(f"  {label}: {r.wall:.2f} s (CPU {r.cpu:.2f} s), {fmt_mb(r.rss_kb)} (tree {fmt_mb(r.tree_kb)})",
                  file=sys.stderr)
        results[label] = (statistics.median(walls), max(rss), max(tree), n, statistics.median(cpus))
        if kind == "naive":
            naive_rate[:] = [nbytes / statistics.median(walls)]
    grep = results[tools[0][0]]
    naive = results[tools[1][0]]
    for label, _cmd, _env, _cwd, kind in tools:
        res = results[label]
        if res is None:
            rows.append(f"| {size} | {label} | skipped: predicted > {naive_limit:.0f} s | | | | | | | |")
            continue
        wall, rss, tree, n, cpu = res
        vs_grep = f"{wall / grep[0]:.1f}x" if grep else ""
        vs_naive = f"{naive[0] / wall:.1f}x" if naive and kind == "speclens" else ""
        cpu_vs_grep = f"{cpu / grep[4]:.1f}x" if grep and grep[4] > 0 else ""
        rows.append(f"| {size} | {label} | {wall:.2f} | {mb / wall:,.0f} | {cpu:.2f} | {fmt_mb(rss)} | {fmt_mb(tree)} | "
                    f"{vs_grep} | {cpu_vs_grep} | {vs_naive} | {n} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100M,1G,5G")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--densities", default="dense", help="dense, sparse or both (comma-separated)")
    ap.add_argument("--cache-dir", default=os.path.expanduser("~/.cache/speclens/bench"))
    ap.add_argument("--speclens", default=os.path.join(os.path.dirname(sys.executable), "speclens"),
                    help="the speclens executable (default: next to this Python)")
    ap.add_argument("--speclens-env", action="append", default=[], metavar="K=V")
    ap.add_argument("--baseline-repo", help="also time speclens from this checkout (row c0)")
    ap.add_argument("--breakdown", action="store_true",
                    help="also time speclens in one process (c1, no scan pool), without SIMD search (c2), and the digests alone (d, d0)")
    ap.add_argument("--gzip", action="store_true",
                    help="also time each log gzip'd (-6, cached beside it): zgrep, the naive parser, speclens with ISA-L (c) and zlib (c3)")
    ap.add_argument("--naive-limit", type=float, default=NAIVE_LIMIT_S,
                    help="skip (b) (or run it once) when its predicted time exceeds this many seconds")
    args = ap.parse_args(argv)
    os.makedirs(args.cache_dir, exist_ok=True)
    speclens = [args.speclens] if os.access(args.speclens, os.X_OK) else [sys.executable, "-m", "speclens.analyzers.cli"]
    env = dict(kv.split("=", 1) for kv in args.speclens_env)
    rows = ["| size | tool | wall s (median) | MB/s | CPU s (user+sys, median) | peak RSS (largest process) | "
            "peak RSS (process tree) | wall / grep | CPU / grep | naive / this (wall) | runs |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    problems: list[str] = []
    naive_rate: list[float] = []
    start_load = load()
    densities = [d.strip() for d in args.densities.split(",") if d.strip()]
    if not set(densities) <= set(gen_log.DENSITIES):
        raise SystemExit(f"--densities: expected {' or '.join(gen_log.DENSITIES)}, got {args.densities!r}")
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        for density in densities:
            path, truth = ensure_log(args.cache_dir, size, args.seed, density)
            label = size if density == "dense" else f"{size} {density}"
            bench_size(label, path, truth, args.runs, speclens, env, args.baseline_repo, args.naive_limit,
                       rows, problems, naive_rate, args.breakdown)
            if args.gzip:
                bench_size(f"{label} gzip", ensure_gzip(path), truth, args.runs, speclens, env, args.baseline_repo,
                           args.naive_limit, rows, problems, [], args.breakdown)
    print()
    print(machine())
    print(f"Load average at start / end: {start_load} / {load()}. Files: {args.cache_dir} (seed {args.seed}).")
    if env:
        print(f"speclens environment: {' '.join(f'{k}={v}' for k, v in env.items())}")
    print()
    print("\n".join(rows))
    print()
    if problems:
        print("RESULTS DISAGREE:")
        for p in problems:
            print(f"- {p}")
        return 1
    print("Results agree exactly: naive parser, speclens and the generator's truth (spec lines, Accepted and "
          "Drafted per server lifetime); grep counts the same spec lines.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
