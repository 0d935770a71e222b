"""Build the acceptance `Report` for the CLI's PATH arguments.

Primary source per target: the /metrics delta when a before/after pair exists, else the log
(its last segment with spec lines). When a log and /metrics both exist, both are reported with
their difference, and the difference is explained when something explains it. In a run
directory without --since/--until the log is scoped to the run's own window from run.json
(`analyzers.log.run_scope`), so a log that also holds earlier traffic matches the delta. Everything
unusual is a `Notice`, never hidden.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from speclens.analyzers import __version__
from speclens.analyzers.acceptance.models import (
    Agreement,
    InputFile,
    Notice,
    Report,
    SourceResult,
    TargetReport,
    Window,
)
from speclens.analyzers.acceptance.anomalies import check_target
from speclens.analyzers.diffusion.section import bench_diffusion_section, diffusion_section
from speclens.analyzers.digest import ThreadedDigest, file_digest
from speclens.analyzers.inputs import Target, confirm_log, resolve_targets
from speclens.analyzers.log.fold import fold_log
from speclens.analyzers.log.source import LogFold, SegmentFold, log_source
from speclens.analyzers.log.run_scope import RunScope, applied_window, read_run_scope, window_notices
from speclens.analyzers.acceptance.sources import agreement_between
from speclens.parsers.errors import ParseError, input_error_line
from speclens.parsers.log_scan import is_gzip
from speclens.parsers.prometheus import scrape_text
from speclens.parsers.run_dir import RunFiles
from speclens.parsers.server_hints import HeadTap, ServerHints, read_server_hints

if TYPE_CHECKING:
    from speclens.parsers.load_results import FolderLoadResults
    from speclens.parsers.run_dir import Detected

# Start-up (issue 26): the sections an input may not have are imported where that input is found, not
# here: the /metrics pair (metrics_pair), a `vllm bench serve` result (bench_source, parsers.vllm_bench*),
# a run directory's load results (per_request_wiring, traps), its cells (categories). A plain log loads
# none of them (tests/analyzers/test_startup_imports.py).


class _Inputs(list):
    """The report's `inputs`. `digests=False` (a caller that shows no inputs, such as compare): nothing is
    recorded and no file is hashed for it."""

    def __init__(self, digests: bool = True) -> None:
        super().__init__()
        self.digests = digests
        self.heads: dict[str, HeadTap] = {}  # each plain log's head as its fold read it: the traps' server hints

    def hints(self, log: str | None) -> ServerHints | None:
        tap = self.heads.get(log) if log else None
        return read_server_hints(log, tap.head()) if log and tap is not None else None

    def add(self, path: str, role: str, digest: str | None = None) -> None:
        if self.digests:
            self.append(InputFile(path=path, role=role, digest=digest or file_digest(path),
                                  size_bytes=os.path.getsize(path)))

    def extend(self, items) -> None:  # type: ignore[override]  # noqa: ANN001 - list's own signature
        if self.digests:
            super().extend(items)


def build_report(paths: list[str], window: Window, keep_series: bool = False, keep_going: bool = False,
                 per_request: bool = True, load_results: dict[str, FolderLoadResults | None] | None = None,
                 digests: bool = True, listed: Detected | None = None) -> Report:
    """Analyze every PATH (see `analyzers.inputs`) into one report. A path that cannot be read
    raises its ParseError/OSError; with `keep_going` (a batch) it becomes an `unreadable` target,
    its error as its one notice, and the other paths are still reported. `per_request=False`: no
    per-request section (a caller that shows none, such as compare, does not read the load results
    for it). `load_results`: run directories' load results the caller already parsed (by path), so the
    measurement traps (analyzers.traps) do not parse them again. `digests=False`: the report's `inputs`
    stay empty and no input is hashed (for callers that show neither, such as compare). `listed`: a PATH's
    `parsers.run_dir.detect` the caller already holds (not listed again)."""
    inputs = _Inputs(digests)
    targets = [_target_or_unreadable(t, window, keep_series, inputs, keep_going, per_request, load_results)
               for t in resolve_targets(paths, keep_going, listed)]
    for target in targets:  # the anomaly checks are part of every report
        if target.kind == "unreadable":
            continue
        target.notices += check_target(target)
    return Report(speclens_version=__version__, window=window, inputs=inputs, targets=targets)


def _target_or_unreadable(t: Target, window: Window, keep_series: bool, inputs: _Inputs,
                          keep_going: bool, per_request: bool = True,
                          load_results: dict[str, FolderLoadResults | None] | None = None) -> TargetReport:
    error = t.error
    if error is None:
        try:
            return _target(t, window, keep_series, inputs, per_request, load_results)
        except (ParseError, OSError) as err:
            if not keep_going:
                raise
            error = input_error_line(err)
    return TargetReport(path=t.path, kind="unreadable",
                        notices=[Notice(level="error", code="unreadable-input", message=error)])


def _read_log(path: str, window: Window, keep_series: bool, inputs: _Inputs,
              scope: RunScope | None, reference: Window | None) -> LogFold:
    anchor = scope.anchor if scope else None
    if is_gzip(path):
        fold = fold_log(path, window, keep_series, None, anchor, reference)
        inputs.add(path, "vllm_log")
        return fold
    digest = ThreadedDigest() if inputs.digests else None
    tap = HeadTap(digest.feed if digest is not None else None)
    try:
        fold = fold_log(path, window, keep_series, tap.feed, anchor, reference)
    finally:
        named = digest.hexdigest() if digest is not None else None
    inputs.heads[path] = tap
    inputs.add(path, "vllm_log", named)
    return fold


def _target(t: Target, window: Window, keep_series: bool, inputs: _Inputs,
            per_request: bool = True, load_results: dict[str, FolderLoadResults | None] | None = None) -> TargetReport:
    report = TargetReport(path=t.path, kind=t.kind)
    logs: list[SourceResult] = []
    folds: dict[str, SegmentFold] = {}
    k = None
    scoped = False
    fold, chosen, note = None, (), ""
    if t.log:
        logs, folds, scoped, fold, note = _log_sources(t, t.log, window, keep_series, inputs, report)
        chosen = _chosen(fold, window, t.log)
        k = next((s.counts.k for s in reversed(logs) if s.counts.k), None)
    if t.kind == "requests":  # per-request spec-decode metrics given directly (analyzers.acceptance.per_request_input)
        from speclens.analyzers.acceptance.per_request_input import requests_target

        return requests_target(t.path, report, lambda p: inputs.add(p, "load_results"))
    if t.results is not None:  # a vllm bench serve result: its own and only source
        return _bench_target(t, inputs, report)
    metrics = None
    text_of = functools.cache(scrape_text)  # each scrape is read once for the spec and the diffusion counters
    if t.after is not None:
        from speclens.analyzers.acceptance.metrics_pair import metrics_result

        metrics = metrics_result(t.before, t.after, k, report, text_of)
        if t.before is not None:
            inputs.add(t.before, "metrics_before")
            inputs.add(t.after, "metrics_after")
        else:
            inputs.add(t.after, "metrics" if t.kind == "metrics" else "metrics_after")
    report.sources = ([metrics] if metrics else []) + logs
    if metrics is not None and metrics.kind == "metrics_delta":
        report.primary = metrics.id
    elif logs:
        report.primary = logs[-1].id
    elif metrics is not None:
        report.primary = metrics.id
    if metrics is not None and logs:
        seg = folds[logs[-1].id]
        windowed = bool(window.skip_first or seg.before or seg.after or seg.untimed)
        if metrics.kind == "metrics_scrape" and (windowed or len(report.segments) > 1):
            report.notices.append(Notice(level="info", code="not-compared", message=(
                "the single /metrics scrape covers the whole server lifetime; the log source is windowed "
                "or the log holds several lifetimes, so they are not compared")))
        else:
            report.agreements.append(_agreement(metrics, logs[-1], seg, window, scoped))
    report.diffusion = diffusion_section(report, fold, chosen, t.before, t.after, window, scoped, note, text_of)
    if t.kind == "run_dir":  # the run's load results, parsed once: per-request metrics and the measurement traps
        from speclens.analyzers.acceptance.per_request_wiring import attach_per_request, run_load_results
        from speclens.analyzers.traps.wiring import target_traps

        found = load_results[t.path] if load_results and t.path in load_results else run_load_results(t.path)
        if per_request:  # vLLM's per-request spec-decode metrics in the run's load results
            attach_per_request(report, found, lambda p: inputs.add(p, "load_results"))
        report.notices += target_traps(t.path, found.run if found else None, report, inputs.hints(t.log))
    if t.kind == "run_dir":  # a multi-phase run's cells with categories (analyzers.acceptance.categories)
        from speclens.analyzers.acceptance.categories import category_section

        report.categories = category_section(t.path, inputs.extend)
    if report.categories is not None and not report.sources:
        report.notices.append(Notice(level="info", code="numbers-per-cell", message=(
            "the run directory holds no spec-decode data of its own: its numbers are per cell (RUN/cells/<id>/), "
            "in the category table")))
    elif not report.sources and not any(n.code in ("window-removed-all", "segment-without-data") for n in report.notices):
        report.notices.append(_no_spec_data(report, "no spec lines in the log and no vllm:spec_decode_* counters"))
    return report


def _no_spec_data(report: TargetReport, why: str) -> Notice:
    """The notice of a target without spec-decode data: a warning, unless it is a diffusion LM's."""
    if report.diffusion is not None:
        return Notice(level="info", code="no-spec-data", message=(
            f"no speculative-decoding data ({why}): these are a diffusion LM's counters, see the diffusion section"))
    return Notice(level="warning", code="no-spec-data", message=f"no speculative-decoding data: {why}")


def _bench_target(t: Target, inputs: _Inputs, report: TargetReport) -> TargetReport:
    """A `vllm bench serve` result, read once: its JSON's spec_decode_* and diffusion_* keys, or the
    Speculative Decoding and Diffusion Decoding blocks of each run in its console output."""
    from speclens.analyzers.acceptance.bench_source import bench_console_source, bench_json_source

    assert t.results is not None
    if t.kind == "bench_json":
        from speclens.parsers.json_file import read_json
        from speclens.parsers.vllm_bench import bench_diffusion, parse_vllm_bench

        doc = read_json(t.results)
        spec = parse_vllm_bench(t.results, doc)[1]
        inputs.add(t.results, "load_results")
        report.sources = [bench_json_source(t.results, spec)] if spec is not None else []
        block = bench_diffusion(t.results, doc)
        diffusion = [block] if block is not None else []
    else:
        from speclens.parsers.vllm_bench_console import read_bench_console

        runs = read_bench_console(t.results)
        inputs.add(t.results, "bench_console")
        blocks = [r.spec for r in runs if r.spec is not None]
        report.sources = [s for i, b in enumerate(blocks)
                          if (s := bench_console_source(t.results, b, i, len(blocks))) is not None]
        diffusion = [r.diffusion for r in runs if r.diffusion is not None]
    report.primary = report.sources[-1].id if report.sources else None
    report.diffusion = bench_diffusion_section(t.results, diffusion)
    if not report.sources:
        report.notices.append(_no_spec_data(report, (
            "this vllm bench serve result has no spec_decode counts (the server did not speculate, or vLLM < 0.14 "
            "wrote it)")))
    return report


def _log_sources(t: Target, log: str, window: Window, keep_series: bool, inputs: _Inputs,
                 report: TargetReport) -> tuple[list[SourceResult], dict[str, SegmentFold], bool, LogFold, str]:
    """The log's sources (one per segment with data, or the one `--segment` names), the fold of
    each, whether the log was scoped to the run's own window (run directory, no
    --since/--until), the whole fold, and the note the sources' scopes carry."""
    scope = read_run_scope(t.path) if t.kind == "run_dir" else None
    manifest = RunFiles(t.path).manifest
    if t.kind == "run_dir" and scope is None and os.path.isfile(manifest):
        report.notices.append(Notice(level="info", code="run-json-unusable", location=manifest,
                                     message=("run.json is unreadable or has no started_at time: the log is not "
                                              "scoped to the run's window")))
    explicit = bool(window.since or window.until)
    scoped = scope is not None and not explicit
    effective = window
    if scope is not None and scoped:
        effective = window.model_copy(update=dict(since=scope.window.since, until=scope.window.until))
    fold = _read_log(log, effective, keep_series, inputs, scope, scope.window if scope and explicit else None)
    confirm_log(t, fold)  # text read as a log on no evidence of its head: refused when the scan found no vLLM line
    origin = "run.json" if scoped else "options"
    report.log_window = applied_window(fold, origin)
    report.segments = [seg.info for seg in fold.segments]
    excluded = scoped and any(seg.before or seg.after for seg in fold.segments)
    note = f"within the run's window ({scope.basis})" if excluded and scope else ""
    logs, folds = [], {}
    for seg in _chosen(fold, window, log):
        if (s := log_source(log, seg, note)) is not None:
            logs.append(s)
            folds[s.id] = seg
    if isinstance(window.segment, int) and not logs:
        others = [str(seg.info.index) for seg in fold.segments if seg.taken.used]
        report.notices.append(Notice(level="warning", code="segment-without-data", location=log, message=(
            f"--segment {window.segment}: that server lifetime has no spec intervals in the window"
            + (f"; segments with data: {', '.join(others)}" if others else ""))))
    _log_notices(report, fold, logs)
    report.notices += window_notices(fold, origin, window.skip_first, scope.basis if scope else "")
    return logs, folds, scoped, fold, note


def _chosen(fold: LogFold, window: Window, path: str) -> tuple[SegmentFold, ...]:
    """The segments `window.segment` asks for (all of them unless it names one)."""
    if not isinstance(window.segment, int):
        return fold.segments
    if window.segment >= len(fold.segments):
        count = len(fold.segments)
        held = f"segments 0–{count - 1}" if count else "no segments"
        raise ValueError(f"--segment {window.segment}: {path} holds {count} server lifetime(s) ({held})")
    return (fold.segments[window.segment],)


def _agreement(metrics: SourceResult, log: SourceResult, seg: SegmentFold, window: Window, scoped: bool) -> Agreement:
    """`agreement_between(metrics, log)`, with a note saying what explains a difference."""
    agreement = agreement_between(metrics, log)
    notes = []
    taken = seg.taken
    if taken.before_run:
        first, last = taken.before_run_lines  # type: ignore[misc]  # set with before_run
        notes.append(f"the log source holds {taken.before_run} interval(s) from before the run began "
                     f"(lines {first}–{last}), which the /metrics delta does not cover")
    if taken.after_run:
        notes.append(f"the log source holds {taken.after_run} interval(s) from after the run ended")
    explicit = bool(window.since or window.until or window.skip_first)
    if explicit:
        notes.append("the log window (--since/--until/--skip-first) differs from the scrape interval")
    elif scoped and (seg.before or seg.after):
        notes.append(f"the log is scoped to the run's window from run.json ({seg.before + seg.after} interval(s) "
                     "outside it left out)")
    if not agreement.agree and metrics.kind == "metrics_delta" and not (taken.before_run or taken.after_run or explicit):
        gap = metrics.counts.draft_tokens - log.counts.draft_tokens
        if gap > 0:
            notes.append(f"the log has {gap} draft tokens fewer than the counters: the last stats interval may not have "
                         "reached the log before the after-scrape, or spec lines were unreadable")
        elif gap < 0:
            where = ("intervals logged between the run's start and the before-scrape, or after the after-scrape"
                     if scoped else "no run.json scopes it; pass --since/--until")
            notes.append(f"the log has {-gap} draft tokens more than the counters: it holds traffic outside the scrape "
                         f"interval ({where})")
    agreement.note = "; ".join(notes)
    return agreement


def _log_notices(report: TargetReport, fold: LogFold, logs: list[SourceResult]) -> None:
    first = fold.first_unparsed
    if first is not None:
        report.unparsed_spec_lines = fold.unparsed_count
        report.first_unparsed = f"{fold.path}:{first.lineno}: {first.reason}"
        report.notices.append(Notice(level="warning", code="unparsed-spec-lines", location=f"{fold.path}:{first.lineno}",
                                     message=f"{fold.unparsed_count} spec-metrics line(s) could not be read; first: {first.reason}"))
    for seg in fold.segments:
        if seg.info.stats_logging_disabled and seg.taken.used == 0:
            report.notices.append(Notice(level="warning", code="stats-logging-disabled", location=f"{fold.path}:{seg.info.first_line}",
                                         message=(f"segment {seg.info.index}: vLLM disabled stats logging (api_server_count > 1), "
                                                  "so the log has no SpecDecoding lines; the numbers are in /metrics")))
    for last, first in fold.v0_resets:
        what = (f"k changed ({last.num_spec_tokens} → {first.num_spec_tokens})" if last.num_spec_tokens != first.num_spec_tokens
                else f"the cumulative counters went down (draft tokens {last.draft_tokens} → {first.draft_tokens}, "
                     f"accepted {last.accepted} → {first.accepted})")
        report.notices.append(Notice(level="warning", code="v0-counters-reset", location=f"{fold.path}:{first.lineno}", message=(
            f"segment {first.segment} starts at line {first.lineno}: from line {last.lineno} {what}, so a new server "
            "lifetime began there (a restart without a startup line, or several runs in one file); each segment is "
            "reported on its own")))
    if len(logs) > 1:
        report.notices.append(Notice(level="info", code="several-lifetimes", message=(
            f"the log holds {len(report.segments)} server lifetimes; each is reported on its own, never summed "
            "(--segment N for one)")))
    for s in logs:
        if s.counts.drafts_from == "estimated":
            spread = s.counts.drafts_range
            shown = f" (drafts {spread[0]}–{spread[1]})" if spread else ""
            report.notices.append(Notice(level="warning", code="estimated-drafts", message=(
                f"{s.id}: {s.counts.ambiguous_intervals} interval(s) admit several integer draft/per-position counts "
                f"consistent with the rounded log values{shown}; drafts and per-position are estimates (use /metrics "
                "for exact)")))
        elif s.counts.drafts is None and s.counts.draft_tokens:
            report.notices.append(Notice(level="warning", code="drafts-unknown", message=(
                f"{s.id}: the log lines print neither a mean acceptance length nor per-position rates and k is unknown "
                "(no startup line), so drafts and mean acceptance length are n/a; /metrics has the drafts counter")))
    if fold.truncated is not None:
        report.notices.append(Notice(level="warning", code="input-truncated", location=f"{fold.path}:{fold.truncated.lineno}",
                                     message=f"{fold.truncated.reason}; the numbers cover only what was readable"))
    if fold.stray.lines:
        report.notices.append(_stray_notice(fold))
    if fold.untimed_excluded:
        report.notices.append(Notice(level="warning", code="untimed-lines", message=(
            f"{fold.untimed_excluded} metrics line(s) (SpecDecoding / DiffusionDecoding) without a timestamp were left "
            "out of the time window")))


def _stray_notice(fold: LogFold) -> Notice:
    """What the log's lines with bytes that are not text (`StrayTally`) did to the report."""
    stray = fold.stray
    padding = " (crash padding?)" if stray.nul_bytes >= 8 else ""  # a crash leaves blocks of NULs where data was lost
    held = [f"{stray.nul_bytes} NUL byte(s){padding}" if stray.nul_bytes else "",
            f"{stray.undecodable_bytes} byte(s) that are not UTF-8" if stray.undecodable_bytes else ""]
    read = (f"; {stray.read_lines} of them are lines speclens reads, read with those bytes replaced (a line "
            "whose fields they hit is counted as unparsed)" if stray.read_lines
            else "; none of them is a line speclens reads")
    held_text = " and ".join(filter(None, held))
    return Notice(level="warning" if stray.nul_bytes else "info", code="stray-bytes",
                  location=f"{fold.path}:{stray.first_line}",
                  message=f"{stray.lines} line(s) hold bytes that are not text: {held_text}{read}")
