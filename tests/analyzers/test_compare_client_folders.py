"""`speclens compare DIR` finds client result JSONs inside folders by content (issue 22): the
speculative-thinking tool's own `benchmark_results/`, the LoRA suite's working folder. Each is a row
as when named as a file; other JSON files stay the folder's own row (and its errors)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from speclens.analyzers.compare.table import expand_run_dirs

from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"


def compare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "compare", *args, "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def workdir(tmp: Path) -> Path:
    """A user's folder: the spec-thinking tool's benchmark_results/ and a LoRA suite folder, under
    names that say nothing (found by content), plus the LoRA suite's prompts file (not a result)."""
    (tmp / "benchmark_results").mkdir(parents=True)
    (tmp / "lora").mkdir()
    shutil.copy(DATA / "seed001_example.json", tmp / "benchmark_results" / "speedup_benchmark_20250101_000000.json")
    shutil.copy(DATA / "seed002_example.json", tmp / "lora" / "run.json.bak.json")
    (tmp / "lora" / "prompts.json").write_text('["Write a haiku", "Explain TCP"]\n')
    shutil.copy(DATA / "seed003_example.json", tmp / "sdar.json")
    return tmp


def test_client_jsons_in_folders_are_rows_as_when_named(tmp_path: Path) -> None:
    top = workdir(tmp_path / "work")
    st = top / "benchmark_results" / "speedup_benchmark_20250101_000000.json"
    lora, sdar = top / "lora" / "run.json.bak.json", top / "sdar.json"
    by_folder, by_files = compare(str(top)), compare(str(sdar), str(st), str(lora))
    assert by_folder.returncode == 0, by_folder.stderr
    rows = json.loads(by_folder.stdout)["rows"]
    # the folder's own files first, then its subfolders in name order (as for logs)
    assert [r["run"] for r in rows] == [str(sdar), str(st), str(lora)]
    assert rows == json.loads(by_files.stdout)["rows"]  # the same rows as the files named one by one
    assert [r["method"] for r in rows] == ["client accuracy", "client speculative thinking (small Qwen/Qwen3-1.7B)",
                                           "client three-mode (spec_lora)"]
    # the prompts file is neither a load-driver nor a client result: its folder is skipped, saying so
    skipped = json.loads(by_folder.stdout)["skipped"]
    assert [(s["path"], s["reason"]) for s in skipped] == [(str(top / "lora"), (
        "no vLLM log, /metrics scrape, run.json or load-driver JSON (prompts.json: not guidellm or vllm bench "
        "serve results, nor a speclens client result)"))]


def test_a_folder_of_client_jsons_only_is_not_also_a_row(tmp_path: Path) -> None:
    folder = tmp_path / "benchmark_results"
    folder.mkdir()
    for n in ("001", "003"):
        shutil.copy(DATA / f"seed{n}_example.json", folder / f"r{n}.json")
    found, skipped = expand_run_dirs([str(folder)])
    assert (found, skipped) == ([str(folder / "r001.json"), str(folder / "r003.json")], [])


def test_an_unreadable_json_beside_client_results_is_still_reported(tmp_path: Path) -> None:
    folder = tmp_path / "benchmark_results"
    folder.mkdir()
    shutil.copy(DATA / "seed001_example.json", folder / "ok.json")
    (folder / "cut.json").write_text('{"large_model": {"statistics": ')  # truncated: not JSON
    proc = compare(str(folder))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    rows = {r["run"]: r for r in json.loads(proc.stdout)["rows"]}
    assert set(rows) == {str(folder), str(folder / "ok.json")}  # the folder's row carries the bad file
    assert rows[str(folder)]["error"].startswith(f"{folder / 'cut.json'}")
    assert rows[str(folder / "ok.json")]["error"] is None
