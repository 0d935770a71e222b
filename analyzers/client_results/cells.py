"""Cells and two-column tables for the re-read client results (analyzers/client_results/*.py), and
the one rule for a summary rate that the file's own counts re-derive (`recount`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from speclens.analyzers.render.tables import Table, fmt
from speclens.base.formulas import ratio

# the clients write rates rounded to 4 decimals: a written rate agrees with its counts when it is
# within half a unit of the 4th decimal of them (plus float noise)
AGREE_WITHIN = 0.5e-4 + 1e-12


def cell(value: object) -> str:
    """A value as a table cell: None is n/a, floats through the one number format."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return fmt(value)
    return str(value)


def pairs(title: str, values: dict, notes: list[str] | None = None) -> Table:
    """A field/value table of the scalar entries of `values` (nested objects are left out)."""
    rows = [[str(k), cell(v)] for k, v in values.items() if not isinstance(v, (dict, list))]
    return Table(title, ["field", "value"], rows, [n for n in notes or [] if n])


def spanned(value: float | None, interval: object, show: Callable[[float], str]) -> str:
    """A number with its 95% interval as a cell, each through `show`: `1.50x [0.51x, 4.40x], paired
    over 3 prompts`; without bounds, the interval's note says why: `1.50x, no 95% interval (2
    prompt(s); an interval needs 3)`. `interval` is the file's {ci_low, ci_high, note} (a Section or
    None: `n/a` for the interval)."""
    number = "n/a" if value is None else show(value)
    low, high = (getattr(interval, key, None) for key in ("ci_low", "ci_high"))
    note = getattr(interval, "note", None)
    if low is None or high is None:
        return f"{number}, no 95% interval" + (f" ({note})" if note else "")
    return f"{number} [{show(low)}, {show(high)}]" + (f", {note}" if note else "")


def times(x: float) -> str:
    return f"{x:.2f}x"


def warmup_table(per_server: dict[str, object], what: str = "requests") -> Table:
    """The untimed warm-up per server as written (`n/a` for a server whose count the file has as null);
    `what` names what was sent (discarded requests, or warm-up questions through the timed path)."""
    return Table("Warm-up (untimed, before the first timed request)", ["server", what],
                 [[name, cell(n)] for name, n in per_server.items()])


@dataclass(frozen=True)
class Recount:
    """A rate as shown: the counts' value when the file has the counts, else the written one;
    `note` says how the written value disagrees with the counts (None when it does not)."""

    value: float | None
    note: str | None = None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def recount(field: str, written: object, label: str, numerator: object, denominator: object,
            rate: Callable[[int, int], float | None] = ratio) -> Recount:
    """`field` (where the file wrote the rate) re-derived as numerator / denominator (`label` names
    them, e.g. "correct / total"; `rate` is the formula, e.g. base.formulas.acceptance_rate). E.g.
    metrics.accuracy 0.5234 with 65 correct of 124: shown 65 / 124 = 0.5242, noted (difference
    +0.0008). Without both counts: the written value, unchecked; a denominator of 0: n/a
    (undefined), noted when the file wrote a number."""
    if not isinstance(written, (int, float)) or isinstance(written, bool):
        written = None  # not a number: nothing to check against
    if not (_is_count(numerator) and _is_count(denominator)):
        return Recount(written)
    said = f"{field} in the file is {written}, but its own counts give {label} = {numerator} / {denominator}"
    if denominator == 0:
        return Recount(None, None if written is None else f"{said} (undefined); shown: n/a")
    value = rate(numerator, denominator)  # type: ignore[arg-type]  # counts, denominator > 0
    if written is None or abs(value - written) <= AGREE_WITHIN:
        return Recount(value)
    return Recount(value, f"{said} = {value:.4f} (difference {value - written:+.4f}); shown: the counts' value")
