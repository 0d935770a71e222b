"""The import rules between the top-level folders, read from one place (`RULES`): every .py of a
folder is parsed with `ast` and each `import speclens.X` / `from speclens.X ...` (inside functions
too) is checked against what that folder may not import. Relative imports stay inside a folder."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# folder -> the speclens packages its modules must not import
RULES: dict[str, set[str]] = {
    "parsers": {"analyzers", "clients", "launchers"},
    "analyzers": {"clients", "launchers"},
    "clients": {"launchers"},
    "base": {"parsers", "analyzers", "clients", "launchers"},  # the neutral module
}


def imported_packages(source: str, filename: str) -> list[tuple[int, str]]:
    """(line, top-level speclens package) of every speclens import in `source`."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "speclens":  # from speclens import clients
                names = [f"speclens.{alias.name}" for alias in node.names]
        found += [(node.lineno, name.split(".")[1]) for name in names
                  if name.startswith("speclens.") and name.count(".") >= 1]
    return found


def violations(folder: str) -> list[str]:
    banned = RULES[folder]
    return [f"{path.relative_to(ROOT)}:{line}: imports speclens.{package}"
            for path in sorted((ROOT / folder).rglob("*.py"))
            for line, package in imported_packages(path.read_text(encoding="utf-8"), str(path))
            if package in banned]


@pytest.mark.parametrize("folder", sorted(RULES))
def test_folder_imports_only_what_the_rules_allow(folder: str) -> None:
    assert (ROOT / folder).is_dir(), f"{folder}/ is missing"
    assert violations(folder) == []


def test_the_checker_sees_imports_inside_functions() -> None:
    source = "def f():\n    from speclens.launchers.tiny.build import x\n    import speclens.clients.http\n"
    assert imported_packages(source, "<t>") == [(2, "launchers"), (3, "clients")]
    assert imported_packages("from speclens import analyzers\n", "<t>") == [(1, "analyzers")]
