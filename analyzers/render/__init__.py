"""Renderers: each takes only a finished `Report` and returns text. `--format` choices are the
registry keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from speclens.analyzers.acceptance.models import Report
    from speclens.analyzers.render.legacy import LegacyUnavailable

__all__ = ["RENDERERS", "LegacyUnavailable"]


def __getattr__(name: str) -> Any:
    """RENDERERS and LegacyUnavailable, built on first use: importing a sibling module
    (`render.console`, which the CLI's `main` needs for every command) does not load the pydantic
    report models and every renderer (tests/test_lazy_imports.py)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from speclens.analyzers.render.legacy import LegacyUnavailable, render_legacy
    from speclens.analyzers.render.machine import render_csv, render_json
    from speclens.analyzers.render.plain import render_markdown, render_text

    renderers: dict[str, Callable[[Report], str]] = {
        "text": render_text,
        "md": render_markdown,
        "json": render_json,
        "csv": render_csv,
        "legacy": render_legacy,
    }
    globals().update(RENDERERS=renderers, LegacyUnavailable=LegacyUnavailable)
    return globals()[name]
