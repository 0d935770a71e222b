"""Build the acceptance `Report` for the CLI's PATH arguments.

Primary source per target: the /metrics delta when a before/after pair exists, else the log
(its last segment with spec lines). When a log and /metrics both exist, both are reported with
their difference. Everything unusual is a `Notice`, never hidden.
"""

from __future__ import annotations

import os

from analyzers import __version__
from analyzers.inputs import Target, ThreadedDigest, file_sha256, resolve_targets
from analyzers.log_source import LogFold, fold_log
from analyzers.report import InputFile, Notice, Report, SourceResult, TargetReport, Window
from analyzers.sources import compare, log_source, metrics_source
from parsers.log_scan import is_gzip
from parsers.prometheus import diff_scrapes, read_scrape


def _input(path: str, role: str, sha: str | None = None) -> InputFile:
    return InputFile(path=path, role=role, sha256=sha or file_sha256(path), size_bytes=os.path.getsize(path))


def build_report(paths: list[str], window: Window, keep_series: bool = False) -> Report:
    """Analyze every PATH (see `analyzers.inputs`) into one report."""
    inputs: list[InputFile] = []
    targets = [_target(t, window, keep_series, inputs) for t in resolve_targets(paths)]
    return Report(speclens_version=__version__, window=window, inputs=inputs, targets=targets)


def _read_log(path: str, window: Window, keep_series: bool, inputs: list[InputFile]) -> LogFold:
    if is_gzip(path):
        fold = fold_log(path, window, keep_series)
        inputs.append(_input(path, "vllm_log"))
        return fold
    digest = ThreadedDigest()
    try:
        fold = fold_log(path, window, keep_series, digest.feed)
    finally:
        sha = digest.hexdigest()
    inputs.append(_input(path, "vllm_log", sha))
    return fold


def _target(t: Target, window: Window, keep_series: bool, inputs: list[InputFile]) -> TargetReport:
    report = TargetReport(path=t.path, kind=t.kind)
    logs: list[SourceResult] = []
    k = None
    if t.log:
        fold = _read_log(t.log, window, keep_series, inputs)
        report.segments = [seg.info for seg in fold.segments]
        logs = [s for seg in fold.segments if (s := log_source(t.log, seg, keep_series)) is not None]
        k = next((s.counts.k for s in reversed(logs) if s.counts.k), None)
        _log_notices(report, fold, logs, window)
    metrics = _metrics(t, k, inputs, report)
    report.sources = ([metrics] if metrics else []) + logs
    if metrics is not None and metrics.kind == "metrics_delta":
        report.primary = metrics.id
    elif logs:
        report.primary = logs[-1].id
    elif metrics is not None:
        report.primary = metrics.id
    if metrics is not None and logs:
        windowed = bool(window.since or window.until or window.skip_first)
        if metrics.kind == "metrics_scrape" and (windowed or len(report.segments) > 1):
            report.notices.append(Notice(level="info", code="not-compared", message=(
                "the single /metrics scrape covers the whole server lifetime; the log source is windowed "
                "or the log holds several lifetimes, so they are not compared")))
        else:
            note = "log window differs from the scrape interval" if windowed else ""
            report.agreements.append(compare(metrics, logs[-1], note))
    if not report.sources:
        report.notices.append(Notice(level="warning", code="no-spec-data", message=(
            "no speculative-decoding data: no spec lines in the log and no vllm:spec_decode_* counters")))
    return report


def _metrics(t: Target, k: int | None, inputs: list[InputFile], report: TargetReport) -> SourceResult | None:
    if t.after is None:
        return None
    after = read_scrape(t.after)
    if t.before is not None:
        before = read_scrape(t.before)
        inputs += [_input(t.before, "metrics_before"), _input(t.after, "metrics_after")]
        if not after.engines:
            return None
        deltas, resets = diff_scrapes(before, after)
        for r in resets:
            report.notices.append(Notice(level="warning", code="counter-reset", location=t.after, message=(
                f"counter {r.counter} of engine '{r.engine}' went down ({r.before} → {r.after}): the server "
                "restarted between the scrapes; the delta counts only what followed the restart")))
        return metrics_source("metrics_delta", "metrics_delta", f"/metrics after − before ({os.path.basename(t.before)} → "
                              f"{os.path.basename(t.after)})", [t.before, t.after], deltas, k)
    inputs.append(_input(t.after, "metrics" if t.kind == "metrics" else "metrics_after"))
    if not after.engines:
        return None
    report.notices.append(Notice(level="info", code="server-cumulative", location=t.after, message=(
        "one /metrics scrape and no before-scrape: counters since the server started, not scoped to a load run")))
    return metrics_source("metrics_scrape", "metrics_scrape", "/metrics counters since server start",
                          [t.after], after.engines, k)


def _log_notices(report: TargetReport, fold: LogFold, logs: list[SourceResult], window: Window) -> None:
    if fold.unparsed_count:
        first = fold.unparsed[0]
        report.unparsed_spec_lines = fold.unparsed_count
        report.first_unparsed = f"{fold.path}:{first.lineno}: {first.reason}"
        report.notices.append(Notice(level="warning", code="unparsed-spec-lines", location=f"{fold.path}:{first.lineno}",
                                     message=f"{fold.unparsed_count} spec-metrics line(s) could not be read; first: {first.reason}"))
    for seg in fold.segments:
        if seg.info.stats_logging_disabled and seg.used == 0:
            report.notices.append(Notice(level="warning", code="stats-logging-disabled", location=f"{fold.path}:{seg.info.first_line}",
                                         message=(f"segment {seg.info.index}: vLLM disabled stats logging (api_server_count > 1), "
                                                  "so the log has no SpecDecoding lines; the numbers are in /metrics")))
    with_data = [s for s in logs if s.log is not None]
    if len(with_data) > 1:
        report.notices.append(Notice(level="info", code="several-lifetimes", message=(
            f"the log holds {len(report.segments)} server lifetimes; each is reported on its own, never summed")))
    for s in logs:
        if s.counts.drafts_from == "estimated":
            report.notices.append(Notice(level="warning", code="estimated-drafts", message=(
                f"{s.id}: {s.counts.ambiguous_intervals} interval(s) admit several integer draft/per-position counts "
                "consistent with the rounded log values; drafts and per-position are estimates (use /metrics for exact)")))
    if fold.truncated is not None:
        report.notices.append(Notice(level="warning", code="input-truncated", location=f"{fold.path}:{fold.truncated.lineno}",
                                     message=f"{fold.truncated.reason}; the numbers cover only what was readable"))
    if fold.untimed_excluded:
        report.notices.append(Notice(level="warning", code="untimed-lines", message=(
            f"{fold.untimed_excluded} spec line(s) without a timestamp were left out of the --since/--until window")))
