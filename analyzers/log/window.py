"""`--since/--until`: what a user may type, and where each bound lands on one log's clock.

Accepted forms (`parse_window` checks them; one clear ValueError otherwise):
- vLLM's own `MM-DD HH:MM:SS` (e.g. `11-22 21:52:53`), year-less like the log;
- ISO 8601 `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS][.fff][Z|±HH:MM|±HHMM]` (e.g.
  `2026-11-22T22:45:04Z`); a fraction of a second is dropped (log lines have whole seconds).

vLLM prints local wall-clock time with no year and no zone, so what is compared is a bound's
month, day and wall-clock digits with the log's. An ISO bound's year and UTC offset are used only
with an anchor: a run directory's run.json, whose `started_at` (local time, with year and
offset, e.g. `2026-11-22T23:54:22+0000`) says which year the log's first line is in (the one
that puts it nearest to the run's start) and which offset the server's clock had. Then a bound
with an offset is first moved to the run's offset (`22:45:04Z` is `23:45:04` at +0100), and then
put in its own year exactly. Without an anchor the year and the offset are not used; the report
says so.

Placement of a year-less bound (and of an ISO bound without an anchor) on a log: the log's clock
(`parsers.timestamps`) counts years from the log's first line, and `MM-DD` could mean any of
them. The bound goes to the occurrence nearest to the log's span, from its earliest timestamp to
its latest (not from its first line: processes writing one file can put a line stamped earlier
after later ones, and each line is placed by its own time): inside the span if one is there (the
first found, if the log spans more than a year), else whichever is closer of the occurrence just
before the earliest line and the one just after the latest line; a tie goes to the earlier.
So `--since "11-22 21:50:00"` on a log that starts at 11-22 21:51:21 is 81 s before its start,
not 366 days later, and `--since "01-01 00:05:00"` on a log running 12-31 23:58 → 01-01 00:10 is
inside it, in the log's second year.
Each log is placed on its own span.

The span grows at both ends as the log is read, so the placement is settled as lines arrive.
`since` starts at the earlier occurrence (which takes everything read so far) and moves to the
later one when the latest line gets nearer to it than the earliest line is to the earlier one;
`until` starts at the later occurrence and moves to the earlier one when an earlier-stamped line
puts that one inside the span, or at the end when it is still the nearer. `LogWindow.see` reports
such a move (everything read until then is then before, or after, the window) and
`LogWindow.finish` settles what is still open at the end. A bound that moved to the later
occurrence stays there: the lines it left out are not kept, so an earlier-stamped line read after
that does not move it back (that takes a log read out of order by about half a year).

A pair: `--until` is placed `length` after `--since`, where length is the distance from since to
until read like two consecutive log lines: an until more than 180 days before since (on the
year-less calendar) is in the next year (`12-31 23:00:00` → `01-01 01:00:00` is two hours); an
until before since by less than that is refused. With years on both, length is their difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from speclens.analyzers.acceptance.models import Window
from speclens.parsers.timestamps import ROLLOVER_SECONDS, YEAR_SECONDS, seconds_in_year, stamp_of_seconds

FORMS = ("expected a time as vLLM prints it, 'MM-DD HH:MM:SS' (e.g. '11-22 21:52:53'), or ISO 8601 "
         "'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]' (e.g. '2026-11-22T21:52:53Z')")
_VLLM_RE = re.compile(r"(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)")
_ISO_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,]\d{1,9})?)?"
                     r"(?P<zone>[Zz]|[+-]\d\d:?\d\d)?")


@dataclass(frozen=True, slots=True)
class Bound:
    """One bound as given: its wall-clock digits, and the year and UTC offset if it had them."""

    option: str
    text: str
    month: int
    day: int
    clock: tuple[int, int, int]  # hour, minute, second
    year: int | None = None
    offset_minutes: int | None = None

    @property
    def seconds(self) -> int:
        """Seconds into the year on the log's 366-day clock (`parsers.timestamps`)."""
        hour, minute, second = self.clock
        return seconds_in_year(f"{self.month:02d}-{self.day:02d} {hour:02d}:{minute:02d}:{second:02d}") or 0

    def aware(self) -> datetime | None:
        """The instant, when the bound has a year and an offset."""
        if self.year is None or self.offset_minutes is None:
            return None
        zone = timezone(timedelta(minutes=self.offset_minutes))
        return datetime(self.year, self.month, self.day, *self.clock, tzinfo=zone)


def parse_bound(option: str, text: str) -> Bound:
    """Read one `--since/--until` value (see the module docstring); ValueError names what is wrong."""
    value = text.strip()
    match = _VLLM_RE.fullmatch(value)
    iso = None if match else _ISO_RE.fullmatch(value)
    if match is None and iso is None:
        raise ValueError(f"{option} {text!r}: {FORMS}")
    if match is not None:
        month, day, hour, minute, second = map(int, match.groups())
        year = None
    else:
        assert iso is not None
        year, month, day, hour, minute = map(int, iso.groups()[:5])
        second = int(iso.group(6) or 0)
    try:  # a real calendar date; a year-less one may be Feb 29 (2000 is a leap year)
        datetime(2000 if year is None else year, month, day, hour, minute, min(second, 59))
        if second > 59 and year is not None:
            raise ValueError("second must be in 0..59")
    except ValueError as err:
        raise ValueError(f"{option} {text!r}: not a valid date and time ({err}); {FORMS}") from None
    offset = None
    zone = iso.group("zone") if iso is not None else None
    if zone:
        if zone in "Zz":
            offset = 0
        else:
            digits = zone[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                raise ValueError(f"{option} {text!r}: UTC offset {zone} is out of range; {FORMS}")
            offset = (hours * 60 + minutes) * (-1 if zone[0] == "-" else 1)
    return Bound(option, text, month, day, (hour, minute, second), year, offset)


def window_length(since: Bound, until: Bound) -> int:
    """Seconds from `since` to `until` on the log clock (see "A pair" in the module docstring);
    ValueError when until is before since."""
    if since.year is not None and until.year is not None:
        since_at, until_at = since.aware(), until.aware()
        if since_at is not None and until_at is not None:
            behind = until_at < since_at
        else:
            behind = (until.year, until.month, until.day, until.clock) < (
                since.year, since.month, since.day, since.clock)
        length = (until.year - since.year) * YEAR_SECONDS + until.seconds - since.seconds
        if since_at is not None and until_at is not None:
            length += (since.offset_minutes or 0) * 60 - (until.offset_minutes or 0) * 60
    else:
        length = until.seconds - since.seconds
        behind = length < 0 and -length <= ROLLOVER_SECONDS
        if length < 0 and not behind:
            length += YEAR_SECONDS  # the pair crosses a new year
    if behind:
        raise ValueError(f"--since {since.text!r} is after --until {until.text!r}: the window would be empty; "
                         "swap them (a year-less --until more than 180 days before --since means the next year)")
    return length


def parse_window(since: str | None, until: str | None, skip_first: int,
                 segment: int | str | None = None) -> Window:
    """The `Window` of the CLI options, checked: each bound in an accepted form, since not after
    until, skip_first ≥ 0, segment a segment index or "all". ValueError with one clear message."""
    bounds = [parse_bound(name, text) for name, text in (("--since", since), ("--until", until)) if text is not None]
    if len(bounds) == 2:
        window_length(*bounds)
    if not isinstance(skip_first, int) or skip_first < 0:
        raise ValueError(f"--skip-first {skip_first!r}: expected a whole number ≥ 0 "
                         "(spec lines to skip per server lifetime)")
    chosen: int | Literal["all"] | None = None
    if segment is not None:
        text = str(segment).strip().lower()
        if text == "all":
            chosen = "all"
        elif text.isascii() and text.isdigit():
            chosen = int(text)
        else:
            raise ValueError(f"--segment {segment!r}: expected a segment index "
                             "(0 = the log's first server lifetime) or 'all'")
    return Window(since=since, until=until, skip_first=skip_first, segment=chosen)


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a run directory's run.json says about its log's clock: the run's start as local time
    with year and (usually) UTC offset."""

    started: datetime
    source: str = "run.json started_at"

    def first_line_year(self, first_seconds: int) -> int:
        """The calendar year of a log line at `first_seconds` (366-day clock): the one putting it
        nearest to the run's start."""
        start = self.started
        diff = first_seconds - seconds_in_year(f"{start:%m-%d %H:%M:%S}")  # type: ignore[operator]
        if diff > YEAR_SECONDS // 2:
            return start.year - 1
        return start.year + 1 if diff < -YEAR_SECONDS // 2 else start.year


def parse_run_time(text: object) -> datetime | None:
    """A run.json time (`2026-11-22T23:54:22+0000`) or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return None


Relation = Literal["before the log", "inside the log", "after the log"]
RELATION_TEXT = {"before the log": "before the log's earliest line", "inside the log": "inside the log",
                 "after the log": "after the log's latest line"}
SPAN_TEXT = "the log's startup, stats and spec lines run"


class _Placed:
    """One year-less bound on one log: its occurrences `early` (just before the first line) and
    `late` (the first at or after it); `key` is `early` until the span makes `late` nearer.
    `final` once that cannot change: `early` is inside the span, or the bound moved to `late`."""

    __slots__ = ("early", "late", "key", "final")

    def __init__(self, seconds: int, first_key: int) -> None:
        late = (first_key // YEAR_SECONDS) * YEAR_SECONDS + seconds
        if late < first_key:
            late += YEAR_SECONDS
        self.early, self.late = late - YEAR_SECONDS, late
        self.key, self.final = self.early, False
        self.see(first_key, first_key)

    def see(self, earliest: int, latest: int) -> bool:
        """Account for the span [earliest, latest]; True when this moved the bound to `late`."""
        if earliest <= self.early:  # inside the span: settled where it is
            self.final = True
            return False
        if self.late - latest < earliest - self.early:  # late is nearer (or inside: latest ≥ late)
            self.key, self.final = self.late, True
            return True
        return False


class LogWindow:
    """A `Window`'s time bounds placed on one log (see the module docstring). Use: `begin` at
    the first timestamped record, `see` for each later one stamped outside [earliest, latest],
    `finish` at the end; `since`/`until` are the keys in force (None: no bound). `first_key` is
    the first timestamped line's (the clock's origin), `earliest`/`latest` the span so far."""

    def __init__(self, window: Window, anchor: Anchor | None = None) -> None:
        self.window = window
        self._since = parse_bound("--since", window.since) if window.since else None
        self._until = parse_bound("--until", window.until) if window.until else None
        self._length = window_length(self._since, self._until) if self._since and self._until else None
        self.anchor = anchor
        self.active = self._since is not None or self._until is not None
        self.pending = False
        self.since: int | None = None
        self.until: int | None = None
        self.first_key: int | None = None
        self.earliest: int | None = None
        self.latest: int | None = None
        self._placed: dict[str, _Placed] = {}
        self.notes: list[str] = []

    def _exact(self, bound: Bound, first_key: int) -> int | None:
        """The key of a bound with a year, given the anchor; None without one."""
        if bound.year is None or self.anchor is None:
            return None
        wall = datetime(bound.year, bound.month, bound.day, *bound.clock)
        started = self.anchor.started
        if bound.offset_minutes is not None and started.tzinfo is not None:
            wall = bound.aware().astimezone(started.tzinfo).replace(tzinfo=None)  # type: ignore[union-attr]
        elif bound.offset_minutes is not None:
            self.notes.append(f"{bound.option} {bound.text!r}: its UTC offset is not applied "
                              f"({self.anchor.source} has none)")
        year0 = self.anchor.first_line_year(first_key % YEAR_SECONDS)
        seconds = seconds_in_year(f"{wall:%m-%d %H:%M:%S}")
        return (first_key // YEAR_SECONDS + wall.year - year0) * YEAR_SECONDS + seconds  # type: ignore[operator]

    def _unanchored_note(self, bound: Bound) -> None:
        if bound.year is not None and self.anchor is None:
            unused = "year and UTC offset are" if bound.offset_minutes is not None else "year is"
            self.notes.append(f"{bound.option} {bound.text!r}: its {unused} not used (vLLM log lines carry local "
                              f"wall-clock time without year or zone); its digits {stamp_of_seconds(bound.seconds)} "
                              "are placed nearest to the log's span")

    def begin(self, first_key: int) -> None:
        self.first_key = self.earliest = self.latest = first_key
        for bound in (self._since, self._until):
            if bound is not None:
                self._unanchored_note(bound)
        if self._since is not None:
            exact = self._exact(self._since, first_key)
            if exact is None:
                self._placed["since"] = _Placed(self._since.seconds, first_key)
                self.since = self._placed["since"].key
            else:
                self.since = exact
        if self._until is not None:
            exact = self._exact(self._until, first_key)
            if exact is not None and (self._since is None or "since" not in self._placed):
                self.until = exact
            elif self._length is not None:
                self.until = self.since + self._length  # type: ignore[operator]
            else:
                self._placed["until"] = _Placed(self._until.seconds, first_key)
                self.until = self._placed["until"].late  # provisional: the early one would cut everything
        self.pending = any(not p.final for p in self._placed.values())

    def see(self, key: int) -> Literal["since", "until"] | None:
        """A timestamped record at `key` comes next. "since": `since` just moved forward past every
        record read so far (the caller counts them all as before the window); "until": `until`
        just moved back before every record read so far (all after the window); else None."""
        if key > self.latest:  # type: ignore[operator]
            self.latest = key
        elif key < self.earliest:  # type: ignore[operator]
            self.earliest = key  # a line stamped earlier than every one before it
        else:
            return None
        if not self.pending:
            return None
        earliest, latest = self.earliest, self.latest
        moved: Literal["since", "until"] | None = None
        since = self._placed.get("since")
        if since is not None and not since.final and since.see(earliest, latest):
            self.since = since.key
            if self._length is not None:
                self.until = self.since + self._length
            moved = "since"
        until = self._placed.get("until")
        if until is not None and not until.final and not until.see(earliest, latest) and until.final:
            self.until = until.early  # inside the span now, before every line read so far
            moved = "until"
        self.pending = any(not p.final for p in self._placed.values())
        return moved

    def finish(self) -> bool:
        """Settle open placements; True when `until` ends up before the log's start (every
        record is then after the window)."""
        until = self._placed.get("until")
        self.pending = False
        if until is not None and not until.final:
            until.final = True
            self.until = until.early
            return True
        return False

    def relation(self, key: int | None) -> Relation | None:
        if key is None or self.earliest is None or self.latest is None:
            return None
        return "before the log" if key < self.earliest else "after the log" if key > self.latest else "inside the log"

    @staticmethod
    def stamp(key: int | None) -> str | None:
        return None if key is None else stamp_of_seconds(key)
