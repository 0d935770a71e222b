"""The report as titled tables of strings: the one layout that text, Markdown and rich share."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzers.report import Report, SourceResult, TargetReport

NA = "n/a"


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


def _source_row(s: SourceResult, primary: str | None) -> list[str]:
    c, m = s.counts, s.metrics
    return [
        s.id + (" *" if s.id == primary else ""), s.scope, fmt(c.k), fmt(c.drafts), c.drafts_from,
        fmt(c.draft_tokens), fmt(c.accepted_tokens), fmt(m.mean_acceptance_length), pct(m.draft_acceptance_rate),
    ]


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
    """Sources, per-position, agreement, legacy and notices of one target."""
    tables = []
    servers = [f"segment {g.index}: vLLM {g.vllm_version or '?'}, model {g.model or '?'}, "
               f"method {g.spec_method or 'none'}, k={fmt(g.num_spec_tokens)}" for g in t.segments]
    tables.append(Table(
        f"{t.path} ({t.kind})",
        ["source", "scope", "k", "drafts", "drafts from", "draft tokens", "accepted", "mean acc. length",
         "acceptance rate"],
        [_source_row(s, t.primary) for s in t.sources],
        servers + ["* primary source. drafts from: counter; drafted/k (fixed-length drafter); reconstructed (the only "
                   "integers consistent with the rounded log values); estimated (several were). "
                   "Mean acceptance length = 1 + accepted / drafts, range 1..k+1."],
    ))
    if (pos := _positions(t)) is not None:
        tables.append(pos)
    if t.agreements:
        tables.append(Table("Agreement (b − a)", ["a", "b", "accepted", "draft tokens", "drafts", "per-position", "agree"], [
            [g.a, g.b, f"{g.accepted_tokens_diff:+d}", f"{g.draft_tokens_diff:+d}",
             NA if g.drafts_diff is None else f"{g.drafts_diff:+d}",
             NA if g.per_position_diff is None else "[" + " ".join(f"{d:+d}" for d in g.per_position_diff) + "]",
             "yes" if g.agree else "NO"] for g in t.agreements], [g.note for g in t.agreements if g.note]))
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
        if s is None:
            rows.append([t.path, seg.spec_method if seg and seg.spec_method else NA] + [NA] * 7)
            continue
        rows.append([t.path, (seg.spec_method if seg else None) or NA, s.id, fmt(s.counts.k),
                     fmt(s.counts.drafts), fmt(s.counts.accepted_tokens), fmt(s.metrics.mean_acceptance_length),
                     vector(s.metrics.per_position), vector(s.metrics.conditional)])
    return Table("Combined (primary source of each path)",
                 ["path", "method", "source", "k", "drafts", "accepted", "mean acc. length", "per-position", "conditional"], rows)


def report_tables(report: Report) -> list[Table]:
    tables = [table for t in report.targets for table in target_tables(t)]
    if len(report.targets) > 1:
        tables.append(combined_table(report))
    return tables
