"""The committed constructed fixtures are exactly what fixtures/constructed/make_constructed.py writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import CONSTRUCTED, ROOT


def test_constructed_fixtures_equal_the_generator_output(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_constructed", CONSTRUCTED / "make_constructed.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.main(str(tmp_path))
    made = sorted(p.name for p in tmp_path.iterdir())
    # traps/: the measurement-trap run directories, made by their own generator (tests/analyzers/test_traps_fixtures.py)
    assert made == sorted(p.name for p in CONSTRUCTED.iterdir() if p.name not in ("make_constructed.py", "traps"))
    for name in made:
        assert (tmp_path / name).read_bytes() == (CONSTRUCTED / name).read_bytes(), name
    listed = (ROOT / "fixtures" / "README.md").read_text(encoding="utf-8")
    assert all(name in listed for name in made if not name.endswith(".gz")), "list every constructed file in fixtures/README.md"
