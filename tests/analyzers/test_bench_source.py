"""`vllm bench serve` results as acceptance sources: the JSON's spec_decode_* keys and the
console's Speculative Decoding block, against the /metrics deltas recorded beside them."""

from __future__ import annotations

from pathlib import Path

from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.bench_source import CONSOLE_HALF_STEP, fit_rounded

from tests.conftest import ROOT

DRIVERS = ROOT / "fixtures" / "recorded" / "load-drivers"


def _source(path: Path):  # noqa: ANN202
    target = build_report([str(path)], Window()).targets[0]
    return target, target.source(target.primary)


def test_json_keys_are_exact_counts() -> None:
    # spec_decode_num_drafts 748, _draft_tokens 2244, _accepted_tokens 8 (= the folder's /metrics delta);
    # per-position rates at full precision: 0.0053475935828877 x 748 = 4, 0.00267379679144385 x 748 = 2 (twice)
    target, s = _source(DRIVERS / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_result.json")
    assert target.kind == "bench_json" and s is not None and s.kind == "bench_serve"
    c = s.counts
    assert (c.k, c.drafts, c.draft_tokens, c.accepted_tokens, c.accepted_per_position) == (3, 748, 2244, 8, [4, 2, 2])
    assert (c.drafts_from, c.per_position_from) == ("counter", "counter")
    assert s.metrics.mean_acceptance_length == 1 + 8 / 748  # 1.0107


def test_console_block_gives_the_same_counts() -> None:
    # printed 0.53 / 0.27 / 0.27 %: with 748 drafts a_0 in [(0.0053 - 0.00005) x 748, (0.0053 + 0.00005) x 748]
    # = [3.93, 4.00] -> 4; a_1, a_2 in [1.98, 2.06] -> 2; 4 + 2 + 2 = 8 = accepted: the only fit
    target, s = _source(DRIVERS / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_output.log")
    assert target.kind == "bench_console" and s is not None
    c = s.counts
    assert (c.drafts, c.draft_tokens, c.accepted_tokens, c.accepted_per_position) == (748, 2244, 8, [4, 2, 2])
    assert c.per_position_from == "reconstructed"
    assert "line 46" in s.scope


def test_rate4_console_equals_its_metrics_delta() -> None:
    # fixtures/README.md: vllm-bench-0.32.0-rate4-chat /metrics delta 741 drafts / 2223 draft tokens / 15 accepted
    _, s = _source(DRIVERS / "vllm-bench-0.32.0-rate4-chat" / "vllm_bench_output.log")
    _, delta = _source(DRIVERS / "vllm-bench-0.32.0-rate4-chat")
    assert s is not None and delta is not None and delta.kind == "metrics_delta"
    assert (s.counts.drafts, s.counts.draft_tokens, s.counts.accepted_tokens) == (741, 2223, 15)
    assert s.counts.accepted_per_position == delta.counts.accepted_per_position == [13, 2, 0]


def test_fit_rounded_flags_several_solutions() -> None:
    # 20000 drafts: 50.00 % allows a_0 in [9999, 10001], 25.00 % allows a_1 in [4999, 5001]; with
    # accepted 15000 the pairs (9999, 5001), (10000, 5000), (10001, 4999) all fit: not unique
    values, unique = fit_rounded([0.5, 0.25], 20000, 15000, CONSOLE_HALF_STEP) or ([], True)
    assert sum(values) == 15000 and not unique
    assert fit_rounded([0.5, 0.25], 20000, 16000, CONSOLE_HALF_STEP) is None  # 16000 > 10001 + 5001


def test_a_bench_json_without_spec_keys_is_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"completed": 3, "duration": 1.0, "request_throughput": 3.0}')
    target = build_report([str(path)], Window()).targets[0]
    assert target.sources == [] and [n.code for n in target.notices] == ["no-spec-data"]
