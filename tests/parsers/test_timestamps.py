"""parsers.timestamps: year-less `MM-DD HH:MM:SS` on a 366-day clock that survives 12-31 -> 01-01."""

from __future__ import annotations

import pytest
from speclens.parsers.timestamps import YearlessClock, seconds_in_year, stamp_of_seconds

DAY = 86400
YEAR = 366 * DAY  # 31_622_400


@pytest.mark.parametrize(
    ("ts", "seconds"),
    [
        ("01-01 00:00:00", 0),
        ("01-01 00:00:05", 5),
        ("02-29 00:00:00", 59 * DAY),  # 31 days of January + 28 days into February
        ("03-01 00:00:00", 60 * DAY),  # 31 + 29 (the clock always has Feb 29)
        ("11-22 21:51:34", 326 * DAY + 21 * 3600 + 51 * 60 + 34),  # 305 days before Nov + 21 -> 28_245_094
        ("12-31 23:59:59", 366 * DAY - 1),  # 31_622_399
    ],
)
def test_seconds_in_year(ts: str, seconds: int) -> None:
    assert seconds_in_year(ts) == seconds


@pytest.mark.parametrize(
    "ts",
    ["13-01 00:00:00", "00-10 00:00:00", "01-00 00:00:00", "01-32 00:00:00", "01-01 24:00:00",
     "01-01 00:60:00", "01-01 00:00:61", "", "ab-cd ef:gh:ij", "12-31 23:59", "-1-01 00:00:00"],
)
def test_malformed_stamps_return_none(ts: str) -> None:
    assert seconds_in_year(ts) is None




@pytest.mark.parametrize(
    "ts",
    ["12-31 23:59:5", "12/31 23:59:59", "12-31T23:59:59", " 1-01 00:00:00", "１２-31 23:59:59"],
)
def test_malformed_separators_or_length_return_none(ts: str) -> None:
    assert seconds_in_year(ts) is None


def key(clock: YearlessClock, ts: str) -> int | None:
    """The time key of `ts`, as the log reader computes it."""
    return clock.key_of_seconds(seconds_in_year(ts))


def test_rollover_new_year_is_exactly_6_seconds() -> None:
    clock = YearlessClock()
    before = key(clock, "12-31 23:59:59")
    after = key(clock, "01-01 00:00:05")
    assert before == 31_622_399  # 366 days - 1 s
    assert after == 31_622_405  # one 366-day year (31_622_400) + 5 s
    assert after - before == 6  # 1 s to midnight + 5 s


def test_rollover_happens_once_and_keys_keep_growing() -> None:
    clock = YearlessClock()
    keys = [key(clock, ts) for ts in ("12-31 23:59:59", "01-01 00:00:05", "01-01 00:00:06", "06-01 00:00:00")]
    # 06-01 is 152 days after 01-01: not a backwards jump, so still year 1
    assert keys == [31_622_399, YEAR + 5, YEAR + 6, YEAR + 152 * DAY]


def test_dst_step_back_one_hour_is_not_a_rollover() -> None:
    clock = YearlessClock()
    first = key(clock, "10-27 02:59:58")
    second = key(clock, "10-27 02:00:03")  # clocks go back 1 h: 3595 s earlier
    assert second - first == -3595
    assert key(clock, "10-27 02:00:04") - first == -3594


def test_malformed_stamp_does_not_disturb_the_clock() -> None:
    clock = YearlessClock()
    key(clock, "12-31 23:59:59")
    assert key(clock, "99-99 99:99:99") is None
    assert key(clock, "01-01 00:00:01") == YEAR + 1


@pytest.mark.parametrize("ts", ["01-01 00:00:00", "02-29 12:00:01", "03-01 00:00:00", "11-22 21:51:34", "12-31 23:59:59"])
def test_stamp_of_seconds_inverts_seconds_in_year(ts: str) -> None:
    assert stamp_of_seconds(seconds_in_year(ts)) == ts  # type: ignore[arg-type]
    assert stamp_of_seconds(YEAR + seconds_in_year(ts)) == ts  # type: ignore[operator]  # any year: same digits


def test_same_minute_shortcut_still_checks_the_seconds() -> None:
    # 03-02 19:47 on the 366-day clock: 31 (Jan) + 29 (Feb) + 1 (Mar 1) = 61 whole days before,
    # so (61*24 + 19)*3600 + 47*60 seconds
    minute = (61 * 24 + 19) * 3600 + 47 * 60
    assert seconds_in_year("03-02 19:47:40") == minute + 40
    assert seconds_in_year("03-02 19:47:41") == minute + 41  # shortcut: same minute
    assert seconds_in_year("03-02 19:47:61") is None  # 61 > 60 (leap second 60 is allowed)
    assert seconds_in_year("03-02 19:47: 1") is None
    assert seconds_in_year("03-02 19:47:٣1") is None  # a non-ASCII digit
    assert seconds_in_year("03-02 19:47:60") == minute + 60
