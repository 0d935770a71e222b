"""parsers.spec_line: every format family, read by key (never by position), and its errors."""

from __future__ import annotations

import math

import pytest
from speclens.parsers.spec_line import V0_MARKER, V1_MARKER, LineError, parse_v0, parse_v1, split_fields

from .lines import SPEC_155, V1_0_8_3, V1_0_8_5, V1_0_10_2, rates, v0_line


def v1(line: str):
    """parse_v1 on the text after the marker, as the reader calls it."""
    assert line.startswith(V1_MARKER)
    return parse_v1(line[len(V1_MARKER):])


def v0(line: str):
    assert line.startswith(V0_MARKER)
    return parse_v0(line[len(V0_MARKER):])


# --- the three V1 families --------------------------------------------------------------------

def test_v1_0_10_2_fixture_line() -> None:
    f = v1(SPEC_155)
    assert f.fmt == "v1-0.10.2"
    assert (f.accepted, f.drafted) == (354, 861)
    assert f.mean_acceptance_length == 2.23  # 1 + 354/287 = 2.2334, printed %.2f
    assert f.per_position == (0.415, 0.411, 0.408)  # 119/287, 118/287, 117/287 at %.3f
    assert f.acceptance_rate_pct == 41.1  # 354/861*100 = 41.11, printed %.1f


def test_v1_0_8_5() -> None:
    # formats.md sample: 1000 drafts of k=3; accepted 797+592+447 = 1836 of 3000 drafted.
    # rate 1836/3000*100 = 61.2; MAL 1 + 1836/1000 = 2.836 -> 2.84
    line = V1_0_8_5 % (1836 / 3000 * 100, 1 + 1836 / 1000, 1836, 3000, rates([0.797, 0.592, 0.447]))
    assert line.endswith(
        "Accepted: 1836 tokens, Drafted: 3000 tokens, Per-position acceptance rate: 0.797, 0.592, 0.447")
    f = v1(line)
    assert f.fmt == "v1-0.8.5"
    assert (f.accepted, f.drafted) == (1836, 3000)
    assert f.mean_acceptance_length == 2.84
    assert f.per_position == (0.797, 0.592, 0.447)
    assert f.acceptance_rate_pct == 61.2


def test_v1_0_8_3() -> None:
    # PR #15902 sample: 66 of 66 accepted -> 100.0%
    line = V1_0_8_3 % (66 / 66 * 100, 66, 66)
    assert line == "SpecDecoding metrics: Draft acceptance rate: 100.0%, Accepted: 66 tokens, Drafted: 66 tokens"
    f = v1(line)
    assert f.fmt == "v1-0.8.3"
    assert (f.accepted, f.drafted) == (66, 66)
    assert f.acceptance_rate_pct == 100.0
    assert f.mean_acceptance_length is None
    assert f.per_position is None


def test_v1_zero_counts_are_kept_as_zero_not_none() -> None:
    f = v1(V1_0_8_3 % (0.0, 0, 7))  # 0 of 7 drafted -> 0.0%
    assert (f.accepted, f.drafted, f.acceptance_rate_pct) == (0, 7, 0.0)


# --- nan (0.8.3-0.8.5 log even with zero drafts) ----------------------------------------------

def test_v1_0_8_3_nan_percent() -> None:
    f = v1(V1_0_8_3 % (math.nan, 0, 0))
    assert "Draft acceptance rate: nan%," in V1_0_8_3 % (math.nan, 0, 0)
    assert (f.accepted, f.drafted) == (0, 0)
    assert math.isnan(f.acceptance_rate_pct)


def test_v1_0_8_5_nan_everywhere() -> None:
    line = V1_0_8_5 % (math.nan, math.nan, 0, 0, rates([math.nan] * 3))
    assert line.endswith("Per-position acceptance rate: nan, nan, nan")
    f = v1(line)
    assert (f.accepted, f.drafted) == (0, 0)
    assert math.isnan(f.acceptance_rate_pct)
    assert math.isnan(f.mean_acceptance_length)
    assert len(f.per_position) == 3
    assert all(math.isnan(p) for p in f.per_position)


def test_v1_0_10_2_nan_rate_and_positions() -> None:
    line = V1_0_10_2 % (math.nan, 0.0, 0.0, 0, 0, rates([math.nan, math.nan]), math.nan)
    assert line.endswith("Per-position acceptance rate: nan, nan, Avg Draft acceptance rate: nan%")
    f = v1(line)
    assert f.fmt == "v1-0.10.2"
    assert math.isnan(f.acceptance_rate_pct)
    assert len(f.per_position) == 2
    assert all(math.isnan(p) for p in f.per_position)


# --- per-position lists of length 1, 3, 15 ------------------------------------------------------

def test_per_position_length_1() -> None:
    # k=1: 50 drafts, 31 accepted -> MAL 1.62, rate 62.0, position 0 = 31/50 = 0.620
    f = v1(V1_0_10_2 % (1 + 31 / 50, 3.1, 5.0, 31, 50, rates([31 / 50]), 31 / 50 * 100))
    assert f.per_position == (0.62,)
    assert (f.accepted, f.drafted, f.acceptance_rate_pct, f.mean_acceptance_length) == (31, 50, 62.0, 1.62)


def test_per_position_length_3_in_0_8_5_ends_the_line() -> None:
    f = v1(V1_0_8_5 % (50.0, 2.5, 150, 300, rates([0.9, 0.4, 0.2])))
    # 100 drafts: 90 + 40 + 20 = 150 accepted of 300 -> 50.0 %, MAL 1 + 150/100 = 2.50
    assert f.per_position == (0.9, 0.4, 0.2)
    assert (f.accepted, f.drafted, f.acceptance_rate_pct, f.mean_acceptance_length) == (150, 300, 50.0, 2.5)


def test_per_position_length_15_with_trailing_avg_field() -> None:
    # AEON-7 sample, 15 positions; 65 drafts x 15 = 975 drafted; 89 accepted
    # (39+25+14+7+4 = 89 over positions 0-4, zero after). 39/65 = 0.600, 25/65 = 0.385,
    # 14/65 = 0.215, 7/65 = 0.108, 4/65 = 0.062; MAL 1 + 89/65 = 2.37; rate 89/975*100 = 9.13 -> 9.1
    counts = [39, 25, 14, 7, 4] + [0] * 10
    line = V1_0_10_2 % (1 + 89 / 65, 8.90, 97.50, 89, 975, rates(c / 65 for c in counts), 89 / 975 * 100)
    assert "Per-position acceptance rate: 0.600, 0.385, 0.215, 0.108, 0.062, 0.000, " in line
    f = v1(line)
    assert f.per_position == (0.6, 0.385, 0.215, 0.108, 0.062) + (0.0,) * 10
    assert (f.accepted, f.drafted) == (89, 975)
    assert f.mean_acceptance_length == 2.37
    assert f.acceptance_rate_pct == 9.1


def test_pre_rename_label_per_position_acceptance_probabilities() -> None:
    # PR #16665 first named the field "Per-position acceptance probabilities".
    f = v1("SpecDecoding metrics: Accepted: 3 tokens, Drafted: 4 tokens, "
           "Per-position acceptance probabilities: 0.500, 0.250")
    assert f.per_position == (0.5, 0.25)


# --- key/value, not positional -----------------------------------------------------------------

def test_reordered_fields_parse_the_same() -> None:
    line = (
        "SpecDecoding metrics: Avg Draft acceptance rate: 41.1%, Per-position acceptance rate: 0.415, 0.411, 0.408, "
        "Drafted: 861 tokens, Accepted: 354 tokens, Drafted throughput: 41.34 tokens/s, "
        "Accepted throughput: 17.00 tokens/s, Mean acceptance length: 2.23"
    )
    assert v1(line) == v1(SPEC_155)


def test_unknown_extra_field_is_ignored() -> None:
    # a field vLLM might add later, in the middle and at the end
    line = SPEC_155.replace("Accepted: 354", "Drafts: 287, Accepted: 354") + ", Bonus token rate: 12.5%"
    assert v1(line) == v1(SPEC_155)


def test_unknown_extra_field_with_digit_in_name_is_ignored() -> None:
    line = SPEC_155 + ", P50 accepted length: 2"
    assert v1(line) == v1(SPEC_155)


def test_intermediate_pr24127_ordering_still_reads() -> None:
    # PR #24127's test output: `Draft acceptance rate` first, then the 0.10.2 fields, no `Avg` field.
    line = ("SpecDecoding metrics: Draft acceptance rate: 88.8%, Mean acceptance length: 5.44, "
            "Accepted throughput: 1.00 tokens/s, Drafted throughput: 1.13 tokens/s, Accepted: 444 tokens, "
            "Drafted: 500 tokens, Per-position acceptance rate: 0.950, 0.900")
    f = v1(line)
    assert (f.fmt, f.accepted, f.drafted, f.acceptance_rate_pct) == ("v1-0.8.5", 444, 500, 88.8)


def test_split_fields_normalizes_keys() -> None:
    assert split_fields(" Accepted:  3 tokens,  Drafted   Count: 4") == {"accepted": "3 tokens", "drafted count": "4"}


# --- V1 errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (SPEC_155.replace("Accepted: 354 tokens, ", ""), "expected 'Accepted: N tokens' and 'Drafted: N tokens'"),
        (SPEC_155.replace("Drafted: 861 tokens, ", ""), "expected 'Accepted: N tokens' and 'Drafted: N tokens'"),
        (SPEC_155.replace("Accepted: 354", "Accepted: -354"), "non-negative integer for 'accepted'"),
        (SPEC_155.replace("Drafted: 861", "Drafted: 861.0"), "non-negative integer for 'drafted'"),
        (SPEC_155.replace("Drafted: 861", "Drafted: many"), "non-negative integer for 'drafted'"),
        (SPEC_155.replace("Drafted: 861", "Drafted: 353"), "Accepted (354) exceeds Drafted (353)"),
        (SPEC_155 + ", Accepted: 354 tokens", "appears twice"),
        (SPEC_155.replace("0.415, 0.411", "1.250, 0.411"), "between 0 and 1"),
        (SPEC_155.replace("0.415, 0.411", "-0.100, 0.411"), "between 0 and 1"),
        (SPEC_155.replace("0.415, 0.411", "0.415, abc"), "comma-separated rates"),
        (SPEC_155.replace("length: 2.23", "length: two"), "a number for 'mean acceptance length'"),
        # "2.2.3" and "4..1" fit the fast path's [0-9.]+ but are not numbers (these raised ValueError once)
        (SPEC_155.replace("length: 2.23", "length: 2.2.3"), "a number for 'mean acceptance length'"),
        (SPEC_155.replace("rate: 41.1%", "rate: 4..1%"), "a number for 'avg draft acceptance rate'"),
        ("SpecDecoding metrics: nothing useful here", "expected 'Key: value' fields"),
        ("SpecDecoding metrics: ", "expected 'Key: value' fields"),
    ],
    ids=["no-accepted", "no-drafted", "negative", "non-integer", "word", "accepted>drafted", "repeated",
         "position>1", "position<0", "position-text", "mal-text", "mal-two-dots", "rate-two-dots", "no-fields",
         "empty"],
)
def test_v1_errors(line: str, expected: str) -> None:
    with pytest.raises(LineError) as err:
        v1(line)
    assert expected in str(err.value)


def test_accepted_equal_to_drafted_is_fine() -> None:
    f = v1(V1_0_8_3 % (100.0, 5, 5))
    assert (f.accepted, f.drafted) == (5, 5)


# --- V0 ----------------------------------------------------------------------------------------

def test_v0_sample_from_issue_7301() -> None:
    # k=5, 1 accepted of 5 drafted -> rate 1/5 = 0.200; efficiency 1 emitted / (1 seq x 6) = 0.167
    line = v0_line(1 / 5, 1 / 6, 5, 1, 5, 1)
    assert line == ("Speculative metrics: Draft acceptance rate: 0.200, System efficiency: 0.167, "
                    "Number of speculative tokens: 5, Number of accepted tokens: 1, Number of draft tokens: 5, "
                    "Number of emitted tokens: 1.")
    f = v0(line)
    assert (f.fmt, f.num_spec_tokens, f.accepted, f.draft_tokens, f.emitted) == ("v0", 5, 1, 5, 1)
    assert (f.acceptance_rate, f.system_efficiency) == (0.2, 0.167)


def test_v0_old_doubled_tokens_labels() -> None:
    # 12 of 15 accepted -> 0.800
    line = v0_line(12 / 15, 0.533, 5, 12, 15, 16, old=True)
    assert "Number of draft tokens tokens: 15, Number of emitted tokens tokens: 16." in line
    f = v0(line)
    assert (f.fmt, f.num_spec_tokens, f.accepted, f.draft_tokens, f.emitted) == ("v0-old", 5, 12, 15, 16)
    assert f.acceptance_rate == 0.8


def test_v0_nan_rate() -> None:
    f = v0(v0_line(math.nan, math.nan, 3, 0, 0, 0))
    assert (f.accepted, f.draft_tokens, f.emitted) == (0, 0, 0)
    assert math.isnan(f.acceptance_rate)
    assert math.isnan(f.system_efficiency)


def test_prerelease_v1_speculative_metrics_form_is_rejected() -> None:
    # PR #15902 BEFORE sample: only on main between #15151 and #15902, no 'Number of speculative tokens'
    line = ("Speculative metrics: Draft acceptance rate: 1.000, Number of accepted tokens: 66, "
            "Number of draft tokens: 66, ")
    with pytest.raises(LineError, match="Number of speculative tokens"):
        v0(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (v0_line(0.2, 0.167, 5, 1, 5, 1).replace("Number of accepted tokens: 1, ", ""), "Number of accepted tokens"),
        (v0_line(0.2, 0.167, 5, 1, 5, 1).replace("Number of draft tokens: 5, ", ""), "Number of draft tokens"),
        (v0_line(0.2, 0.167, 5, 6, 5, 1), "accepted tokens (6) exceed draft tokens (5)"),
        (v0_line(0.2, 0.167, 5, 1, 5, 1).replace("tokens: 5,", "tokens: -5,"), "non-negative integer"),
    ],
    ids=["no-accepted", "no-draft", "accepted>draft", "negative"],
)
def test_v0_errors(line: str, expected: str) -> None:
    with pytest.raises(LineError) as err:
        v0(line)
    assert expected in str(err.value)
