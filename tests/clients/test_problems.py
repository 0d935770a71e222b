"""Problem sources and the result writer."""

from __future__ import annotations

import pytest
from speclens.clients.cli_common import UsageError, write_result
from speclens.clients.problems import Problem, generated, prompt_file, sample


def test_generated_is_deterministic_with_answers() -> None:
    a, b = generated(5, 3), generated(5, 3)
    assert a == b and all(p.answer == p.reference.rsplit("#### ", 1)[1] for p in a)


def test_sample_keeps_order_and_is_seeded() -> None:
    items = [Problem(str(i), None, "") for i in range(10)]
    picked = sample(items, 3, seed=1)
    assert picked == sample(items, 3, seed=1) and len(picked) == 3
    assert [int(p.question) for p in picked] == sorted(int(p.question) for p in picked)
    assert sample(items, None, 0) == items and sample(items, 50, 0) == items


def test_prompt_file(tmp_path) -> None:
    f = tmp_path / "p.txt"
    f.write_text("one\n\n  two  \n")
    assert [p.question for p in prompt_file(str(f))] == ["one", "two"]
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(UsageError, match="no prompts"):
        prompt_file(str(tmp_path / "empty.txt"))


def test_write_result_never_clobbers(tmp_path) -> None:
    path = str(tmp_path / "r.json")
    write_result(path, {"a": 1}, overwrite=False)
    with pytest.raises(UsageError, match="already exists"):
        write_result(path, {"a": 2}, overwrite=False)
    write_result(path, {"a": 3}, overwrite=True)
    assert (tmp_path / "r.json").read_text() == '{\n  "a": 3\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temp file left behind
