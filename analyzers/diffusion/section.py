"""The diffusion section of one acceptance target (None when its inputs hold no diffusion data).

Same rules as the spec-decode sources (`analyzers.acceptance.report`): primary = the /metrics delta when
a before/after pair has diffusion counters, else the log's last segment with diffusion lines in
the window, else a single scrape; a log and a delta are both reported with their difference
(`b − a` per count) and what explains it. Notices go to the target's list with `diffusion-*` codes.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from speclens.analyzers.acceptance.models import Notice, TargetReport, Window
from speclens.analyzers.diffusion.models import DiffusionAgreement, DiffusionSection, DiffusionSource
from speclens.analyzers.diffusion.sources import (
    bench_diffusion_source,
    diffusion_agreement,
    log_diffusion_source,
    scrape_diffusion_source,
)
from speclens.analyzers.log.source import LogFold, SegmentFold
from speclens.parsers.diffusion_scrape import diff_diffusion, parse_diffusion_scrape
from speclens.parsers.prometheus import scrape_text


def _metrics(before: str | None, after: str, report: TargetReport,
             text_of: Callable[[str], str]) -> DiffusionSource | None:
    last = parse_diffusion_scrape(after, text_of(after))
    if not last.engines:
        return None
    if before is None:
        return scrape_diffusion_source("metrics_scrape", "/metrics diffusion counters since server start", [after], last)
    delta, resets = diff_diffusion(parse_diffusion_scrape(before, text_of(before)), last)
    if resets:
        listed = ", ".join(f"{r.counter}{f' (engine {r.engine!r})' if r.engine else ''} {r.before} → {r.after}"
                           for r in resets[:4])
        report.notices.append(Notice(level="warning", code="diffusion-counter-reset", location=after, message=(
            f"diffusion counters restarted between the scrapes ({listed}): the delta holds only the counts since "
            "the restart")))
    scope = f"/metrics diffusion counters after − before ({os.path.basename(before)} → {os.path.basename(after)})"
    return scrape_diffusion_source("metrics_delta", scope, [before, after], delta)


def _agreement(metrics: DiffusionSource, log: DiffusionSource, seg: SegmentFold, window: Window,
               scoped: bool) -> DiffusionAgreement:
    d = seg.diffusion
    assert d is not None
    notes = []
    if d.before_run:
        notes.append(f"the log source holds {d.before_run} interval(s) from before the run began")
    if d.after_run:
        notes.append(f"the log source holds {d.after_run} interval(s) from after the run ended")
    if window.since or window.until or window.skip_first:
        notes.append("the log window (--since/--until/--skip-first) differs from the scrape interval")
    elif scoped and (d.before or d.after):
        notes.append(f"the log is scoped to the run's window from run.json ({d.before + d.after} interval(s) outside "
                     "it left out)")
    agreement = diffusion_agreement(metrics, log)
    if not agreement.agree and not notes:
        gap = metrics.counts.committed_tokens - log.counts.committed_tokens
        if gap > 0:
            notes.append(f"the log has {gap} committed tokens fewer than the counters: the last stats interval may not "
                         "have reached the log before the after-scrape")
        elif gap < 0:
            notes.append(f"the log has {-gap} committed tokens more than the counters: it holds traffic outside the "
                         "scrape interval")
    agreement.note = "; ".join(notes)
    return agreement


def diffusion_section(report: TargetReport, fold: LogFold | None, segments: tuple[SegmentFold, ...],
                      before: str | None, after: str | None, window: Window, scoped: bool,
                      scope_note: str = "", text_of: Callable[[str], str] = scrape_text) -> DiffusionSection | None:
    """The section of a log/scrape target; `segments` are the log segments the window chose;
    `text_of` reads a scrape's text (shared with the spec-decode /metrics source)."""
    logs: list[tuple[DiffusionSource, SegmentFold]] = []
    for seg in segments:
        if seg.diffusion is not None and fold is not None:
            source = log_diffusion_source(fold.path, seg.info.index, seg.diffusion, scope_note)
            if source is not None:
                logs.append((source, seg))
    metrics = _metrics(before, after, report, text_of) if after is not None else None
    if metrics is None and not logs:
        return None
    section = DiffusionSection(sources=([metrics] if metrics else []) + [s for s, _ in logs])
    if metrics is not None and (metrics.kind == "metrics_delta" or not logs):
        section.primary = metrics.id
    else:
        section.primary = logs[-1][0].id
    if metrics is not None and logs:
        log, seg = logs[-1]
        windowed = bool(window.skip_first or seg.diffusion.before or seg.diffusion.after)  # type: ignore[union-attr]
        if metrics.kind == "metrics_scrape" and (windowed or len(segments) > 1):
            report.notices.append(Notice(level="info", code="diffusion-not-compared", message=(
                "the single /metrics scrape covers the whole server lifetime; the log's diffusion lines are windowed "
                "or the log holds several lifetimes, so they are not compared")))
        else:
            section.agreements.append(_agreement(metrics, log, seg, window, scoped))
    return section


def bench_diffusion_section(path: str, blocks: list) -> DiffusionSection | None:
    """The section of a vllm bench result: its JSON keys (one block) or its console blocks."""
    sources = [s for i, b in enumerate(blocks) if (s := bench_diffusion_source(path, b, i, len(blocks))) is not None]
    if not sources:
        return None
    return DiffusionSection(sources=sources, primary=sources[-1].id)

