"""The cells of a run directory: the load phases `run_eval.sh` runs as their own complete sub-run
directories under `RUN/cells/<id>/` (issue 23's per-category phases, issue 24's k x load grid).

    RUN/run.json            config of the whole run, and `cells`: the grid, one `Cell` per phase
    RUN/cells/<id>/         one phase: its own run.json (config: the server and load it ran, with
                            `category` / `num_speculative_tokens` / `profile` of this cell), the server
                            log's window for this phase (vllm_server.log: the bytes the server wrote from
                            the phase's start to its end), metrics_before.prom, metrics_after.prom,
                            guidellm_results.json, guidellm_output.log

A cell directory is a run directory like any other: every command reads it alone. What a cell *is*
(its role, k, load, category) is read from these fields, never parsed out of its id. Cells of one
server lifetime share that server (same k); a baseline cell (role "baseline", k null) is run once per
load level and category and shared by every k.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

CELLS = "cells"  # RUN/cells/<id>/

CellRole = Literal["spec", "baseline"]
CellStatus = Literal["planned", "running", "ok", "failed", "interrupted"]  # interrupted: stopped by a signal


class Cell(BaseModel):
    """One phase of the grid in the top run.json's `cells` list. Unknown keys are kept."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    id: str  # the folder name under RUN/cells/ (only [A-Za-z0-9._-])
    role: CellRole
    num_speculative_tokens: int | None = None  # null for a baseline cell
    profile: str | None = None  # the load of this cell as guidellm's --profile value, e.g. "concurrent:4"
    category: str | None = None  # the data subset this cell ran (null: the whole dataset)
    status: CellStatus = "planned"
    exit_status: int | None = None  # the phase's exit status once run (0: ok)
    command: list[str] = []  # run_eval.sh --plan-only: the one self-contained command that runs this cell

    @property
    def dir(self) -> str:
        """The cell's folder, relative to the run directory."""
        return f"{CELLS}/{self.id}"
