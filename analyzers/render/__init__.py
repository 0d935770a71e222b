"""Renderers: each takes only a finished `Report` and returns text. `--format` choices are the
registry keys."""

from __future__ import annotations

from collections.abc import Callable

from speclens.analyzers.acceptance.models import Report
from speclens.analyzers.render.legacy import LegacyUnavailable, render_legacy
from speclens.analyzers.render.machine import render_csv, render_json
from speclens.analyzers.render.plain import render_markdown, render_text

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "md": render_markdown,
    "json": render_json,
    "csv": render_csv,
    "legacy": render_legacy,
}

__all__ = ["RENDERERS", "LegacyUnavailable"]
