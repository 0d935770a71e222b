"""parsers.run_dir: the one layout of a run directory (and its bash copy), the typed run.json
every recorded run reads into, and `detect`, the one answer to "what is this path"."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.parsers import run_dir
from speclens.parsers.errors import ParseError
from speclens.parsers.run_dir import RunFiles, detect, manifest_json, parse_manifest, read_manifest

from tests.conftest import RECORDED, ROOT

RUN_EVAL = ROOT / "fixtures" / "recorded" / "speclens-run_eval"
MANIFESTS = sorted(RUN_EVAL.glob("*/run.json")) + sorted(RUN_EVAL.glob("*/baseline/run.json"))
RUN_FILES_SH = ROOT / "launchers" / "run_files.sh"


def test_run_files_sh_is_the_generated_list_byte_for_byte() -> None:
    generated = subprocess.run([sys.executable, "-m", "speclens.parsers.run_dir", "--bash"], capture_output=True,
                               check=True).stdout
    assert RUN_FILES_SH.read_bytes() == generated == run_dir.bash_variables().encode()


def test_the_bash_contract_names_and_values() -> None:
    # the names and values the bash scripts rely on (issue 12), spelled out by hand
    contract = {"RUN_FILE_LOG": "vllm_server.log", "RUN_FILE_PID": "vllm_server.pid",
                "RUN_FILE_METRICS_BEFORE": "metrics_before.prom", "RUN_FILE_METRICS_AFTER": "metrics_after.prom",
                "RUN_FILE_LOAD_RESULTS": "guidellm_results.json", "RUN_FILE_LOAD_OUTPUT": "guidellm_output.log",
                "RUN_FILE_MANIFEST": "run.json", "RUN_FILE_LEGACY": "acceptance_analysis.txt",
                "RUN_FILE_SPEEDUP": "speedup.md", "RUN_FILE_REPORT": "report.md", "RUN_DIR_TMP": "tmp",
                "RUN_DIR_BASELINE": "baseline", "RUN_DIR_CELLS": "cells"}
    assignments = [line for line in RUN_FILES_SH.read_text().splitlines() if line and not line.startswith("#")]
    assert dict(line.split("=", 1) for line in assignments) == contract
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", value) for value in contract.values())  # no quoting needed in bash


def test_run_files_paths_and_the_baseline_sub_run() -> None:
    files = RunFiles("R")
    assert (files.log, files.log_gz, files.manifest, files.report_plots) == (
        "R/vllm_server.log", "R/vllm_server.log.gz", "R/run.json", "R/report_plots")
    assert (files.baseline.metrics_after, files.baseline.load_results) == (
        "R/baseline/metrics_after.prom", "R/baseline/guidellm_results.json")
    assert run_dir.plots_dir("out/x.md") == "out/x_plots"


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: str(p.relative_to(RUN_EVAL)))
def test_every_recorded_manifest_reads_and_rewrites_byte_for_byte(path: Path) -> None:
    manifest = read_manifest(str(path))
    assert manifest is not None and manifest.schema_version == 1 and manifest.config is not None
    assert manifest.config.server_command and manifest.config.load_command  # both phases record the commands
    assert manifest_json(manifest) == path.read_text()


def test_recorded_manifests_with_and_without_step_times() -> None:
    # draft-baseline predates per-step times; draft-c4 has them (its metrics-before step: 06:58:26)
    old = read_manifest(str(RUN_EVAL / "draft-baseline" / "run.json"))
    new = read_manifest(str(RUN_EVAL / "draft-c4" / "run.json"))
    assert old is not None and new is not None
    before_old, before_new = old.step("metrics-before"), new.step("metrics-before")
    assert before_old is not None and before_old.started_at is None and before_old.exit_status == 0
    assert before_new is not None and before_new.started_at == "2026-12-01T06:58:26+0000"
    assert new.versions is not None and new.versions.vllm == "0.32.0"
    base = read_manifest(str(RUN_EVAL / "draft-c4" / "baseline" / "run.json"))
    assert base is not None and (base.ended_at, base.status, base.versions) == (None, None, None)  # never finished


def test_a_manifest_without_schema_version_or_newer_keys_reads(tmp_path: Path) -> None:
    doc = {"argv": ["-o", "x"], "started_at": "2026-11-22T23:54:22+0000", "config": {"model": "m", "port": 8000},
           "steps": [{"name": "load", "exit_status": 0, "seconds": 2.5, "command": []}], "future_key": {"a": 1}}
    manifest = parse_manifest("run.json", doc)
    assert manifest.schema_version is None and manifest.config is not None
    assert (manifest.config.model, manifest.config.port) == ("m", "8000")  # a number where bash writes text
    assert json.loads(manifest_json(manifest))["future_key"] == {"a": 1}  # kept on rewrite
    assert manifest.step("load") is not None and manifest.step("boot") is None
    assert read_manifest(str(tmp_path / "run.json")) is None  # no file: nothing recorded


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", ":1: invalid JSON (Expecting property name enclosed in double quotes); "
                  "the file is truncated or not JSON"),
    ("[1, 2]", ": expected a run.json object, found list; was it written by run_eval.sh (launchers/manifest.py)?"),
    ('{"steps": [{"name": "load", "exit_status": "zero"}]}',
     ": expected run.json 'steps.0.exit_status' to be valid (Input should be a valid integer, unable to parse "
     "string as an integer); was it written by run_eval.sh (launchers/manifest.py)?"),
])
def test_a_bad_manifest_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "run.json"
    path.write_text(text)
    with pytest.raises(ParseError) as err:
        read_manifest(str(path))
    assert str(err.value) == f"{path}{message}"


def test_detect_a_run_directory_and_its_files(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(RUN_EVAL / "draft-c4", run)
    (run / "vllm_server.log.gz").write_bytes(b"")
    (run / "notes.JSON").write_text("{}")
    (run / "report_plots").mkdir()
    here = detect(str(run))
    assert (here.kind, here.is_dir, here.run) == ("run_dir", True, RunFiles(str(run)))
    assert here.present == {"vllm_server.log", "vllm_server.log.gz", "metrics_before.prom", "metrics_after.prom",
                            "guidellm_results.json", "guidellm_output.log", "run.json"}
    assert here.log == str(run / "vllm_server.log")  # the plain log is preferred over the .gz
    assert here.json_files == ("guidellm_results.json", "notes.JSON") and here.subdirs == ("baseline", "report_plots")
    assert detect(str(run / "baseline")).kind == "run_dir"
    (run / "vllm_server.log").unlink()
    assert detect(str(run)).log == str(run / "vllm_server.log.gz")


def test_detect_files_by_content_and_scrapes_by_name(tmp_path: Path) -> None:
    assert detect(str(RECORDED / "draft-greedy" / "vllm_server.log")).kind == "vllm_log"
    assert detect(str(RUN_EVAL / "draft-c4" / "run.json")).kind == "run_json"
    odd = tmp_path / "m.prom"
    odd.write_text("not prometheus at all\n")  # a .prom file is a scrape by its name; its parser names the line
    assert detect(str(odd)).kind == "prometheus"
    missing = detect(str(tmp_path / "nope"))
    assert (missing.exists, missing.kind, missing.what.description) == (False, "missing", "no such file or directory")
    (tmp_path / "empty").mkdir()
    empty = detect(str(tmp_path / "empty"))
    assert (empty.kind, empty.has_server_data, empty.present) == ("directory", False, frozenset())
    only_json = tmp_path / "only_json"
    only_json.mkdir()
    (only_json / "run.json").write_text("{}")
    assert (detect(str(only_json)).kind, detect(str(only_json)).has_server_data) == ("run_dir", False)


def test_detect_a_directory_that_cannot_be_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", refuse)
    here = detect(str(tmp_path))
    assert (here.is_dir, here.error, here.present, here.kind) == (True, "Permission denied", frozenset(), "unlistable")
