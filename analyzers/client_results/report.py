"""`speclens report CLIENT_RESULT.json`: a client's result JSON (clients/) re-read offline through its
typed model (parsers/client_results/<kind>.py) into tables: its configuration and summary, plus the
per-mode statistics where it has them (each kind's tables: analyzers/client_results/<kind>.py).

Every format comes from one `ClientResultReport`: `--format md` (default) renders its tables as
Markdown, `text` as plain aligned columns like every other text report, `json` is the report itself
(schema_version and tool "speclens report" first, as every JSON report; `report: "client_result"`
tells it from a run directory's report; `tables` as rendered, `result` the typed model's dump of
what the file holds). `speclens render` reads the JSON back and renders the same md and text
without the client file (analyzers/render/command.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from speclens.analyzers import __version__
from speclens.analyzers.client_results.cells import pairs
from speclens.analyzers.client_results.kinds import view
from speclens.analyzers.render.plain import tables_to_markdown, tables_to_text
from speclens.analyzers.render.tables import Table
from speclens.parsers.client_results import read_client_result


class ClientTable(BaseModel):
    """One table as rendered: its cells are the formatted strings (n/a for an undefined value)."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = []


class ClientResultReport(BaseModel):
    schema_version: Literal[1] = 1
    tool: Literal["speclens report"] = "speclens report"
    report: Literal["client_result"] = "client_result"
    speclens_version: str
    input: str  # the client result file, as given
    client: str  # its kind (the model's "client" field: gsm8k_draft_verify, spec_thinking, ...)
    result_model: str  # the typed model it was read through (parsers/client_results)
    tables: list[ClientTable]
    result: dict[str, Any]  # the typed model's dump: the fields the file holds, as read


def client_tables(result: Any) -> list[Table]:
    return [pairs(f"{type(result).__name__}: configuration", result.configuration()), *view(result).tables(result)]


def build_client_report(path: str) -> ClientResultReport:
    result = read_client_result(path)
    tables = [ClientTable(title=t.title, headers=t.headers, rows=t.rows, notes=t.notes) for t in client_tables(result)]
    return ClientResultReport(speclens_version=__version__, input=path, client=result.kind(),
                              result_model=type(result).__name__, tables=tables,
                              result=result.model_dump(mode="json", exclude_unset=True))


def _tables(r: ClientResultReport) -> list[Table]:
    return [Table(t.title, t.headers, t.rows, t.notes) for t in r.tables]


def render_client_markdown(r: ClientResultReport) -> str:
    return tables_to_markdown(f"speclens report: {r.input}", f"speclens {r.speclens_version}", _tables(r))


def render_client_text(r: ClientResultReport) -> str:
    return tables_to_text(f"speclens {r.speclens_version} report: {r.input}", _tables(r))


CLIENT_RENDERERS = {"md": render_client_markdown, "text": render_client_text,
                    "json": lambda r: r.model_dump_json(indent=2) + "\n"}


def client_markdown(path: str) -> str:
    return render_client_markdown(build_client_report(path))


def client_text(path: str) -> str:
    return render_client_text(build_client_report(path))


def render_client_result(path: str, fmt: str) -> str:
    """The report of a client result JSON in `fmt` (md, text or json)."""
    return CLIENT_RENDERERS[fmt](build_client_report(path))
