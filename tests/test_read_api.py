"""`import speclens; speclens.read(path)`: the typed acceptance report and the request table (issue 23)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl

import speclens
from speclens.analyzers.acceptance.models import Report
from speclens.analyzers.render import RENDERERS

ROOT = Path(__file__).resolve().parents[1]
DETAILED = ROOT / "fixtures" / "recorded" / "per-request" / "detailed-c2"


def test_read_gives_the_acceptance_report_and_the_request_table() -> None:
    got = speclens.read(str(DETAILED))
    assert isinstance(got, speclens.RunData) and isinstance(got.report, Report)
    cli = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "acceptance", str(DETAILED), "--format",
                          "json"], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(RENDERERS["json"](got.report)) == json.loads(cli.stdout)  # the same typed report
    t = got.requests
    assert isinstance(t, pl.DataFrame) and t.height == 12
    # the run's per-request sums: 995 accepted of 1620 drafted in 540 steps (fixtures, = its /metrics delta)
    assert (t["accepted_tokens"].sum(), t["drafted_tokens"].sum(), t["spec_steps"].sum()) == (995, 1620, 540)
    frame = got.to_pandas()
    assert frame["accepted_tokens"].sum() == 995 and list(frame.columns) == t.columns
    assert list(frame["acceptance_histogram"].iloc[0]) == t["acceptance_histogram"][0].to_list()


def test_a_missing_pandas_is_the_one_line_naming_the_extra() -> None:
    code = ("import sys; sys.modules['pandas'] = None\nimport speclens\n"
            f"r = speclens.read({str(DETAILED)!r})\n"
            "try:\n    r.to_pandas()\nexcept ModuleNotFoundError as err:\n    print(err)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout == ("speclens.read: error: the Python package 'pandas' is not installed; "
                           "pip install 'speclens[pandas]'\n"), proc.stderr


def test_import_speclens_stays_light() -> None:
    code = "import speclens, speclens.parsers, sys; print(sorted(m for m in ('polars', 'speclens.analyzers') " \
           "if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout == "[]\n", proc.stderr
