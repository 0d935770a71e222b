"""`speclens compare` and the cells of a multi-phase run (`parsers.run_cells`): a run directory whose
run.json lists `cells` contributes one row per cell (RUN/cells/<id>/, each a run directory read as
any other) instead of a row of its own, in the grid's order; each such row carries the cell's
`category`, `cell` id and `cell_status` from the grid. A cell that did not run ok (or whose folder is
missing) is a row that says so, with no numbers. `--category NAME` keeps the rows of that category
(plain runs have none: n/a).
"""

from __future__ import annotations

import os

from speclens.parsers.errors import ParseError
from speclens.parsers.run_cells import CELLS, Cell
from speclens.parsers.run_dir import MANIFEST, read_manifest

# the compare row's columns shown only when a row is a cell: the grid's category, the cell's id, its status,
# its role (spec / baseline) and its load as guidellm's --profile value (run.json `cells`)
CELL_FIELDS = ("category", "cell", "cell_status", "role", "load_profile")


def cell_marks(cell: Cell) -> dict:
    """The CELL_FIELDS of a cell's row, from the grid."""
    return dict(category=cell.category, cell=cell.id, cell_status=cell.status, role=cell.role,
                load_profile=cell.profile)


def grid_cells(run_dir: str) -> list[Cell]:
    """The cells run.json lists (empty: none, or run.json cannot be read: its row reports that)."""
    try:
        manifest = read_manifest(os.path.join(run_dir, MANIFEST))
    except (ParseError, OSError):
        return []
    return list(manifest.cells) if manifest is not None else []


def cell_paths(run_dir: str, cells: list[Cell]) -> list[str]:
    return [os.path.join(run_dir, cell.dir) for cell in cells]


def cell_of(path: str) -> Cell | None:
    """The grid cell `path` (RUN/cells/<id>) is, from RUN/run.json; None when it is not one."""
    folder = os.path.normpath(path)
    parent = os.path.dirname(folder)
    if os.path.basename(parent) != CELLS:
        return None
    name = os.path.basename(folder)
    return next((c for c in grid_cells(os.path.dirname(parent)) if c.id == name), None)


def not_run_note(cell: Cell, path: str) -> str | None:
    """Why a cell has no numbers (status not ok, or its folder is missing); None when it ran."""
    if cell.status == "ok" and os.path.isdir(path):
        return None
    status = f" (exit status {cell.exit_status})" if cell.exit_status is not None else ""
    if cell.status == "ok":
        return f"cell {cell.id}: its folder {path} is missing: no numbers"
    return f"cell {cell.id} {cell.status}{status}: no numbers"


def by_category(rows: list, name: str) -> list:
    """The rows of category `name`; ValueError naming the categories present when none is."""
    kept = [r for r in rows if r.category == name]
    if not kept:
        present = sorted({r.category for r in rows if r.category is not None})
        held = f"the categories here: {', '.join(present)}" if present else "no row has a category (plain runs: n/a)"
        raise ValueError(f"--category {name!r}: no row of that category ({held}); pass one of them")
    return kept
