"""`Notice`: one thing worth saying about an input (a level, a stable code, one line, where).
Its own module so that sections the report holds (`per_request_models`) and the report
(`models`, which re-exports it) can both use it without importing each other."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Notice(BaseModel):
    level: Literal["error", "warning", "info"]  # error: the input could not be read (an `unreadable` target), or
    # what was read is not a measurement (trap-synthetic-acceptance, analyzers.traps)
    code: str
    message: str
    location: str | None = None
