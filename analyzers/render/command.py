"""`speclens render REPORT.json --format FMT`: re-render a saved JSON report without re-reading
its inputs (the idea of guidellm's `export`). The report says what it is (`tool`) and which schema
it follows (`schema_version`); it is validated against that typed model before any renderer
sees it. A report of another schema version is refused with one line naming the versions this
speclens reads and how to get a current one (re-run the command on the inputs the report lists).
"""

from __future__ import annotations

import importlib
import typing
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from speclens.analyzers.commands import EXIT_OK, emit, input_boundary
from speclens.parsers.errors import ParseError
from speclens.parsers.json_file import read_json


@dataclass(frozen=True)
class ReportKind:
    """A saved report: the command that writes it, its model and its renderer registry, each as
    `module:attribute` (imported only when such a report is rendered)."""

    command: str
    model_at: str
    renderers_at: str

    def model(self) -> type[BaseModel]:
        return _load(self.model_at)

    def renderers(self) -> dict[str, Callable[[Any], str]]:
        return _load(self.renderers_at)

    def schema_version(self) -> int:
        """The version the model writes: its own `schema_version` default (one owner per report)."""
        return self.model().model_fields["schema_version"].default

    def versions_read(self) -> tuple[int, ...]:
        """The versions the model reads: the values of its `schema_version` Literal."""
        return typing.get_args(self.model().model_fields["schema_version"].annotation)


def _load(where: str) -> Any:
    module, _, attribute = where.partition(":")
    return getattr(importlib.import_module(f"speclens.analyzers.{module}"), attribute)


KINDS = {
    "speclens": ReportKind("speclens acceptance", "acceptance.models:Report", "render:RENDERERS"),
    "speclens speedup": ReportKind("speclens speedup", "speedup.models:SpeedupReport", "render.speedup:SPEEDUP_RENDERERS"),
    "speclens compare": ReportKind("speclens compare", "compare.table:CompareReport", "render.compare:COMPARE_RENDERERS"),
    "speclens report": ReportKind("speclens report", "run_dir_report:RunDirReport", "render.run_dir:RUN_DIR_RENDERERS"),
}
# `speclens report CLIENT.json --format json`: tool "speclens report" too, told apart by its "report" field
CLIENT_REPORT = ReportKind("speclens report", "client_results.report:ClientResultReport",
                           "client_results.report:CLIENT_RENDERERS")


def _kind(doc: Any) -> ReportKind | None:
    tool = doc.get("tool") if isinstance(doc, dict) else None
    if tool == "speclens report" and doc.get("report") == "client_result":
        return CLIENT_REPORT
    return KINDS.get(tool) if isinstance(tool, str) else None


def load_report(path: str) -> tuple[ReportKind, BaseModel]:
    """The typed report saved at `path` (ParseError when it is not one this speclens reads)."""
    doc = read_json(path)
    tool = doc.get("tool") if isinstance(doc, dict) else None
    kind = _kind(doc)
    if kind is None:
        raise ParseError(path, None, "expected a JSON report written by `speclens acceptance|speedup|compare|report --format "
                         "json`", f"its 'tool' is {tool!r}" if tool is not None else "it has no 'tool' field")
    version = doc.get("schema_version")
    if version not in kind.versions_read():
        raise ParseError(path, None, f"a {kind.command} report of schema version {version!r}; this speclens reads "
                         f"schema {' and '.join(map(str, kind.versions_read()))}", f"re-run `{kind.command}` on the inputs the report lists "
                         "to get a current one")
    try:
        return kind, kind.model().model_validate(doc)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ParseError(path, None, f"a {kind.command} report (schema {version}) that does not validate: {where}: "
                         f"{first['msg']}", "was it edited by hand? re-run the command") from None


@input_boundary
def run_render(path: str, fmt: str, output: str | None) -> int:
    if not os.path.isfile(path):
        raise ParseError(path, None, "no such file", "pass a JSON report written with --format json")
    from speclens.parsers.sniff import sniff

    looks = sniff(path)
    if looks.kind not in ("speclens_report", "unknown_json"):  # unknown: load_report says what is missing
        raise ParseError(path, None, f"this is {looks.hint()}",
                         "speclens render reads JSON reports written by speclens acceptance|speedup|compare|report --format json")
    kind, report = load_report(path)
    renderers = kind.renderers()
    if fmt not in renderers:
        raise ValueError(f"--format {fmt}: a {kind.command} report renders as {', '.join(renderers)}")
    emit(renderers[fmt](report), output, [path])
    return EXIT_OK
