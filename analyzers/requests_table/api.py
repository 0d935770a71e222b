"""`speclens.read(path)`: one run's acceptance report and request table, for notebooks."""

from __future__ import annotations

from dataclasses import dataclass
import importlib
from typing import TYPE_CHECKING, Any

from speclens.analyzers.acceptance.models import Report
from speclens.analyzers.requests_table import table as _table
from speclens.base.extras import missing_package_line

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class RunData:
    """What `speclens.read(path)` returns.

    report: the typed acceptance report `speclens acceptance PATH --format json` writes
        (analyzers.acceptance.models.Report; `.model_dump()` for a dict).
    requests: the request table, a polars DataFrame, one row per request (`.requests.to_pandas()`, or
        `RunData.to_pandas()`, which names the extra when it is missing: `pip install 'speclens[pandas]'`).
        Columns (units in the names; null where the input does not say):
        run, cell_id, category, role ("spec"/"baseline"), source (file + JSON path), request_id,
        prompt_tokens, output_tokens, latency_s (end-to-end, s), ttft_ms (time to first token, ms),
        itl_ms (the request's mean inter-token latency, ms), k (draft tokens per step), spec_steps,
        accepted_tokens, drafted_tokens, acceptance_histogram (list of k + 1 ints: bin j = verify steps
        that accepted exactly j drafts). The acceptance columns are null for requests without vLLM's
        per-request spec-decode metrics. Full table: analyzers/requests_table/table.py.
    """

    path: str
    report: Report
    requests: pl.DataFrame

    def to_pandas(self) -> Any:
        """`requests.to_pandas()`, or, when pandas or pyarrow is missing, a ModuleNotFoundError whose
        message is the one line naming the extra to install (base/extras.py)."""
        for name in ("pandas", "pyarrow"):
            try:
                importlib.import_module(name)
            except ModuleNotFoundError:
                raise ModuleNotFoundError(missing_package_line("speclens.read", name).strip(), name=name) from None
        return self.requests.to_pandas()


def read(path: str) -> RunData:
    """Read a run directory (its cells and baseline/ too), a guidellm result JSON or a raw responses
    file: its acceptance report and request table (`RunData`). Bad input raises
    speclens.parsers.errors.ParseError or OSError, each with one clear message."""
    from speclens.analyzers.acceptance.report import build_report
    from speclens.analyzers.log.window import parse_window
    from speclens.analyzers.requests_table.sources import request_parts

    table = _table.request_table(request_parts([path]).parts)
    return RunData(path, build_report([path], parse_window(None, None, 0, None)), table)
