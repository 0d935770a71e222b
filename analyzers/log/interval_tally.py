"""Running integer totals of V1 log intervals: exact sums of Accepted and Drafted, and of each
interval's reconstructed drafts and per-position counts (`analyzers.log.reconstruct`), with how
exact they are (and, for estimated drafts, the range of the fitting values)."""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.analyzers.acceptance.models import Counts
from speclens.analyzers.log.reconstruct import Solution
from speclens.parsers.records import SpecInterval


@dataclass
class Tally:
    """Running integer totals of one segment (or one engine within it)."""

    accepted: int = 0
    drafted: int = 0
    drafts: int | None = 0
    per_position: list[int] | None = None
    has_rates: bool = True
    inexact_drafts: int = 0
    inexact_positions: int = 0
    ambiguous: int = 0
    drafts_low: int | None = 0  # sums of each interval's smallest/largest fitting drafts
    drafts_high: int | None = 0
    via: set[str] = field(default_factory=set)

    def add(self, rec: SpecInterval, sol: Solution) -> None:
        self.accepted += rec.accepted
        self.drafted += rec.drafted
        self.via.add(sol.via)
        positions = sol.per_position
        positions_ok = sol.per_position_exact or positions is None
        drafts = sol.drafts
        if not sol.drafts_exact:
            self.inexact_drafts += 1
            low, high = (sol.drafts_low, sol.drafts_high) if drafts is not None else (None, None)
        else:
            low = high = drafts
        if not positions_ok:
            self.inexact_positions += 1
        if not (sol.drafts_exact and positions_ok):
            self.ambiguous += 1
        self.drafts = None if drafts is None or self.drafts is None else self.drafts + drafts
        self.drafts_low = None if low is None or self.drafts_low is None else self.drafts_low + low
        self.drafts_high = None if high is None or self.drafts_high is None else self.drafts_high + high
        if positions is None or not self.has_rates:
            self.has_rates, self.per_position = False, None
            return
        totals = self.per_position
        if totals is None:
            self.per_position = list(positions)
            return
        if len(positions) > len(totals):
            totals.extend([0] * (len(positions) - len(totals)))
        for i, value in enumerate(positions):
            totals[i] += value

    def counts(self, k: int | None) -> Counts:
        drafts_from = "unavailable" if self.drafts is None else (
            "estimated" if self.inexact_drafts else ("drafted/k" if self.via <= {"drafted/k"} else "reconstructed")
        )
        pp_from = "unavailable" if self.per_position is None else (
            "estimated" if self.inexact_drafts or self.inexact_positions else "reconstructed")
        spread = None
        if drafts_from == "estimated" and self.drafts_low is not None and self.drafts_high is not None:
            spread = [self.drafts_low, self.drafts_high]
        return Counts(k=k, drafts=self.drafts, draft_tokens=self.drafted, accepted_tokens=self.accepted,
                      accepted_per_position=self.per_position, drafts_from=drafts_from,
                      per_position_from=pp_from, ambiguous_intervals=self.ambiguous, drafts_range=spread)
