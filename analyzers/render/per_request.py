"""The per-request acceptance section as tables (text, Markdown through `render.plain`) and JSON
(the model itself)."""

from __future__ import annotations

from speclens.analyzers.acceptance.per_request_models import Binned, Outlier, Percentiles, PerRequestSection
from speclens.analyzers.render.plain import tables_to_markdown, tables_to_text
from speclens.analyzers.render.tables import NA, Table, fmt, pct

HEADING = "per-request acceptance"


def _spread(p: Percentiles, as_pct: bool = False) -> list[str]:
    show = pct if as_pct else fmt
    return [show(p.p10), show(p.p50), show(p.p90), str(p.n)]


def _binned(title: str, b: Binned) -> Table:
    return Table(title, [b.by, "requests", "steps", "accepted", "draft tokens", "mean acc. length", "acceptance rate"],
                 [[x.label, str(x.requests), str(x.steps), str(x.accepted_tokens), str(x.draft_tokens),
                   fmt(x.mean_acceptance_length), pct(x.acceptance_rate)] for x in b.bins],
                 [f"bins: {b.method}.", "mean acc. length = 1 + Σ accepted / Σ steps of the bin (step-weighted); "
                  "acceptance rate = Σ accepted / Σ draft tokens (pooled)."])


def _outlier_rows(kind: str, rows: list[Outlier]) -> list[list[str]]:
    return [[kind, o.request_id or NA, pct(o.acceptance_rate), fmt(o.mean_acceptance_length), fmt(o.prompt_tokens),
             fmt(o.output_tokens), o.source] for o in rows]


def per_request_tables(s: PerRequestSection) -> list[Table]:
    """Summary, histogram, bins, outliers, counter check and notices (only those with data)."""
    sampled = {True: "yes (a sample, not totals)", False: "no", None: "unknown"}[s.sampled]
    head = Table("Per-request spec-decode metrics", ["read from", "requests", "with metrics", "without", "sampled"],
                 [[s.source_kind, str(s.requests_seen), str(s.summary.requests if s.summary else 0),
                   str(s.requests_without_metrics), sampled]])
    tables = [head]
    if (m := s.summary) is not None:
        tables.append(Table("Acceptance per request: two weightings", ["metric", "weighting", "value", "p10", "p50",
                                                                        "p90", "n"], [
            ["mean acc. length", "step-weighted (pooled)", fmt(m.mean_acceptance_length_step_weighted), "", "", "", ""],
            ["mean acc. length", "request-weighted", fmt(m.mean_acceptance_length_request_weighted),
             *_spread(m.acceptance_length_percentiles)],
            ["acceptance rate", "token-weighted (pooled)", pct(m.acceptance_rate_pooled), "", "", "", ""],
            ["acceptance rate", "request-weighted", pct(m.acceptance_rate_request_weighted),
             *_spread(m.acceptance_rate_percentiles, True)]],
            [f"step-weighted = 1 + Σ accepted / Σ steps = 1 + {m.accepted_tokens} / {m.steps}; "
             "request-weighted = mean over requests of 1 + accepted_i / steps_i; "
             f"pooled rate = Σ accepted / Σ draft tokens = {m.accepted_tokens} / {m.draft_tokens}; "
             "request-weighted rate = mean of accepted_i / drafted_i.",
             "percentiles over requests: numpy.percentile, method 'linear'."]
            + ([f"{m.requests_without_steps} request(s) with 0 steps left out of the request-weighted length."]
               if m.requests_without_steps else [])))
    if (h := s.histogram) is not None:
        rows = [[str(j), str(h.counts[j]), fmt(h.probability[j]),
                 fmt(h.per_position[j - 1]) if j else "", fmt(h.conditional[j - 1]) if j else ""]
                for j in range(len(h.counts))]
        tables.append(Table(f"Pooled acceptance histogram (k={h.k if h.k is not None else '?'})",
                            ["j accepted", "steps H_j", "P(j)", "P(accepted >= j)", "conditional"], rows, [
            "H_j = Σ over requests of steps that accepted exactly j drafts (bonus excluded); P(j) = H_j / Σ H; "
            "P(accepted >= j) = Σ_{i>=j} H_i / Σ H is the per-position rate of draft position j (the /metrics "
            "counter's position j-1); conditional = P(>= j) / P(>= j-1)."]
            + ([] if h.every_step_drafted_k else ["not every step proposed k draft tokens: rates are per step."])))
    for title, b in (("Acceptance by prompt length", s.by_prompt_length),
                     ("Acceptance by output length", s.by_output_length),
                     ("Acceptance by output position", s.by_output_position)):
        if b is not None:
            tables.append(_binned(title, b))
    if s.lowest or s.highest:
        tables.append(Table("Outlier requests (per-request acceptance rate)",
                            ["", "request id", "acceptance rate", "mean acc. length", "prompt tokens", "output tokens",
                             "source"], _outlier_rows("lowest", s.lowest) + _outlier_rows("highest", s.highest)))
    if (c := s.counter_check) is not None:
        tables.append(Table(f"Per-request sums against {c.counters}", ["accepted", "draft tokens", "steps",
                                                                       "per-position", "agree"], [[
            f"{c.accepted_tokens_diff:+d}", f"{c.draft_tokens_diff:+d}",
            NA if c.steps_diff is None else f"{c.steps_diff:+d}",
            NA if c.per_position_diff is None else "[" + " ".join(f"{d:+d}" for d in c.per_position_diff) + "]",
            "yes" if c.agree else "NO"]], ["differences are per-request sums − counters."] + c.reasons))
    if s.notices:
        tables.append(Table("Per-request notices", ["level", "code", "message"],
                            [[n.level, n.code, n.message + (f" ({n.location})" if n.location else "")]
                             for n in s.notices]))
    return tables


def render_per_request_text(s: PerRequestSection) -> str:
    return tables_to_text(HEADING, per_request_tables(s))


def render_per_request_markdown(s: PerRequestSection) -> str:
    return tables_to_markdown(f"speclens {HEADING}", f"read from {s.source_kind}", per_request_tables(s))


def render_per_request_json(s: PerRequestSection) -> str:
    return s.model_dump_json(indent=2) + "\n"
