"""The report as titled tables of strings: the one layout that text, Markdown and rich share."""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.analyzers.acceptance.models import AppliedWindow, Report, SegmentInfo, SourceResult, TargetReport
from speclens.analyzers.acceptance.mal_formula import explained
from speclens.analyzers.log.window import RELATION_TEXT, SPAN_TEXT

NA = "n/a"
UNKNOWN = "?"


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def fmt(value: float | int | None, digits: int = 3) -> str:
    if value is None:
        return NA
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return NA if value is None else f"{value * 100:.2f}%"


def vector(values: list[float | None] | None, digits: int = 3) -> str:
    return NA if values is None else "[" + " ".join(fmt(v, digits) for v in values) + "]"


def known(value: int | str | None) -> str:
    """A value that exists but may not be known (k, a method, a version): '?' when unknown."""
    return UNKNOWN if value is None else str(value)


def _source_row(s: SourceResult, primary: str | None) -> list[str]:
    c, m = s.counts, s.metrics
    drafts = fmt(c.drafts) + (f" ({c.drafts_range[0]}–{c.drafts_range[1]})" if c.drafts_range else "")
    ends = [fmt(v) for v in m.mean_acceptance_length_range or []]
    mal = fmt(m.mean_acceptance_length) + (f" ({ends[0]}–{ends[1]})" if ends and ends[0] != ends[1] else "")
    return [
        s.id + (" *" if s.id == primary else ""), s.scope, known(c.k), drafts, c.drafts_from,
        fmt(c.draft_tokens), fmt(c.accepted_tokens), mal, pct(m.draft_acceptance_rate),
    ]


def segment_method(g: SegmentInfo) -> str:
    """The speculative method; "none" when the startup line shows no speculation, '?' when unknown."""
    return g.spec_method or ("none" if g.vllm_version and g.num_spec_tokens is None and not g.spec_lines else UNKNOWN)


def segment_line(g: SegmentInfo) -> str:
    """One line per server lifetime; what is not known is '?'."""
    method = segment_method(g)
    k = NA if method == "none" else known(g.k) + (f" (from the {g.k_from})" if g.k_from else "")
    start = "" if g.starts_because == "start of the file" else (
        f"; starts at line {known(g.first_line)} ({g.starts_because})")
    return (f"segment {g.index}: vLLM {g.vllm_version or UNKNOWN}, model {g.model or UNKNOWN}, method {method}, "
            f"k={k}{start}")


def formula_notes(sources: list[SourceResult]) -> list[str]:
    """Which formula gave each source's mean acceptance length."""
    by_formula: dict[str, list[str]] = {}
    for s in sources:
        if s.metrics.mean_acceptance_length_formula is not None:
            by_formula.setdefault(s.metrics.mean_acceptance_length_formula, []).append(s.id)
    return [f"mean acc. length of {', '.join(ids)} = {explained(formula)}." for formula, ids in by_formula.items()]


def window_note(w: AppliedWindow) -> str:
    origin = "the run's own window from run.json" if w.origin == "run.json" else "--since/--until"
    parts = []
    for name, given, placed, relation in (("since", w.since, w.since_on_log, w.since_relation),
                                          ("until", w.until, w.until_on_log, w.until_relation)):
        if given is not None:
            where = f" → {placed}, {RELATION_TEXT[relation]}" if placed and relation else ""
            parts.append(f"{name} {given}{where}")
    span = f" ({SPAN_TEXT} {w.log_first_time} → {w.log_latest_time}.)" if w.log_first_time else ""
    return f"log window ({origin}): " + "; ".join(parts) + "." + span


def _positions(t: TargetReport) -> Table | None:
    with_pp = [s for s in t.sources if s.metrics.per_position is not None]
    if not with_pp:
        return None
    width = max(len(s.metrics.per_position or []) for s in with_pp)
    headers = ["position"]
    for s in with_pp:
        origin = "" if s.counts.per_position_from == "counter" else f", {s.counts.per_position_from}"
        headers += [f"accepted ({s.id}{origin})", f"per-position ({s.id})", f"conditional ({s.id})"]
    rows = []
    for i in range(width):
        row = [str(i)]
        for s in with_pp:
            pp, ca, counts = s.metrics.per_position or [], s.metrics.conditional or [], s.counts.accepted_per_position or []
            row += [fmt(counts[i]) if i < len(counts) else NA,
                    fmt(pp[i]) if i < len(pp) else NA, fmt(ca[i]) if i < len(ca) else NA]
        rows.append(row)
    return Table("Per-position acceptance (accepted at i / drafts) and conditional (PP_i / PP_i-1)", headers, rows)


def target_tables(t: TargetReport) -> list[Table]:
    """Sources, per-position, agreement, diffusion, per-request, legacy and notices of one target."""
    tables = []
    servers = [segment_line(g) for g in t.segments]
    windows = [window_note(t.log_window)] if t.log_window is not None else []
    tables.append(Table(
        f"{t.path} ({t.kind})",
        ["source", "scope", "k", "drafts", "drafts from", "draft tokens", "accepted", "mean acc. length",
         "acceptance rate"],
        [_source_row(s, t.primary) for s in t.sources],
        servers + windows + (["* primary source. drafts from: counter; drafted/k (fixed-length drafter); reconstructed "
                              "(the only integers consistent with the rounded log values); estimated (several were; "
                              "the range in brackets). k and method: ? = unknown. acceptance rate = accepted / draft "
                              "tokens."] if t.sources else []) + formula_notes(t.sources),
    ))
    if (pos := _positions(t)) is not None:
        tables.append(pos)
    if t.agreements:
        tables.append(Table("Agreement (b − a)", ["a", "b", "accepted", "draft tokens", "drafts", "per-position", "agree"], [
            [g.a, g.b, f"{g.accepted_tokens_diff:+d}", f"{g.draft_tokens_diff:+d}",
             NA if g.drafts_diff is None else f"{g.drafts_diff:+d}",
             NA if g.per_position_diff is None else "[" + " ".join(f"{d:+d}" for d in g.per_position_diff) + "]",
             "yes" if g.agree else "NO"] for g in t.agreements], [g.note for g in t.agreements if g.note]))
    from speclens.analyzers.render.diffusion import diffusion_tables  # it builds on this module's Table

    tables += diffusion_tables(t)
    if t.per_request is not None:  # vLLM's per-request spec-decode metrics of the run's load results
        from speclens.analyzers.render.per_request import per_request_tables

        tables += per_request_tables(t.per_request)
    if t.categories is not None:  # a multi-phase run's cells (analyzers.acceptance.categories)
        from speclens.analyzers.render.categories import category_tables

        tables += category_tables(t.categories)
    legacy = [s for s in t.sources if s.log is not None and s.log.legacy is not None]
    if legacy:
        tables.append(Table("Legacy weighting (each interval's rounded rates weighted by its Drafted)",
                            ["source", "samples", "drafted tokens", "weighted per-position", "conditional"], [
            [s.id, str(s.log.legacy.samples), str(s.log.legacy.drafted_tokens),
             vector(s.log.legacy.weighted_per_position), vector(s.log.legacy.conditional)]
            for s in legacy if s.log and s.log.legacy]))
    if t.notices:
        tables.append(Table("Notices", ["level", "code", "message"],
                            [[n.level, n.code, n.message + (f" ({n.location})" if n.location else "")] for n in t.notices]))
    return tables


def combined_table(report: Report) -> Table:
    """One row per target: its primary source."""
    rows = []
    for t in report.targets:
        s = t.source(t.primary)
        seg = t.segments[-1] if t.segments else None
        method = segment_method(seg) if seg else NA
        if s is None:
            rows.append([t.path, method] + [NA] * 7)
            continue
        rows.append([t.path, method, s.id, known(s.counts.k),
                     fmt(s.counts.drafts), fmt(s.counts.accepted_tokens), fmt(s.metrics.mean_acceptance_length),
                     vector(s.metrics.per_position), vector(s.metrics.conditional)])
    return Table("Combined (primary source of each path)",
                 ["path", "method", "source", "k", "drafts", "accepted", "mean acc. length", "per-position", "conditional"], rows)


def report_tables(report: Report) -> list[Table]:
    tables = [table for t in report.targets for table in target_tables(t)]
    if len(report.targets) > 1:
        tables.append(combined_table(report))
    return tables
