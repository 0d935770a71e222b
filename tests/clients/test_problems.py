"""Problem sources and the result writer."""

from __future__ import annotations

import pytest
from speclens.clients.common.cli import UsageError, write_result
from speclens.clients.common.problems import Problem, generated, prompt_file, sample


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


def test_gsm8k_takes_the_first_n_unless_a_seed_is_given(monkeypatch) -> None:
    from speclens.clients.common import problems

    rows = [{"question": f"q{i}", "answer": f"work\n#### {i}"} for i in range(10)]
    monkeypatch.setattr(problems, "_load_hub", lambda repo, config, split: rows)
    assert [p.question for p in problems.gsm8k(3)] == ["q0", "q1", "q2"]  # first N, dataset order
    assert [p.answer for p in problems.gsm8k(3)] == ["0", "1", "2"]
    assert len(problems.gsm8k(None)) == 10
    seeded = problems.gsm8k(3, seed=4)  # the old behaviour, when asked: problems.sample
    assert seeded == sample(problems.gsm8k(None), 3, 4) and seeded != problems.gsm8k(3)


def test_gsm8k_file_json_lines_and_json_list(tmp_path) -> None:
    from speclens.clients.common.problems import gsm8k_file

    lines = tmp_path / "t.jsonl"
    lines.write_text('{"question": "a", "answer": "x\\n#### 1,000"}\n\n{"question": "b", "answer": "#### 2"}\n')
    assert [(p.question, p.answer) for p in gsm8k_file(str(lines))] == [("a", "1000"), ("b", "2")]
    listed = tmp_path / "t.json"
    listed.write_text('[{"question": "c", "answer": "#### 3"}]')
    assert [p.answer for p in gsm8k_file(str(listed))] == ["3"]
    broken = tmp_path / "b.jsonl"
    broken.write_text('{"question": "a", "answer": "#### 1"}\n{not json\n')
    with pytest.raises(UsageError, match=r"b.jsonl:2: expected one JSON object per line"):
        gsm8k_file(str(broken))
    with pytest.raises(UsageError, match="cannot read"):
        gsm8k_file(str(tmp_path / "missing.jsonl"))
