"""Small number helpers shared by the clients. Undefined is None (null in JSON), never 0."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from speclens.base.formulas import ratio  # the one quotient helper: None when undefined

__all__ = ["describe", "mean", "ratio", "rounded"]


def mean(values: Sequence[float | None]) -> float | None:
    """Unweighted mean of the defined values; None when there are none."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def describe(values: Sequence[float | None]) -> dict[str, float | None]:
    """mean, median, std (population, ddof=0), min, max of the defined values, each None when
    there are none; `n` is how many values were defined."""
    defined = [float(v) for v in values if v is not None]
    if not defined:
        return {"n": 0, "mean": None, "median": None, "std": None, "min": None, "max": None}
    return {"n": len(defined), "mean": statistics.fmean(defined), "median": statistics.median(defined),
            "std": statistics.pstdev(defined), "min": min(defined), "max": max(defined)}


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
