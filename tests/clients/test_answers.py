"""Answer extraction and numeric normalisation."""

from __future__ import annotations

import pytest
from speclens.clients.common.answers import answers_match, extract_answer, normalize_number


@pytest.mark.parametrize(("text", "expected"), [
    ("So 3 + 4 = 7.\n#### 7", "7"),                 # the GSM8K marker
    ("#### 1,234", "1234"),                         # thousands separator
    ("#### $18.00", "18"),                          # dollar sign, trailing .00
    ("x #### -12.50 then 3", "-12.5"),              # the marker wins over later numbers; trailing 0 dropped
    ("She has 5 apples, then 12.", "12"),           # no marker: last number
    ("The answer is $1,000.", "1000"),              # sentence full stop is not a decimal point
    ("no digits here", None),
    ("#### seven, so 4", "4"),                      # marker without a number: last number
    ("<|im_start|>assistant\nStep 1 ... #### 18<|im_end|>", "18"),  # chat-template tokens around the answer
    ("#### 18\n\nQuestion: next one\n#### 5", "18"),  # a model that runs on: the first marker counts
    ("16 - 3 - 4 = 9 eggs, 9 * $2 = $18 per day", "18"),  # no marker: the last number, its $ dropped
    ("####18", "18"),                                # no space after the marker
])
def test_extract_answer(text: str, expected: str | None) -> None:
    assert extract_answer(text) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("18.0", "18"), ("007", "7"), ("-0", "0"), ("0.50", "0.5"), ("x1", None)])
def test_normalize_number(raw: str, expected: str | None) -> None:
    assert normalize_number(raw) == expected


def test_answers_match() -> None:
    assert answers_match("18.0", "18") and answers_match("$1,000", "1000")
    assert not answers_match(None, "18") and not answers_match(None, None) and not answers_match("17", "18")
