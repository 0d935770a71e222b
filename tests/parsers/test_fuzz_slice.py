"""A slice of the fuzz benchmark (benchmarks/fuzz_log.py) in the suite: 20,000 generated and mutated
lines, fixed seed, two 10 MB lines. The full run uses 10^6 lines."""

from __future__ import annotations

from benchmarks.fuzz_log import fuzz


def test_fuzz_slice_never_crashes_drops_or_hides_a_line() -> None:
    result = fuzz(20_000, seed=7, huge_lines=2)
    assert (result.crashes, result.drops, result.silent) == (0, 0, 0)
    assert result.reported >= 2  # at least the two 10 MB lines are reported as unreadable
