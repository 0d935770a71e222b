"""The running sum of one log segment's `DiffusionDecoding metrics:` lines, and its frozen summary.

`analyzers.log.fold` places each diffusion line with the same window, `--skip-first` and
reference-window rules as spec lines and hands the taken ones to `DiffusionTally.take`. Sums are
exact integers (committed, denoising steps, canvas positions), per engine too. The committed
throughput over the logged intervals is Σ committed / Σ (committed_i / printed throughput_i): each
interval's wall time recovered from its 2-dp rate, over the intervals with committed > 0 and a
rate > 0 (an interval that committed nothing has no recoverable length).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.parsers.diffusion_line import DiffusionInterval


@dataclass(frozen=True, slots=True)
class DiffusionTaken:
    """What a segment's diffusion lines inside the window add up to (`used` > 0), and what the
    window and warm-up skip left out."""

    used: int
    first_line: int
    last_line: int
    first_time: str | None
    last_time: str | None
    committed: int
    denoising_steps: int
    canvas_positions: int
    per_engine: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # (committed, steps, positions)
    timed_intervals: int = 0  # intervals with committed > 0 and a printed rate > 0
    timed_committed: int = 0  # their committed tokens
    timed_seconds: float = 0.0  # Σ committed_i / throughput_i over those
    untimed_intervals: int = 0  # intervals with committed > 0 whose printed rate is 0 or missing
    skipped: int = 0
    before: int = 0
    after: int = 0
    untimed: int = 0
    before_run: int = 0
    after_run: int = 0


class DiffusionTally:
    """Running state of one segment's diffusion lines: plain attributes, cheap per line."""

    __slots__ = ("seen", "skipped", "before", "after", "untimed", "used", "lines", "times", "committed", "steps",
                 "positions", "engines", "timed_intervals", "timed_committed", "timed_seconds", "untimed_rates", "before_run", "after_run",
                 "before_run_lines")

    def __init__(self) -> None:
        self.seen = self.skipped = self.before = self.after = self.untimed = 0
        self.clear()

    def clear(self) -> None:
        """Forget what was taken (the window turned out to exclude it); the caller recounts it."""
        self.used = self.committed = self.steps = self.positions = self.timed_committed = self.untimed_rates = 0
        self.timed_intervals = 0
        self.before_run = self.after_run = 0
        self.before_run_lines: list[int] = []
        self.timed_seconds = 0.0
        self.lines: list[int] = []
        self.times: list[str | None] = []
        self.engines: dict[str, list[int]] = {}

    def take(self, rec: DiffusionInterval) -> None:
        """Add a line in the window (its line, time and run-window place are counted by the log fold's
        `_used`, which it shares with spec lines)."""
        self.committed += rec.committed
        self.steps += rec.denoising_steps
        self.positions += rec.canvas_positions
        if rec.engine is not None:
            sums = self.engines.setdefault(str(rec.engine), [0, 0, 0])
            sums[0] += rec.committed
            sums[1] += rec.denoising_steps
            sums[2] += rec.canvas_positions
        rate = rec.committed_throughput
        if rec.committed:
            if rate is not None and rate > 0:
                self.timed_intervals += 1
                self.timed_committed += rec.committed
                self.timed_seconds += rec.committed / rate
            else:
                self.untimed_rates += 1

    def summary(self) -> DiffusionTaken | None:
        """The frozen summary, or None when the segment had no diffusion line at all."""
        if not self.seen:
            return None
        engines = {k: (v[0], v[1], v[2]) for k, v in sorted(self.engines.items())} if len(self.engines) > 1 else {}
        ends = self.lines or [0, 0]
        times = self.times or [None, None]
        return DiffusionTaken(self.used, ends[0], ends[1], times[0], times[1], self.committed, self.steps,
                              self.positions, engines, self.timed_intervals, self.timed_committed, self.timed_seconds, self.untimed_rates,
                              self.skipped, self.before, self.after, self.untimed, self.before_run, self.after_run)
