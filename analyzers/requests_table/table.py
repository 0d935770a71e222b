"""The request table's columns, built column-wise into a polars DataFrame (one row per request).

| column | type | unit / meaning |
|---|---|---|
| run | str | the RUN argument as given (a run directory, a guidellm JSON, a responses file) |
| cell_id | str | the cell of a multi-phase run (RUN/cells/<id>/); null outside one |
| category | str | the cell's data subset; null for a plain run or the whole dataset |
| role | str | "spec" or "baseline" (cell role, RUN/baseline, run.json config.baseline); null when unknown |
| source | str | the file and JSON path (or line) of the request |
| request_id | str | guidellm's request_id (else the server's response id); a response's `id` |
| prompt_tokens | int | prompt tokens |
| output_tokens | int | output (completion) tokens |
| latency_s | float | end-to-end request latency, seconds, as the load driver measured it (null for raw responses) |
| ttft_ms | float | time to first token, milliseconds (guidellm's; for raw responses vLLM's) |
| itl_ms | float | the request's mean inter-token latency, ms: (last − first token time) / (output tokens − 1), |
|  |  | guidellm's inter_token_latency_ms; for raw responses vLLM's mean_itl_ms |
| k | int | num_spec_tokens: draft tokens proposed per verify step |
| spec_steps | int | num_spec_steps: verify steps of the request |
| accepted_tokens | int | num_accepted_draft_tokens |
| drafted_tokens | int | num_draft_tokens |
| acceptance_histogram | list[int] | k + 1 bins, bin j = verify steps that accepted exactly j drafts (bonus excluded) |

The acceptance columns (k .. acceptance_histogram) are null for a request without per-request
spec-decode metrics (a baseline, a server started without --per-request-spec-decode-metrics, n > 1)
or whose record failed validation. Parquet keeps acceptance_histogram as a list column; CSV has no
list type, so it gets `hist_0 .. hist_K` instead (K = the largest k among the rows; a row's bins past
its own k are empty), and CSV writes null as an empty field. Rates and means are not columns: derive
them from the counts (acceptance rate = accepted_tokens / drafted_tokens, mean acceptance length =
1 + accepted_tokens / spec_steps; undefined when the denominator is 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from speclens.analyzers.requests_table.sources import Part
from speclens.parsers.request_metrics import paused_gc

if TYPE_CHECKING:
    import polars as pl

HIST = "acceptance_histogram"
_TEXT = ("run", "cell_id", "category", "role", "source", "request_id")
_SEEN = (("prompt_tokens", "Int64"), ("output_tokens", "Int64"), ("latency_s", "Float64"), ("ttft_ms", "Float64"),
         ("itl_ms", "Float64"))
_SPEC = (("k", "k"), ("spec_steps", "steps"), ("accepted_tokens", "accepted"), ("drafted_tokens", "drafted"))
COLUMNS = (*_TEXT, *(name for name, _ in _SEEN), *(name for name, _ in _SPEC), HIST)


def request_table(parts: list[Part]) -> pl.DataFrame:
    """One row per request of every part, in order (columns: the module doc)."""
    with paused_gc():
        return _build(parts)


def _build(parts: list[Part]) -> pl.DataFrame:
    import polars as pl

    seen = [r for part in parts for r in part.requests.requests]
    counts = [len(part.requests.requests) for part in parts]

    def repeated(attr: str) -> list[str | None]:
        return [value for part, n in zip(parts, counts) for value in [getattr(part, attr)] * n]

    specs = [r.spec for r in seen]
    data = {name: repeated(name) for name in ("run", "cell_id", "category", "role")}
    data["source"] = [r.source for r in seen]
    data["request_id"] = [r.request_id for r in seen]
    for name, _ in _SEEN:
        data[name] = [getattr(r, name) for r in seen]
    for name, attr in _SPEC:
        data[name] = [getattr(s, attr) if s is not None else None for s in specs]
    data[HIST] = [list(s.histogram) if s is not None else None for s in specs]
    schema = {name: pl.String for name in _TEXT} | {name: getattr(pl, kind) for name, kind in _SEEN}
    schema |= {name: pl.Int64 for name, _ in _SPEC} | {HIST: pl.List(pl.Int64)}
    return pl.DataFrame(data, schema=schema)


def csv_frame(table: pl.DataFrame) -> pl.DataFrame:
    """The table with its histogram list as `hist_0 .. hist_K` columns (CSV has no list type)."""
    import polars as pl

    top = table["k"].max()
    width = int(top) + 1 if top is not None else 0
    bins = [pl.col(HIST).list.get(j, null_on_oob=True).alias(f"hist_{j}") for j in range(width)]
    return table.with_columns(bins).drop(HIST)
