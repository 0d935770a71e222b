"""The /metrics source of a target: one scrape (counters since the server started) or a
before/after pair (their difference, scoped to what happened in between).

A pair is taken in the order given, unless its content says otherwise: when both scrapes come
from one server lifetime (identical `_created` times) and no counter went up while some went
down, they were given swapped, and are used the other way round; when they come from two
lifetimes, the one whose counters were created later is the later scrape. A counter that goes
down across a restart is one notice (not one per counter). A per-position series that cannot be
complete (`analyzers.acceptance.sources.series_gaps`) is a warning, and k is then not taken from it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timezone

from speclens.analyzers.acceptance.models import Notice, SourceResult, TargetReport
from speclens.analyzers.acceptance.sources import metrics_source, series_gaps
from speclens.parsers.prometheus import (
    EngineCounters,
    SpecScrape,
    diff_scrapes,
    latest_created,
    parse_scrape,
    same_lifetime,
    scrape_text,
)

_COUNTERS = ("drafts", "draft_tokens", "accepted", "emitted")


def _values(scrape: SpecScrape) -> dict[str, int]:
    out = {}
    for engine, c in scrape.engines.items():
        for name in _COUNTERS:
            if getattr(c, name) is not None:
                out[f"{name} (engine '{engine}')" if engine else name] = getattr(c, name)
        for pos, value in c.per_position.items():
            out[f"per_position[{pos}]" + (f" (engine '{engine}')" if engine else "")] = value
    return out


def _moves(first: SpecScrape, second: SpecScrape) -> tuple[list[str], list[str]]:
    """The counters that went down and those that went up from `first` to `second`."""
    a, b = _values(first), _values(second)
    down = [name for name, value in b.items() if name in a and value < a[name]]
    up = [name for name, value in b.items() if name in a and value > a[name]]
    return down, up


def _when(seconds: float | None) -> str:
    return "?" if seconds is None else datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _order(first: SpecScrape, second: SpecScrape, report: TargetReport) -> tuple[SpecScrape, SpecScrape]:
    """(before, after) of a pair given as (first, second), with the notices that explain it. Across
    a restart the before-scrape becomes empty: the delta is the later lifetime's own counts."""
    names = (os.path.basename(first.path), os.path.basename(second.path))
    lifetime = same_lifetime(first, second)
    down, up = _moves(first, second)
    if lifetime is False:  # two lifetimes: whichever was created later is the later scrape
        created = (latest_created(first), latest_created(second))
        if None not in created and created[0] > created[1]:  # type: ignore[operator]
            report.notices.append(Notice(level="warning", code="scrapes-swapped", location=second.path, message=(
                f"{names[0]}'s counters were created at {_when(created[0])}, after {names[1]}'s "
                f"({_when(created[1])}): {names[0]} is the later scrape, so the pair is used the other way round")))
            first, second, created = second, first, (created[1], created[0])
        report.notices.append(Notice(level="warning", code="counter-reset", location=second.path, message=(
            f"the server restarted between the scrapes (counters created at {_when(created[0])}, then at "
            f"{_when(created[1])}): the delta holds only the counts since the restart, "
            f"{os.path.basename(second.path)}'s own")))
        return SpecScrape(first.path, {}), second
    if not down:
        return first, second
    listed = ", ".join(down[:6]) + (", …" if len(down) > 6 else "")
    if lifetime and not up:
        report.notices.append(Notice(level="warning", code="scrapes-swapped", location=second.path, message=(
            f"every counter that changed went down from {names[0]} to {names[1]} ({len(down)} of them) while their "
            "_created times are identical (one server lifetime, where counters only grow): the scrapes look "
            f"swapped, so {names[1]} is used as the before-scrape and {names[0]} as the after-scrape")))
        return second, first
    if lifetime is None:
        report.notices.append(Notice(level="warning", code="counter-reset", location=second.path, message=(
            f"{len(down)} counter(s) went down from {names[0]} to {names[1]} ({listed}) and the scrapes carry no "
            "_created samples to tell why: either the server restarted in between (then the delta holds only the "
            "counts since the restart, as used here) or the scrapes were given in the wrong order (pass "
            "BEFORE.prom AFTER.prom)")))
    else:
        report.notices.append(Notice(level="warning", code="scrapes-inconsistent", location=second.path, message=(
            f"within one server lifetime (identical _created times) some counters went down ({listed}) and others "
            f"up ({', '.join(up[:6])}): these are not two readings of one server in order; each counter that went "
            "down is taken as restarted")))
    return first, second


def _check_series(source_id: str, engines: dict[str, EngineCounters], path: str, report: TargetReport) -> None:
    for name, counters in sorted(engines.items()):
        gaps = series_gaps(counters)
        if gaps:
            who = f" engine '{name}'" if name else ""
            report.notices.append(Notice(level="warning", code="per-position-series-incomplete", location=path,
                                         message=(
                f"{source_id}{who}: the per-position series is incomplete ({'; '.join(gaps)}); per-position rates of "
                "missing positions are unknown, and k is not taken from the number of series")))


def metrics_result(before_path: str | None, after_path: str, k: int | None, report: TargetReport,
                   text_of: Callable[[str], str] = scrape_text) -> SourceResult | None:
    """The /metrics source of a target (None when the scrapes hold no spec-decode counters);
    notices go to `report`. `text_of` reads a scrape's text (the caller may share it with the
    diffusion section, so each file is read once)."""
    after = parse_scrape(after_path, text_of(after_path))
    if before_path is not None:
        before, after = _order(parse_scrape(before_path, text_of(before_path)), after, report)
        if not after.engines:
            return None
        delta, _ = diff_scrapes(before, after)
        _check_series("metrics_delta", delta.engines, after.path, report)
        scope = f"/metrics after − before ({os.path.basename(before.path)} → {os.path.basename(after.path)})"
        return metrics_source("metrics_delta", "metrics_delta", scope, [before.path, after.path],
                              delta, k)
    if not after.engines:
        return None
    report.notices.append(Notice(level="info", code="server-cumulative", location=after_path, message=(
        "one /metrics scrape and no before-scrape: counters since the server started, not scoped to a load run")))
    _check_series("metrics_scrape", after.engines, after_path, report)
    return metrics_source("metrics_scrape", "metrics_scrape", "/metrics counters since server start",
                          [after_path], after, k)
