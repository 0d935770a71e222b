"""run_eval.sh's k x load grid (issue 24, launchers/lib_grid.sh): the cells built from the options, their
order (k by k, then the baseline's, shared by every k), the plan and --dry-run (one server per k and one for
the baseline, one load per cell, `speclens sweep` as the analysis), the baseline by default with its verdict
line (launchers/verdicts.py), --no-baseline, and bad lists refused up front. All --dry-run: nothing boots."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.launchers.test_run_eval_faults import env, fake  # noqa: F401  (fake: a fixture)


def dry_run(fake_vllm: str, *args: str, out: str = "/tmp/speclens-grid-run") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["./run_eval.sh", "--dry-run", "-o", out, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env(SPECLENS_VLLM=fake_vllm))


def servers_and_loads(out: str) -> list[tuple[str, str]]:
    """Each printed server ("k=N" from its --speculative-config, or "target") and load (its --profile)."""
    rows = []
    for argv in map(shlex.split, out.splitlines()):
        if "serve" in argv[1:2]:
            spec = argv[argv.index("--speculative-config") + 1] if "--speculative-config" in argv else None
            rows.append(("server", f"k={json.loads(spec)['num_speculative_tokens']}" if spec else "target"))
        elif "run" in argv[1:2]:
            rows.append(("load", argv[argv.index("--profile") + 1]))
    return rows


def plan_cells(err: str) -> list[str]:
    return re.findall(r"plan: (\[cell \d+/\d+\] .*?) -> ", err)


def test_a_k_by_load_grid_with_the_baseline(fake: str) -> None:  # noqa: F811
    proc = dry_run(fake, "--num-speculative-tokens", "1,2", "--profile", "concurrent:1,4")
    assert proc.returncode == 0, proc.stderr
    # 2 k x 2 loads = 4 spec cells, then 2 baseline cells (one per load, shared by both k): 6
    assert plan_cells(proc.stderr) == [
        "[cell 1/6] k=1 concurrent:1", "[cell 2/6] k=1 concurrent:4", "[cell 3/6] k=2 concurrent:1",
        "[cell 4/6] k=2 concurrent:4", "[cell 5/6] baseline concurrent:1", "[cell 6/6] baseline concurrent:4"]
    assert "6 of 6 cells to run on 3 server lifetime(s)" in proc.stderr
    # at most 6 cells x 600 s (the default --max-seconds) = 3600 s of load
    assert "the loads take at most 3600s (600s each, or 20 requests when sooner)" in proc.stderr
    c1, c4 = "kind=concurrent,streams=1", "kind=concurrent,streams=4"
    assert servers_and_loads(proc.stdout) == [  # one server lifetime per k (restarted only when k changes)
        ("server", "k=1"), ("load", c1), ("load", c4), ("server", "k=2"), ("load", c1), ("load", c4),
        ("server", "target"), ("load", c1), ("load", c4)]
    loads = [a for a in map(shlex.split, proc.stdout.splitlines()) if "run" in a[1:2]]
    outputs = [a[a.index("--output") + 1] for a in loads]
    assert outputs == [f"kind=json,path=/tmp/speclens-grid-run/cells/{c}/guidellm_results.json" for c in (
        "k1-concurrent1", "k1-concurrent4", "k2-concurrent1", "k2-concurrent4", "baseline-concurrent1",
        "baseline-concurrent4")]
    data = {tuple(a[a.index("--data"):a.index("--data") + 2]) for a in loads}
    assert len(data) == 1  # the same prompts in every cell
    analysis = [a[3:5] for a in map(shlex.split, proc.stdout.splitlines()) if "speclens.analyzers.cli" in a]
    assert analysis == [["sweep", "/tmp/speclens-grid-run"], ["sweep", "/tmp/speclens-grid-run"]]  # md, then text


def test_no_baseline_and_a_bare_number_continuing_the_kind(fake: str) -> None:  # noqa: F811
    proc = dry_run(fake, "--no-baseline", "--num-speculative-tokens", "3", "--profile", "synchronous,concurrent:2,8")
    assert proc.returncode == 0, proc.stderr
    assert plan_cells(proc.stderr) == ["[cell 1/3] k=3 synchronous", "[cell 2/3] k=3 concurrent:2",
                                       "[cell 3/3] k=3 concurrent:8"]
    assert [row[1] for row in servers_and_loads(proc.stdout)] == [
        "k=3", "kind=synchronous", "kind=concurrent,streams=2", "kind=concurrent,streams=8"]


def test_the_plain_run_runs_the_baseline_by_default_and_ends_with_its_verdicts(fake: str) -> None:  # noqa: F811
    default, off, old = dry_run(fake), dry_run(fake, "--no-baseline"), dry_run(fake, "--baseline")
    assert [p.returncode for p in (default, off, old)] == [0, 0, 0]
    assert [r[1] for r in servers_and_loads(default.stdout)] == ["k=3", "kind=synchronous", "target", "kind=synchronous"]
    assert default.stdout == old.stdout  # --baseline is the default, still accepted
    assert [r[1] for r in servers_and_loads(off.stdout)] == ["k=3", "kind=synchronous"]
    last = shlex.split(default.stdout.splitlines()[-1])
    assert last[1:] == [f"{ROOT}/launchers/verdicts.py", "/tmp/speclens-grid-run/baseline", "/tmp/speclens-grid-run"]
    assert "verdicts.py" not in off.stdout and "cells" not in default.stdout  # a plain run keeps RUN/ + RUN/baseline/


def test_the_verdict_line_is_speclens_speedups() -> None:
    run = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "launchers/verdicts.py", str(run / "baseline"),
                           str(run)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    speedup = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "speclens.analyzers.cli", "speedup",
                              str(run / "baseline"), str(run), "--format", "json"], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    [level] = json.loads(speedup.stdout)["levels"]
    [c] = [c for c in level["comparisons"] if c["metric"] == "output_throughput"]
    # the same numbers, only rounded to 3 places: 1.456x, [0.834, 2.544] on this recording
    assert proc.stdout == (f"verdict concurrent streams=4: not distinguishable (output_throughput speedup "
                           f"{c['speedup']:.3f}x, 95% CI [{c['ci_low']:.3f}, {c['ci_high']:.3f}])\n")
    assert proc.stdout == ("verdict concurrent streams=4: not distinguishable (output_throughput speedup 1.456x, "
                           "95% CI [0.834, 2.544])\n")


def test_bad_lists_are_refused_up_front(fake: str) -> None:  # noqa: F811
    for args, message in ((("--num-speculative-tokens", "1,2,1"), "error: --num-speculative-tokens lists k=1 twice"),
                          (("--num-speculative-tokens", "2,0"), "error: --num-speculative-tokens must be a whole number >= 1, not '0'"),
                          (("--profile", "concurrent:1,bogus"), "error: --profile must be synchronous, throughput")):
        proc = dry_run(fake, *args)
        assert proc.returncode == 2 and proc.stderr.splitlines()[-1].startswith(message), (args, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_cell_needs_resume(fake: str) -> None:  # noqa: F811
    proc = dry_run(fake, "--cell", "k1-concurrent1")
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1] == (
        "error: --cell ID needs --resume RUN_DIR (the run whose grid lists it)")


def test_the_grid_module_is_small() -> None:
    assert len(Path(ROOT / "launchers" / "lib_grid.sh").read_text().splitlines()) < 170


def test_ctrl_c_mid_grid_stops_cleanly_and_marks_the_cell_interrupted(fake: str, tmp_path: Path) -> None:  # noqa: F811
    import signal
    import time

    from tests.launchers.test_run_eval_faults import assert_nothing_left, finish, manifest, start

    run_dir = tmp_path / "run"  # start(): --no-baseline, so two cells: k1, k2
    proc = start(run_dir, "--num-speculative-tokens", "1,2", "--max-requests", "100000", "--max-seconds", "120",
                 SPECLENS_VLLM=fake)
    deadline = time.monotonic() + 120
    while not (run_dir / "cells" / "k1" / "guidellm_output.log").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    status, _, err = finish(proc, timeout=90)
    assert status == 130, err[-2000:]
    top = manifest(run_dir)
    assert top["status"] == 130
    assert [(c["id"], c["status"], c.get("exit_status")) for c in top["cells"]] == [
        ("k1", "interrupted", 130), ("k2", "planned", None)]
    assert manifest(run_dir / "cells" / "k1")["status"] == 130  # the cell's own run.json says so too
    assert_nothing_left(run_dir)


RECORDED_SWEEP = ROOT / "fixtures" / "recorded" / "sweep-k1-4" / "run"


def test_the_recorded_sweep_cells_ran_what_the_grid_says() -> None:
    """fixtures/recorded/sweep-k1-4: every cell's own run.json config is the k and load its grid entry names,
    each k's cells ran on that k's server lifetime, and the baseline's cells on the target alone."""
    top = json.loads((RECORDED_SWEEP / "run.json").read_text())
    cells = top["cells"]
    # 4 k x 2 loads + 2 baseline cells = 10
    assert [(c["id"], c["status"]) for c in cells] == [
        (f"{r}-concurrent{n}", "ok") for r in ("k1", "k2", "k3", "k4", "baseline") for n in (1, 2)]
    for c in cells:
        own = json.loads((RECORDED_SWEEP / "cells" / c["id"] / "run.json").read_text())
        assert own["status"] == 0 and own["config"]["profile"] == f"kind=concurrent,streams={c['profile'][-1]}"
        assert own["config"]["max_requests"] == 8
        spec = own["config"]["speculative_config"]
        assert (json.loads(spec)["num_speculative_tokens"] if spec else None) == c["num_speculative_tokens"]
    for k in (1, 2, 3, 4):
        server = json.loads((RECORDED_SWEEP / "servers" / f"k{k}" / "run.json").read_text())
        assert [s["name"] for s in server["steps"]][:2] == ["boot", "metrics-before"]
