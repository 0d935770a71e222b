"""One spelling of a load level (analyzers.speedup.load_metrics.load_label) in compare, speedup and report."""

from __future__ import annotations

from speclens.analyzers.compare.table import compare_runs, expand_run_dirs
from speclens.analyzers.speedup.comparability import gather_context
from speclens.analyzers.speedup.load_metrics import load_label
from speclens.analyzers.speedup.run_load import load_summary
from speclens.analyzers.speedup.report import build_speedup
from speclens.parsers.load_results import read_load_results

from tests.conftest import RECORDED, ROOT

C4 = RECORDED / "base-greedy-c4"
RATE4 = ROOT / "fixtures" / "recorded" / "load-drivers" / "vllm-bench-0.32.0-rate4-chat"


def test_concurrent_and_rate_levels_are_spelled_once() -> None:
    run = read_load_results(str(C4 / "guidellm_results.json"))
    [b] = run.benchmarks
    assert load_label(b) == "concurrent streams=4"  # compare said "concurrent@4"
    [row] = compare_runs(expand_run_dirs([str(C4)])[0])[0]
    ctx = gather_context(run, str(C4), None)
    assert row.load == build_speedup(ctx, ctx, "t", []).levels[0].label == load_summary(run).levels[0].label \
        == "concurrent streams=4"
    [bench] = compare_runs([str(RATE4)])[0]
    assert bench.load == "poisson rate=4"  # compare said "poisson@4"
