"""Issue 25: one list of measurement-trap checks (analyzers.traps.registry.CHECKS), and the README's
"Measurement traps" section is that list, generated."""

from __future__ import annotations

from speclens.analyzers.traps.registry import CHECKS, readme_list

from tests.conftest import ROOT


def test_readme_lists_every_check_as_generated() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    begin = text.index("\n", text.index("<!-- traps:begin")) + 1
    assert text[begin:text.index("<!-- traps:end -->")] == readme_list()


def test_every_check_is_named_with_its_reason_and_codes() -> None:
    assert [c.trap for c in CHECKS] == list(range(1, 14))  # all thirteen traps of issue 25, in order
    for check in CHECKS:
        assert check.reason and check.reads and all(code.startswith("trap-") for code in check.codes)
