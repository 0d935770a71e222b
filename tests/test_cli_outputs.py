"""What every command does with -o, --format, --version/-h and inputs it cannot use."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RECORDED, ROOT
from tests.test_cli import assert_one_line_error, run

DRIVERS = ROOT / "fixtures" / "recorded" / "load-drivers"
ACCEPTS = ("speclens acceptance reads a vLLM server log, a /metrics scrape (.prom), a run directory or a vllm bench "
           "serve result")


def test_version_and_short_help() -> None:
    proc = run("--version")
    assert (proc.returncode, proc.stdout) == (0, "speclens 0.1.0\n")
    for command in ("acceptance", "speedup", "compare", "report"):
        proc = run(command, "-h")
        assert proc.returncode == 0 and proc.stdout.startswith(f"Usage: speclens {command} [OPTIONS]")
        assert "<list[str]>" not in proc.stdout and "<str>" not in proc.stdout and "<bool>" not in proc.stdout


def test_output_format_follows_the_extension(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run("acceptance", str(RECORDED / "draft-greedy"), "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["tool"] == "speclens"
    csv = tmp_path / "out.csv"
    assert run("acceptance", str(RECORDED / "draft-greedy"), "-o", str(csv)).returncode == 0
    assert csv.read_text().startswith("path,source,kind,primary,")


def test_output_format_that_contradicts_the_extension_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert_one_line_error(run("acceptance", str(RECORDED / "draft-greedy"), "--format", "text", "-o", str(out)),
                          f"-o {out}: the extension .json means --format json, but --format text was given; "
                          "make them agree (or use another extension)")
    assert not out.exists()


@pytest.mark.parametrize("name", ["missing/dir/x.txt", "."])
def test_output_errors_name_the_users_path(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    proc = run("acceptance", str(RECORDED / "draft-greedy"), "-o", str(target))
    expected = (f"{target}: directory {target.parent} does not exist; create it or choose another -o path"
                if name != "." else f"{target}: is a directory; pass a file path to -o")
    assert_one_line_error(proc, expected)
    assert ".speclens-" not in proc.stderr


@pytest.mark.parametrize("name", ["metrics_after.prom", "metrics_before.prom", "vllm_server.log"])
def test_no_command_writes_onto_a_file_it_read(tmp_path: Path, name: str) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline", run_dir)
    before = (run_dir / name).read_bytes()
    proc = run("acceptance", str(run_dir), "-o", str(run_dir / name), "--format", "text")
    assert_one_line_error(proc, f"{run_dir / name}: refusing to overwrite an input file; choose another -o path")
    assert (run_dir / name).read_bytes() == before


@pytest.mark.parametrize(("content", "looks_like"), [
    (b"", "an empty file (0 bytes); no speclens command reads it"),
    (bytes(range(256)), "binary data, not text; no speclens command reads it"),
])
def test_acceptance_refuses_files_it_cannot_use(tmp_path: Path, content: bytes, looks_like: str) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(content)
    assert_one_line_error(run("acceptance", str(path), "--format", "json"), f"{path}: this is {looks_like}; {ACCEPTS}")


def test_acceptance_on_a_guidellm_result_names_the_command_that_reads_it() -> None:
    # without per-request spec-decode metrics: what is missing and how to get it (issue 23; with them it is read)
    path = RECORDED / "draft-greedy" / "guidellm_results.json"
    assert_one_line_error(run("acceptance", str(path)), (
        f"{path}: this is a guidellm result JSON (load-driver timings, no acceptance counts): speclens acceptance "
        "needs vLLM's per-request spec-decode metrics in it (each response's metrics.speculative_decoding), and none "
        "of its requests carries them; rerun with `run_eval.sh --per-request-metrics summary` (or detailed), or start "
        "vLLM with --per-request-spec-decode-metrics summary|detailed; `speclens speedup` and `compare` read its "
        "timings"))


def test_strict_makes_no_spec_data_an_error() -> None:
    # base-greedy: a target-only server, so neither its log nor its scrape has spec-decode data
    loose = run("acceptance", str(RECORDED / "base-greedy"), "--format", "json")
    assert loose.returncode == 0 and loose.stderr == ""
    strict = run("acceptance", str(RECORDED / "base-greedy"), "--format", "json", "--strict")
    assert strict.returncode == 2
    assert strict.stderr == (f"speclens: error: {RECORDED / 'base-greedy'}: no speculative-decoding data (--strict); "
                             "see the notices in the report\n")


def test_plots_get_the_same_permissions_as_the_markdown(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    old = os.umask(0o022)
    try:
        assert run("report", str(RECORDED / "draft-greedy"), "-o", str(out)).returncode == 0
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [out, *sorted((tmp_path / "r_plots").iterdir())]}
    assert set(modes.values()) == {0o644}, modes  # 0666 & ~022; mkstemp alone gives 0600


def test_report_without_matplotlib_is_one_line_and_leaves_no_plots_folder(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    hide = ("import sys; sys.modules['matplotlib'] = None; sys.argv = ['speclens', 'report', sys.argv[1], '-o', "
            "sys.argv[2]]; from speclens.analyzers.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", hide, str(RECORDED / "draft-greedy"), str(out)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 70 and proc.stdout == ""
    assert proc.stderr == ("speclens: error: the Python package 'matplotlib' is not installed; reinstall speclens "
                           "(./setup.sh, or pip install . in its repository)\n")  # a regular dependency: no extra
    assert list(tmp_path.iterdir()) == []  # no report, no empty r_plots/


def test_an_unwritable_directory_is_named_not_the_temp_file() -> None:
    # /proc accepts no new files (ENOENT even for root): the message names the user's -o path
    proc = run("acceptance", str(RECORDED / "draft-greedy"), "-o", "/proc/speclens-out.txt")
    assert_one_line_error(proc, "/proc/speclens-out.txt: cannot write in /proc (No such file or directory); "
                                "choose another -o path")


@pytest.mark.parametrize(("command", "formats", "registry"), [
    ("acceptance", "ACCEPTANCE_FORMATS", "speclens.analyzers.render:RENDERERS"),
    ("speedup", "SPEEDUP_FORMATS", "speclens.analyzers.render.speedup:SPEEDUP_RENDERERS"),
    ("compare", "COMPARE_FORMATS", "speclens.analyzers.render.compare:COMPARE_RENDERERS"),
    ("report", "REPORT_FORMATS", "speclens.analyzers.render.run_dir:RUN_DIR_RENDERERS"),
])
def test_format_choices_are_the_renderer_registries(command: str, formats: str, registry: str) -> None:
    import importlib

    from speclens.analyzers import formats as format_names

    names = getattr(format_names, formats)
    module, attr = registry.split(":")
    renderers = getattr(importlib.import_module(module), attr)
    # every name the CLI offers has a renderer and every renderer a name; the order is the CLI's (its
    # first name is the command's default: md for report, whose registry starts with text), so as sets
    assert sorted(renderers) == sorted(names)
    assert f"<{'|'.join(names)}>" in run(command, "-h").stdout  # the CLI offers exactly these names
