"""`speclens compare DIR` on folders of logs (issue 20): the folder walk finds readable inputs by
content, with the detection `compare FILE` uses, so a folder of server logs is not "nothing there"."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

from speclens.analyzers.compare.table import expand_run_dirs

from tests.conftest import CONSTRUCTED, RECORDED, ROOT

NAMES = sorted(p.name for p in RECORDED.iterdir() if (p / "vllm_server.log").is_file())


def compare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "compare", *args, "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def logs_folder(folder: Path, names: list[str]) -> list[Path]:
    """The recordings' server logs copied into `folder` under distinct names."""
    folder.mkdir(parents=True)
    for name in names:
        shutil.copy(RECORDED / name / "vllm_server.log", folder / f"{name}.log")
    return sorted(folder.iterdir())


def rows(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, str | None, float | None]]:
    return [(r["run"], r["source"], r["mean_acceptance_length"]) for r in json.loads(proc.stdout)["rows"]]


def test_a_folder_of_logs_gives_the_rows_its_logs_give(tmp_path: Path) -> None:
    logs = logs_folder(tmp_path / "logs", NAMES[:5])
    by_folder, by_files = compare(str(tmp_path / "logs")), compare(*map(str, logs))
    assert (by_folder.returncode, by_folder.stderr) == (0, "")
    assert rows(by_folder) == rows(by_files) and len(rows(by_folder)) == 5
    assert json.loads(by_folder.stdout)["skipped"] == []
    # allvenv-ngram's log: ngram, 3 spec lines; the row is the log's own primary source
    assert rows(by_folder)[0][:2] == (str(tmp_path / "logs" / "allvenv-ngram.log"), "log:0")


def test_a_folder_of_logs_next_to_run_folders_is_searched_not_skipped(tmp_path: Path) -> None:
    shutil.copytree(RECORDED / "draft-greedy", tmp_path / "runs" / "draft-greedy")
    logs = logs_folder(tmp_path / "public-logs", NAMES)  # all 13 recorded logs
    found, skipped = expand_run_dirs([str(tmp_path)])
    assert skipped == []
    assert found == [str(tmp_path / "public-logs" / p.name) for p in logs] + [str(tmp_path / "runs" / "draft-greedy")]


def test_loose_files_are_found_by_content_not_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "misc"
    folder.mkdir()
    (folder / "server.out").write_bytes((RECORDED / "ngram-greedy" / "vllm_server.log").read_bytes())
    (folder / "old.txt.gz").write_bytes(gzip.compress((CONSTRUCTED / "vllm-v0-cumulative.log").read_bytes()))
    (folder / "README.md").write_text("# notes\nnothing to compare here\n")
    (folder / "plot.py").write_text("print('plot')\n")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    found, skipped = expand_run_dirs([str(folder)])
    assert (found, skipped) == ([str(folder / "old.txt.gz"), str(folder / "server.out")], [])


def test_a_folder_with_nothing_readable_is_still_skipped_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "plot.py").write_text("print('plot')\n")
    found, skipped = expand_run_dirs([str(tmp_path / "tools")])
    assert found == [] and [(s.path, s.reason) for s in skipped] == [(str(tmp_path / "tools"), (
        "no vLLM log, /metrics scrape, run.json or JSON file, here or in its subfolders"))]


def test_a_run_directory_adds_no_rows_for_its_own_files(tmp_path: Path) -> None:
    # draft-greedy holds guidellm_output.log and its log under the run-directory names: one row, the folder
    shutil.copytree(RECORDED / "draft-greedy", tmp_path / "draft-greedy")
    shutil.copy(RECORDED / "ngram-greedy" / "vllm_server.log", tmp_path / "draft-greedy" / "vllm_server.log.1")
    assert expand_run_dirs([str(tmp_path)]) == ([str(tmp_path / "draft-greedy")], [])
