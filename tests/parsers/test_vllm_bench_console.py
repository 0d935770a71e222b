"""`vllm bench serve` console output: the Speculative Decoding block, on the recorded runs."""

from __future__ import annotations


import pytest
from speclens.parsers.errors import ParseError
from speclens.parsers.vllm_bench_console import parse_bench_console, read_bench_console

from tests.conftest import ROOT

DRIVERS = ROOT / "fixtures" / "recorded" / "load-drivers"


def test_recorded_console_blocks_equal_the_json_keys() -> None:
    # vllm-bench-0.32.0-concurrency2: the JSON says 748 drafts / 2244 draft tokens / 8 accepted
    [run] = read_bench_console(str(DRIVERS / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_output.log"))
    assert run.lineno == 22 and run.spec is not None and run.spec.lineno == 46
    spec = run.spec
    assert (spec.drafts, spec.draft_tokens, spec.accepted_tokens) == (748, 2244, 8)
    assert (spec.acceptance_rate_pct, spec.acceptance_length, spec.per_position_pct) == (0.36, 1.01, [0.53, 0.27, 0.27])


def test_a_run_without_speculation_and_appended_runs() -> None:
    text = "\n".join([
        "============ Serving Benchmark Result ============", "Successful requests:   3", "=" * 50,
        "============ Serving Benchmark Result ============",
        "---------------Speculative Decoding---------------",
        "Acceptance rate (%):                     50.00", "Acceptance length:                       2.50",
        "Drafts:                                  10", "Draft tokens:                            30",
        "Accepted tokens:                         15", "Per-position acceptance (%):",
        "  Position 0:                            80.00", "  Position 1:                            50.00",
        "  Position 2:                            20.00", "=" * 50])
    first, second = parse_bench_console("x.log", text)
    assert first.spec is None
    assert second.spec is not None and (second.spec.drafts, second.spec.per_position_pct) == (10, [80.0, 50.0, 20.0])


def test_a_damaged_count_names_its_line() -> None:
    text = "============ Serving Benchmark Result ============\n---------------Speculative Decoding---------------\nDrafts:  1x\n"
    with pytest.raises(ParseError, match=r"^x.log:3: expected an integer after 'Drafts:', got '1x'"):
        parse_bench_console("x.log", text)
