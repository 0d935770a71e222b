"""The per-request acceptance math (analyzers/acceptance/per_request*.py), every value by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from speclens.analyzers.acceptance.metrics import acceptance_metrics
from speclens.analyzers.acceptance.models import Counts, SourceResult
from speclens.analyzers.acceptance.per_request import outliers, per_request_section, pooled_histogram, summary
from speclens.analyzers.acceptance.per_request_bins import by_length, by_position, rank_groups, sharp_falls
from speclens.analyzers.render.per_request import render_per_request_json, render_per_request_text

try:  # the parser's types once they land; until then a stand-in with the same fields
    from speclens.parsers.request_metrics import RequestSpec, RequestSpecSet, Violation
except ImportError:
    @dataclass(frozen=True, slots=True)
    class RequestSpec:  # type: ignore[no-redef]
        request_id: str | None
        source: str
        k: int
        histogram: tuple[int, ...]
        steps: int
        accepted: int
        drafted: int
        per_step_accepted: tuple[int, ...] | None
        per_step_drafted: tuple[int, ...] | None
        prompt_tokens: int | None
        output_tokens: int | None
        latency_s: float | None
        ttft_s: float | None
        category: str | None

    @dataclass(frozen=True)
    class Violation:  # type: ignore[no-redef]
        location: str
        what: str

    @dataclass(frozen=True)
    class RequestSpecSet:  # type: ignore[no-redef]
        records: tuple
        source_kind: str
        requests_seen: int
        without_metrics: int
        sampled: bool | None
        violations: tuple = ()


def spec(rid: str, histogram: tuple[int, ...], *, prompt: int | None = 100, output: int | None = 50,
         per_step: tuple[int, ...] | None = None, k: int = 3) -> RequestSpec:
    steps = sum(histogram)
    accepted = sum(j * h for j, h in enumerate(histogram))
    return RequestSpec(request_id=rid, source=f"run.json:{rid}", k=k, histogram=histogram, steps=steps,
                       accepted=accepted, drafted=k * steps, per_step_accepted=per_step,
                       per_step_drafted=None if per_step is None else (k,) * len(per_step),
                       prompt_tokens=prompt, output_tokens=output, latency_s=None, ttft_s=None, category=None)


def spec_set(records: list, sampled: bool | None = False, seen: int | None = None) -> RequestSpecSet:
    seen = len(records) if seen is None else seen
    return RequestSpecSet(records=tuple(records), source_kind="guidellm", requests_seen=seen,
                          without_metrics=seen - len(records), sampled=sampled, violations=())


A = spec("a", (0, 0, 0, 2))  # 2 steps, both accepted 3: accepted 6, drafted 6
B = spec("b", (2, 2, 0, 0))  # 4 steps: accepted 0·2 + 1·2 = 2, drafted 12
IDLE = spec("idle", (0, 0, 0, 0))  # 0 steps


def test_step_weighted_and_request_weighted_differ() -> None:
    s = summary([A, B, IDLE])
    assert (s.requests, s.steps, s.accepted_tokens, s.draft_tokens) == (3, 6, 8, 18)
    assert s.mean_acceptance_length_step_weighted == pytest.approx(1 + 8 / 6)  # 1 + 8 / 6
    assert s.mean_acceptance_length_request_weighted == pytest.approx(2.75)  # ((1 + 6/2) + (1 + 2/4)) / 2
    assert s.acceptance_rate_pooled == pytest.approx(8 / 18)  # 8 / 18
    assert s.acceptance_rate_request_weighted == pytest.approx((1 + 2 / 12) / 2)  # (6/6 + 2/12) / 2 = (1 + 0.16667) / 2
    assert (s.requests_without_steps, s.requests_without_drafts) == (1, 1)  # IDLE excluded, counted
    p = s.acceptance_length_percentiles  # over [1.5, 4.0], linear: 1.5 + q · 2.5
    assert (p.n, p.p10, p.p50, p.p90) == (2, pytest.approx(1.75), pytest.approx(2.75), pytest.approx(3.75))


def test_only_requests_without_steps_are_undefined_not_one() -> None:
    s = summary([IDLE])
    assert s.mean_acceptance_length_step_weighted is None and s.mean_acceptance_length_request_weighted is None
    assert s.acceptance_rate_pooled is None and s.acceptance_length_percentiles.p50 is None
    assert s.requests_without_steps == 1


def test_histogram_per_position_and_conditional() -> None:
    h = pooled_histogram([A, B, IDLE])
    assert h is not None and h.k == 3 and h.counts == [2, 2, 0, 2]  # H = A + B; Σ H = 6 = Σ steps
    assert h.probability == pytest.approx([1 / 3, 1 / 3, 0.0, 1 / 3])  # H_j / 6
    assert h.per_position == pytest.approx([4 / 6, 2 / 6, 2 / 6])  # P(>=1) = (2+0+2)/6, P(>=2) = 2/6, P(>=3) = 2/6
    assert h.conditional == pytest.approx([4 / 6, 0.5, 1.0])  # 0.667 / 1, 0.333 / 0.667, 0.333 / 0.333
    assert h.every_step_drafted_k  # 18 draft tokens = 3 · 6 steps


def test_rank_groups_keep_ties_and_merge_small_bins() -> None:
    assert rank_groups(list(range(10))) == [(0, 5), (5, 10)]  # b = min(5, 10 // 5) = 2
    assert rank_groups([1] * 6 + [2] * 4) == [(0, 10)]  # the tie moves the cut to 6; the last 4 < 5 merge back
    assert rank_groups(list(range(27))) == [(0, 5), (5, 11), (11, 16), (16, 22), (22, 27)]  # round(27·g/5)


def test_bins_by_prompt_length_and_the_sharp_fall() -> None:
    short = [spec(f"s{i}", (0, 0, 0, 2), prompt=100 + i) for i in range(5)]  # each accepted 6 in 2 steps
    long = [spec(f"l{i}", (2, 2, 0, 0), prompt=2000 + i) for i in range(5)]  # each accepted 2 in 4 steps
    binned = by_length(short + long, "prompt_tokens", "prompt tokens")
    assert binned is not None
    assert [(b.label, b.requests, b.steps, b.accepted_tokens) for b in binned.bins] == [
        ("100–104", 5, 10, 30), ("2000–2004", 5, 20, 10)]
    assert [b.mean_acceptance_length for b in binned.bins] == pytest.approx([4.0, 1.5])  # 1 + 30/10, 1 + 10/20
    assert [b.acceptance_rate for b in binned.bins] == pytest.approx([1.0, 1 / 6])  # 30/30, 10/60
    falls = sharp_falls(binned)  # (4 − 1.5) / 4 = 62.5% > 25%
    assert [n.code for n in falls] == ["acceptance-falls"] and "62.5% lower" in falls[0].message
    mild = [spec(f"m{i}", (0, 1, 2, 2), prompt=2000 + i) for i in range(5)]  # 1 + (1+4+6)/5 = 3.2: 20% below 4
    assert sharp_falls(by_length(short + mild, "prompt_tokens", "prompt tokens")) == []


def test_output_position_bands() -> None:
    # 64 steps accepting 3 (positions 0, 4, …, 252), then 10 accepting 0 (positions 256 … 265)
    r = spec("p", (10, 0, 0, 64), per_step=(3,) * 64 + (0,) * 10)
    binned = by_position([r, A])  # A has no per-step arrays: left out
    assert binned is not None
    assert [(b.label, b.requests, b.steps, b.accepted_tokens, b.draft_tokens) for b in binned.bins] == [
        ("0–255", 1, 64, 192, 192), ("256–1023", 1, 10, 0, 30)]
    assert [b.mean_acceptance_length for b in binned.bins] == pytest.approx([4.0, 1.0])  # 1 + 192/64, 1 + 0/10
    assert sharp_falls(binned) == []  # 75% lower, but 1 request per band < 5


def _counters(drafts: int, draft_tokens: int, accepted: int, pp: list[int]) -> SourceResult:
    c = Counts(k=3, drafts=drafts, draft_tokens=draft_tokens, accepted_tokens=accepted, accepted_per_position=pp)
    return SourceResult(id="metrics_delta", kind="metrics_delta", scope="/metrics after − before", files=[],
                        counts=c, metrics=acceptance_metrics(c))


def test_counter_check_agrees_and_explains_a_difference() -> None:
    agree = per_request_section(spec_set([A, B]), _counters(6, 18, 8, [4, 2, 2]))  # Σ_{j>i} H_j = [4, 2, 2]
    assert agree.counter_check is not None and agree.counter_check.agree
    assert not [n for n in agree.notices if n.code == "per-request-vs-counters"]
    off = per_request_section(spec_set([A, B], sampled=True), _counters(7, 18, 9, [4, 2, 3]))
    c = off.counter_check
    assert c is not None and not c.agree
    assert (c.accepted_tokens_diff, c.draft_tokens_diff, c.steps_diff, c.per_position_diff) == (-1, 0, -1, [0, 0, -1])
    notice = next(n for n in off.notices if n.code == "per-request-vs-counters")
    assert notice.level == "warning" and "accepted -1" in notice.message and "sample" in notice.message
    steps_only = per_request_section(spec_set([A, B]), _counters(7, 18, 8, [4, 2, 2])).counter_check
    assert steps_only is not None and steps_only.steps_diff == -1 and not steps_only.agree  # 6 steps − 7 drafts
    more = per_request_section(spec_set([A, B], sampled=True), _counters(5, 15, 7, [3, 2, 2])).counter_check
    assert more is not None
    assert (more.accepted_tokens_diff, more.steps_diff, more.per_position_diff) == (1, 1, [1, 0, 0])
    assert len(more.reasons) == 1 and "outside the window" in more.reasons[0]  # more than the counters: not a sample


def test_outliers_lowest_and_highest_never_overlap() -> None:
    records = [spec(f"r{j}", tuple(5 if i == j else 0 for i in range(4))) for j in range(4)]  # rates 0, 1/3, 2/3, 1
    low, high = outliers(records)
    # min(3, 4 // 2) = 2 each (test_per_request_outliers.py has the rule)
    assert [o.request_id for o in low] == ["r0", "r1"] and [o.request_id for o in high] == ["r3", "r2"]
    assert high[0].acceptance_rate == 1.0 and low[1].acceptance_rate == pytest.approx(1 / 3)  # 5 / 15


def test_section_without_records_says_so_once_and_renders() -> None:
    s = per_request_section(spec_set([], seen=4))
    assert s.summary is None and [n.code for n in s.notices] == ["no-per-request-metrics"]
    assert "none of the 4 request(s)" in render_per_request_text(s)


def test_section_renders_both_weightings_labelled() -> None:
    s = per_request_section(spec_set([A, B, IDLE], seen=5))
    text = render_per_request_text(s)
    assert "step-weighted (pooled)" in text and "request-weighted" in text and "1 + 8 / 6" in text
    assert "nan" not in text
    data = json.loads(render_per_request_json(s))
    assert data["summary"]["mean_acceptance_length_request_weighted"] == pytest.approx(2.75)
    assert data["requests_without_metrics"] == 2 and "requests-without-metrics" in [n["code"] for n in data["notices"]]
