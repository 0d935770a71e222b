"""`speclens render REPORT.json`: a saved report re-rendered equals the direct rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RECORDED, ROOT
from tests.test_cli import assert_one_line_error, run

C4 = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"


@pytest.mark.parametrize(("command", "fmt"), [
    (["acceptance", str(RECORDED / "draft-greedy")], "md"),
    (["acceptance", str(C4)], "legacy"),
    (["acceptance", str(C4)], "csv"),
    (["speedup", str(C4 / "baseline"), str(C4)], "text"),
    (["compare", str(C4), str(RECORDED / "draft-greedy")], "md"),
])
def test_render_equals_the_direct_rendering(tmp_path: Path, command: list[str], fmt: str) -> None:
    saved = tmp_path / "report.json"
    assert run(*command, "-o", str(saved)).returncode == 0
    direct = run(*command, "--format", fmt)
    rendered = run("render", str(saved), "--format", fmt)
    assert rendered.returncode == 0 and rendered.stderr == ""
    assert rendered.stdout == direct.stdout != ""


def test_a_report_of_an_older_schema_is_refused_with_what_to_do() -> None:
    old = ROOT / "tests" / "data" / "acceptance-schema1.json"  # as speclens wrote it before schema 2
    assert_one_line_error(run("render", str(old)), (
        f"{old}: a speclens acceptance report of schema version 1; this speclens reads schema 3 and 2; re-run "
        "`speclens acceptance` on the inputs the report lists to get a current one"))


def test_wrong_format_and_wrong_file(tmp_path: Path) -> None:
    saved = tmp_path / "s.json"
    assert run("speedup", str(C4 / "baseline"), str(C4), "-o", str(saved)).returncode == 0
    assert_one_line_error(run("render", str(saved), "--format", "legacy"),
                          "--format legacy: a speclens speedup report renders as text, md, json, csv")
    edited = tmp_path / "e.json"
    edited.write_text(saved.read_text().replace('"levels": [', '"levels": 7, "x": ['))
    proc = run("render", str(edited))
    assert proc.returncode == 2 and "does not validate: baseline.levels: " in proc.stderr and proc.stderr.count("\n") == 1


def test_the_run_directory_report_is_typed_and_renders_back(tmp_path: Path) -> None:
    saved, md = tmp_path / "r.json", tmp_path / "r.md"
    assert run("report", str(C4), "--format", "json", "-o", str(saved)).returncode == 0
    assert run("report", str(C4), "-o", str(md)).returncode == 0
    rendered = run("render", str(saved), "--format", "md")
    assert rendered.returncode == 0
    # the same tables; the file written by `report` adds the links to its plots
    assert md.read_text().startswith(rendered.stdout.rstrip("\n"))
    assert "## Plots" in md.read_text() and "## Plots" not in rendered.stdout
    assert "## Advice on k" in rendered.stdout and "decided by output_throughput" in rendered.stdout
