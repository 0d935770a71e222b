"""Year-less vLLM timestamps (`MM-DD HH:MM:SS`) on a clock that survives year rollover.

vLLM prints local wall-clock time with no year and no zone (`_DATE_FORMAT = "%m-%d %H:%M:%S"`).
Timestamps are kept as printed. For ordering and windows each gets a `time_key`: seconds on a
clock where every year has 366 days (so Feb 29 always exists) and the year advances whenever
a timestamp is more than 180 days earlier than the previous one in file order (12-31 → 01-01).
Differences between keys are exact within a year except across Feb 28 → Mar 1 of a non-leap
year (one day too long); keys are for ordering, not for rates. Where `--since/--until` bounds land on this clock is the
policy of `analyzers.log.window`.
"""

from __future__ import annotations

_DAYS_BEFORE_MONTH = (0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335)  # 366-day year
YEAR_SECONDS = 366 * 86400
ROLLOVER_SECONDS = 180 * 86400  # a backwards jump longer than this is a new year


_last_minute: tuple[str, int] = ("", 0)  # (valid `MM-DD HH:MM`, its seconds): log lines come in time order


def seconds_in_year(ts: str) -> int | None:
    """`MM-DD HH:MM:SS` → seconds since 01-01 00:00:00 on the 366-day clock; None if malformed."""
    global _last_minute
    if len(ts) != 14 or ts[2] != "-" or ts[5] != " " or ts[8] != ":" or ts[11] != ":":
        return None
    minute_text, minute_start = _last_minute
    if ts[:11] == minute_text:  # same minute as the last good timestamp: only the seconds are new
        ss = ts[12:14]
        if ss.isascii() and ss.isdigit() and int(ss) < 61:
            return minute_start + int(ss)
        return None
    digits = ts[0:2] + ts[3:5] + ts[6:8] + ts[9:11] + ts[12:14]
    if not (digits.isascii() and digits.isdigit()):
        return None
    n = int(digits)  # MMDDhhmmss: one conversion, then arithmetic (once per stats line)
    n, second = divmod(n, 100)
    n, minute = divmod(n, 100)
    n, hour = divmod(n, 100)
    month, day = divmod(n, 100)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    minute_start = ((_DAYS_BEFORE_MONTH[month - 1] + day - 1) * 24 + hour) * 3600 + minute * 60
    _last_minute = (ts[:11], minute_start)
    return minute_start + second


class YearlessClock:
    """Turns timestamps seen in file order into monotonic-by-year `time_key`s."""

    __slots__ = ("_year", "_last")

    def __init__(self) -> None:
        self._year = 0
        self._last: int | None = None

    def key_of_seconds(self, sec: int | None) -> int | None:
        """The time key of a timestamp already turned into `seconds_in_year` (None: malformed),
        advancing the year on a backwards jump of more than 180 days."""
        if sec is None:
            return None
        if self._last is not None and sec < self._last - ROLLOVER_SECONDS:
            self._year += 1
        self._last = sec
        return self._year * YEAR_SECONDS + sec


def stamp_of_seconds(sec: int) -> str:
    """The `MM-DD HH:MM:SS` of `sec` seconds into a year of the 366-day clock (the inverse of
    `seconds_in_year`; a key's year is `key // YEAR_SECONDS`)."""
    day, rest = divmod(sec % YEAR_SECONDS, 86400)
    month = max(i for i, first in enumerate(_DAYS_BEFORE_MONTH) if first <= day)
    hour, rest = divmod(rest, 3600)
    return f"{month + 1:02d}-{day - _DAYS_BEFORE_MONTH[month] + 1:02d} {hour:02d}:{rest // 60:02d}:{rest % 60:02d}"
