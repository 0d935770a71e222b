"""Text tables on a narrow terminal: cells wrap at whole words (at spaces and after a '/'), or a table too wide for that becomes `header: value` blocks; never "recons/tructe/d".
The width is the terminal's (COLUMNS respected) when stdout is one; piped output is never fitted.
(analyzers/render/fit.py, used by the plain renderer and by console.print_rich)."""

from __future__ import annotations

import contextvars
import io
import os
import pty
import re
import subprocess
import sys

import pytest
from rich.console import Console
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.compare.table import run_compare
from speclens.analyzers.render.console import print_rich
from speclens.analyzers.render.fit import TEXT_WIDTH, table_lines
from speclens.analyzers.render.plain import render_text
from speclens.analyzers.render.tables import Table
from speclens.analyzers.log.window import parse_window

from tests.conftest import RECORDED, ROOT

NGRAM = str(RECORDED / "ngram-greedy")  # its log source's drafts are "reconstructed"
# relative to ROOT (the tests that use them run there): the same length wherever the checkout is
RUNS = [str((RECORDED / name).relative_to(ROOT)) for name in ("ngram-greedy", "draft-greedy", "eagle3-greedy")]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _at_width(width: int | None, call, *args):
    """`call(*args)` with the text width set as the CLI sets it for a terminal."""
    context = contextvars.copy_context()
    context.run(TEXT_WIDTH.set, width)
    return context.run(call, *args)


def test_cells_wrap_at_whole_words_when_the_pieces_fit() -> None:
    table = Table("T", ["name", "value"], [["alpha beta gamma", "x"]])
    # width 20, 2 between the columns: room 18. natural [16, 5] = 21 > 18; longest pieces [5, 5];
    # cells unwrapped [16, 5] = 21 > 18, so the columns grow from [5, 5] by what they lack, [11, 0]:
    # spare 18 − 10 = 8 → name 5 + 8 = 13, value 5. "alpha beta" (10) fits 13, "gamma" goes below.
    assert table_lines(table, 20) == ["T", "-", "name" + " " * 11 + "value", "-" * 13 + "  -----",
                                      "alpha beta     x", "gamma"]


def test_a_table_whose_words_do_not_fit_becomes_blocks() -> None:
    table = Table("T", ["name", "value"], [["reconstructed", "1"], ["counter", "2"]])
    # room 15 − 2 = 13 < longest pieces 13 + 5 = 18: one block per row, labels padded to "value:" + 1
    assert table_lines(table, 15) == ["T", "-", "name:  reconstructed", "value: 1", "", "name:  counter", "value: 2"]


def test_unfitted_is_as_before() -> None:
    table = Table("T", ["name", "value"], [["alpha beta gamma", "x"]], ["a note"])
    assert table_lines(table, None) == ["T", "-", "name              value", "alpha beta gamma  x", "a note"]


def _words_intact(lines: list[str], word: str) -> None:
    """`word` appears, and no piece of it stands alone (rich's fold made "recons", "tructe", "d")."""
    tokens = [t for line in lines for t in re.split(r"[\s│┃|]+", line) if t]
    assert word in tokens
    assert not [t for t in tokens if t != word and len(t) >= 3 and t in word]


def test_acceptance_text_at_80_columns() -> None:
    report = build_report([NGRAM], parse_window(None, None, 0, None))
    text = _at_width(80, render_text, report)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    assert "drafts from:      reconstructed" in lines  # label "mean acc. length:" + 1 = 18 wide
    _words_intact(lines, "reconstructed")
    assert _at_width(None, render_text, report) == render_text(report)  # not fitted: unchanged


def test_acceptance_rich_at_80_columns() -> None:
    report = build_report([NGRAM], parse_window(None, None, 0, None))
    out = io.StringIO()
    print_rich(report, Console(width=80, force_terminal=True, file=out))
    lines = ANSI.sub("", out.getvalue()).splitlines()
    assert max(map(len, lines)) <= 80
    assert "drafts from:      reconstructed" in [line.rstrip() for line in lines]
    assert not any(re.search(r"\brecons\b|\bnstruc|tructe\b", line) for line in lines)
    _words_intact(lines, "reconstructed")


def test_compare_of_several_recordings_at_80_columns(capsys: pytest.CaptureFixture[str], in_root: object) -> None:
    assert _at_width(80, run_compare, RUNS, "text", None, None) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 80
    # 30 columns cannot stand side by side in 80: one block per run, headed by its path (values start
    # one space after the widest "header:", "mean large-model token ratio:" = 29 characters: 4 + 26 spaces)
    assert [line for line in lines if line.startswith("run:")] == [f"run:{' ' * 26}{r}" for r in RUNS]


def _on_a_pty(args: list[str], columns: str) -> str:
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": columns}
    proc = subprocess.Popen([sys.executable, "-m", "speclens.analyzers.cli", *args], stdout=follower,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")


def test_the_cli_fits_a_terminal_and_leaves_pipes_alone() -> None:
    args = ["compare", *RUNS]
    lines = _on_a_pty(args, "80").splitlines()
    assert lines and max(map(len, lines)) <= 80
    assert sum(line.startswith("run:") for line in lines) == len(RUNS)
    piped = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                           cwd=ROOT, env={**os.environ, "COLUMNS": "80"}, check=False, timeout=120)
    wide = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "COLUMNS"}, check=False,
                          timeout=120)
    assert piped.stdout == wide.stdout and max(map(len, piped.stdout.splitlines())) > 80  # not fitted
