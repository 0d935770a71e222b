"""The last lines of a run_eval.sh run with a baseline: one verdict line per load level, taken as they are
from `speclens speedup BASELINE_DIR SPEC_DIR --format json` (nothing is computed here: the level's label,
its verdict and the deciding metric's speedup and 95% interval, undefined values printed as n/a).

usage: python launchers/verdicts.py BASELINE_DIR SPEC_DIR     (exit status: speclens speedup's)
"""

from __future__ import annotations

import json
import subprocess
import sys


def _x(value: float | None, pattern: str) -> str:
    return "n/a" if value is None else pattern.format(value)


def verdict_line(level: dict) -> str:
    """`verdict <load>: <verdict> (<metric> speedup 0.950x, 95% CI [0.900, 1.010])` for one speedup level."""
    metric = level.get("decided_by") or "output_throughput"
    c = next((c for c in level.get("comparisons") or [] if c.get("metric") == metric), {})
    ci = "n/a" if c.get("ci_low") is None or c.get("ci_high") is None else f"[{c['ci_low']:.3f}, {c['ci_high']:.3f}]"
    why = f"; {level['summary']}" if level.get("summary") else ""
    return (f"verdict {level['label']}: {level['verdict']} ({metric} speedup {_x(c.get('speedup'), '{:.3f}x')}, "
            f"95% CI {ci}{why})")


def main(argv: list[str]) -> int:
    base, spec = argv
    done = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "speedup", base, spec, "--format", "json"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return done.returncode
    for level in json.loads(done.stdout).get("levels") or []:
        print(verdict_line(level))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
