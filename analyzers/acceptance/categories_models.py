"""The category table of a multi-phase run (`TargetReport.categories`): one row per cell of the
run's grid (`parsers.run_cells`, RUN/cells/<id>/), an "all" row pooled over every step and request
of the cells that ran, and, labelled, the unweighted mean of the cells' rows (AIPerf's SPEED-Bench
convention: every category counts once). Built by `analyzers.acceptance.categories`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from speclens.analyzers.acceptance.notice import Notice

CountsFrom = Literal["metrics_delta", "per-request sums", "mixed", "none"]
RowKind = Literal["cell", "all", "mean of categories"]


def _d(text: str, *default: object):  # noqa: ANN202 - a pydantic Field carrying its unit and formula
    return Field(*default, description=text)


class CategoryRow(BaseModel):
    kind: RowKind
    category: str = _d("the cell's category (null category: the whole dataset, shown 'all data'); 'all' / "
                       "'mean of categories' for the two summary rows")
    cell: str | None = _d("the cell's id (folder RUN/cells/<id>/); null for the summary rows", None)
    status: str = _d("the cell's status in run.json (ok, failed, planned, running); 'pooled' / 'unweighted mean' "
                     "for the summary rows", "ok")
    counts_from: CountsFrom = _d("where the acceptance counts come from: the cell's /metrics delta (exact), else "
                                 "its per-request sums (the requests the load driver saved)", "none")
    k: int | None = _d("draft tokens proposed per verification step; null when unknown or the cells differ", None)
    requests: int | None = _d("count of successful requests (the load driver's count); summed for 'all'", None)
    drafts: int | None = _d("count of verification steps with a draft", None)
    draft_tokens: int | None = _d("count of draft tokens proposed", None)
    accepted_tokens: int | None = _d("count of draft tokens accepted", None)
    mean_acceptance_length: float | None = _d(
        "tokens per verification step: 1 + accepted_tokens / drafts, pooled over steps (step-weighted); "
        "the mean row: the unweighted mean over cells", None)
    draft_acceptance_rate: float | None = _d("fraction 0..1: accepted_tokens / draft_tokens (pooled over draft "
                                             "tokens); the mean row: the unweighted mean over cells", None)
    per_position: list[float | None] | None = _d("fraction 0..1 per position i: accepted at i / drafts", None)
    conditional: list[float | None] | None = _d("fraction 0..1 per position i: per_position[i] / per_position[i-1]",
                                                None)
    output_throughput: float | None = _d(
        "tok/s (system): Σ output tokens of successful requests / the load driver's benchmark duration of the cell; "
        "'all': over every cell's requests / the sum of their durations (the cells ran one after another)", None)
    request_output_tps: float | None = _d(
        "tok/s (request mean): mean over successful requests of each one's output tokens / latency", None)
    ttft_ms_p50: float | None = _d("ms: median time to first token over successful requests (null without "
                                   "per-request rows)", None)
    note: str = ""


class CategorySection(BaseModel):
    rows: list[CategoryRow] = _d("one row per cell of the grid (baseline cells left out), in run.json's order")
    all: CategoryRow = _d("pooled over every step and request of the cells that ran (status ok with data)")
    mean_of_categories: CategoryRow = _d("unweighted mean of the rows that ran: every category counts once")
    excluded: list[str] = _d("cell ids left out of 'all' and the mean (not ok, or without data)", [])
    notices: list[Notice] = Field(default_factory=list)


UNIT_OBJECTS = (("categories", CategorySection), ("categories.{rows[],all,mean_of_categories}", CategoryRow))
