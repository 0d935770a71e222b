"""AIME-style tasks for the speculative-thinking benchmark, from a skythought-style task YAML
(`skythought_evals/tasks/aime/aime25.yaml`: dataset_path, dataset_split, question_key, answer_key,
templating_parameters.template), and `\\boxed{}` scoring.

`dataset_path` is a local `.json`/`.jsonl` file (relative to the YAML's folder, else the current
directory) or a Hugging Face dataset ID; the hub is probed for 3 s first (clients/common/problems.py), so
an offline machine fails within seconds. The prompt is `template.format(prompt=question)`.

Scoring: the predicted answer is the content of the last `\\boxed{...}` (braces balanced); without
one, the number after a GSM8K-style `#### ` marker (the tiny pair's convention); `answer_source`
says which (`boxed`, `marker`, or null when neither is there: then the run counts as wrong). Numbers
compare after clients/answers.normalize_number ("033" = "33"), other answers as stripped strings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from speclens.clients.common.answers import normalize_number
from speclens.clients.common.cli import UsageError
from speclens.clients.common.problems import Problem, _load_hub
from speclens.clients.spec_thinking.config import read_yaml

DEFAULT_TASK = Path(__file__).resolve().parent / "configs" / "aime25.yaml"
_MARKER = re.compile(r"####\s*(-?\$?\d[\d,]*(?:\.\d+)?)")


@dataclass(frozen=True)
class Task:
    path: str
    dataset_path: str
    dataset_subset: str | None
    dataset_split: str
    question_key: str
    answer_key: str
    template: str


def load_task(path: str | Path) -> Task:
    data = read_yaml(path, "task config")
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with dataset_path, question_key, answer_key, templating_parameters")
    template = (data.get("templating_parameters") or {}).get("template", "{prompt}")
    for key in ("dataset_path", "question_key", "answer_key"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise UsageError(f"{path}: key '{key}': expected a non-empty string")
    if not isinstance(template, str) or "{prompt}" not in template:
        raise UsageError(f"{path}: key 'templating_parameters.template': expected a string containing {{prompt}}")
    return Task(str(path), data["dataset_path"], data.get("dataset_subset"), str(data.get("dataset_split") or "train"),
                data["question_key"], data["answer_key"], template)


def _local_rows(task: Task) -> list[dict] | None:
    given = Path(task.dataset_path)
    if given.suffix not in (".json", ".jsonl"):
        return None
    found = next((p for p in (Path(task.path).parent / given, given) if p.is_file()), None)
    if found is None:
        raise UsageError(f"{task.path}: dataset_path {task.dataset_path}: no such file (relative to the task file or "
                         "the current directory)")
    text = found.read_text(encoding="utf-8")
    try:
        if found.suffix == ".json":
            rows = json.loads(text)
            return rows if isinstance(rows, list) else rows[task.dataset_split]
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise UsageError(f"{found}: expected JSON lines (or a JSON list) of objects ({err})") from None


def load_problems(task: Task, n: int) -> list[Problem]:
    """The first `n` problems of the task's dataset."""
    rows = _local_rows(task)
    if rows is None:
        rows = _load_hub(task.dataset_path, task.dataset_subset, task.dataset_split)
    out = []
    for i, row in enumerate(rows):
        if len(out) == n:
            break
        if not isinstance(row, dict) or task.question_key not in row:
            raise UsageError(f"{task.dataset_path}: row {i + 1} has no '{task.question_key}' field "
                             f"(question_key in {task.path})")
        answer = row.get(task.answer_key)
        out.append(Problem(str(row[task.question_key]), None if answer is None else str(answer).strip(),
                           str(answer)))
    if not out:
        raise UsageError(f"{task.dataset_path}: no problems")
    return out


def prompt_text(task: Task, problem: Problem) -> str:
    return task.template.format(prompt=problem.question)


def last_boxed(text: str) -> str | None:
    """The content of the last \\boxed{...} (nested braces balanced); None when there is none or it is unclosed."""
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, i = 1, start + len("\\boxed{")
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i:j].strip()
    return None


def predicted_answer(text: str) -> tuple[str | None, str | None]:
    """(answer, source): the last \\boxed{} content ("boxed"), else the `#### N` value ("marker")."""
    boxed = last_boxed(text)
    if boxed is not None:
        return boxed, "boxed"
    marker = _MARKER.findall(text)
    return (marker[-1], "marker") if marker else (None, None)


def is_correct(predicted: str | None, truth: str | None) -> bool:
    if predicted is None or truth is None:
        return False
    a, b = normalize_number(predicted), normalize_number(truth)
    if a is not None or b is not None:
        return a is not None and a == b
    return predicted.strip() == truth.strip()
