"""GSM8K answer extraction and numeric normalisation.

`extract_answer` takes the number after the first `#### ` marker (GSM8K's convention); when there
is no marker it falls back to the last number in the text. `normalize_number` makes "1,234",
"$1234", "1234.0" and "1234.00" the same string "1234", keeps a sign, and drops trailing zeros of
a fraction ("18.50" → "18.5"); non-numbers give None. Two answers are equal when their
normalised strings are equal (and neither is None).
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"####\s*(\S+)")
_NUMBER = re.compile(r"-?\$?\s?\d[\d,]*(?:\.\d+)?")


def normalize_number(text: str | None) -> str | None:
    """"$1,234.50" → "1234.5"; "18.0" → "18"; "-3" → "-3"; "abc" → None."""
    if text is None:
        return None
    cleaned = text.strip().replace(",", "").replace("$", "").replace(" ", "").rstrip(".")
    match = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?", cleaned)
    if match is None:
        return None
    sign, whole, frac = match.groups()
    whole = whole.lstrip("0") or "0"
    frac = (frac or "").rstrip("0")
    value = f"{whole}.{frac}" if frac else whole
    return "0" if value == "0" else f"{sign}{value}"


def extract_answer(text: str) -> str | None:
    """The normalised number after `####`, else the last number in `text`, else None."""
    marker = _MARKER.search(text)
    if marker is not None:
        found = _NUMBER.search(marker.group(0)[4:])
        if found is not None:
            return normalize_number(found.group(0))
    numbers = _NUMBER.findall(text)
    return normalize_number(numbers[-1]) if numbers else None


def answers_match(predicted: str | None, truth: str | None) -> bool:
    """True when both are defined and normalise to the same number."""
    a, b = normalize_number(predicted), normalize_number(truth)
    return a is not None and a == b
