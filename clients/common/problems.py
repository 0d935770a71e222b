"""Problem sources for the clients: the generated GSM8K-style problems the tiny pair was trained on
(base/arithmetic.py, held-out split; the default on CPU), the Hugging Face datasets
openai/gsm8k and an AIME 2025 set, a local GSM8K-shaped file (`gsm8k_file`: JSON Lines or a JSON
list of {"question", "answer"} rows, the answer ending in `#### N`), and plain prompt files (one
prompt per line).

Hub loaders probe the hub with a 3-second TCP connect first (as launchers/fetch_dataset.py does),
so an offline machine gets one clear error within seconds instead of a hang; HF_HUB_OFFLINE=1
skips the probe and uses the local datasets cache only.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from speclens.base import arithmetic
from speclens.base.extras import install_hint
from speclens.clients.common.answers import extract_answer, normalize_number
from speclens.clients.common.cli import UsageError
from speclens.base.hub import hub_endpoint, hub_offline, hub_reachable

AIME_DEFAULT = "yentinglin/aime_2025"


@dataclass(frozen=True)
class Problem:
    """One question; `answer` is the normalised final number (None when unknown), `reference`
    the dataset's worked solution or raw answer text."""

    question: str
    answer: str | None
    reference: str


def generated(seed: int, n: int) -> list[Problem]:
    """`n` held-out generated problems for `seed` (deterministic)."""
    return [Problem(p.question, str(p.answer), p.worked_answer) for p in arithmetic.generate(seed, n, "heldout")]


def _load_hub(repo: str, config: str | None, split: str):  # noqa: ANN202 - a datasets.Dataset
    offline, endpoint = hub_offline(), hub_endpoint()
    if not offline and not hub_reachable(endpoint):
        raise UsageError(f"dataset {repo}: the Hugging Face hub ({endpoint}) is not reachable from this machine; "
                         "use --dataset generated, or set HF_HUB_OFFLINE=1 to use a cached copy")
    try:
        import datasets
    except ImportError:
        raise UsageError(f"dataset {repo}: the Python package 'datasets' is not installed; {install_hint('datasets')}") from None
    try:
        return datasets.load_dataset(repo, config, split=split)
    except Exception as err:  # noqa: BLE001 - every hub failure becomes one clear line
        first = str(err).splitlines()[0] if str(err) else ""
        raise UsageError(f"dataset {repo}: could not load split {split!r} ({type(err).__name__}: {first})") from None


GSM8K_TEST_SIZE = 1319  # openai/gsm8k main, test split


def gsm8k(n: int | None, seed: int | None = None) -> list[Problem]:
    """openai/gsm8k (main, test split): the first `n` problems in dataset order, or with `seed` a
    seeded sample of `n` (in dataset order); all 1,319 when `n` is None."""
    rows = _load_hub("openai/gsm8k", "main", "test")
    return first_or_sample([Problem(r["question"], extract_answer(r["answer"]), r["answer"]) for r in rows], n, seed)


def gsm8k_file(path: str) -> list[Problem]:
    """A local GSM8K-shaped file: JSON Lines (one {"question", "answer"} object per line) or a
    JSON list of them; UsageError naming the file and line for anything else."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as err:
        raise UsageError(f"{path}: cannot read the dataset file ({err.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: expected UTF-8 JSON Lines with question/answer rows") from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            rows = list(enumerate(json.loads(text), 1))
        except json.JSONDecodeError as err:
            raise UsageError(f"{path}:{err.lineno}: expected a JSON list of question/answer rows ({err.msg})") from None
    else:
        rows = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append((lineno, json.loads(line)))
                except json.JSONDecodeError as err:
                    raise UsageError(f"{path}:{lineno}: expected one JSON object per line ({err.msg})") from None
    problems = []
    for where, row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) or not isinstance(row.get("answer"), str):
            raise UsageError(f"{path}:{where}: expected an object with string 'question' and 'answer' fields "
                             "(GSM8K's shape: the answer ends in '#### N')")
        problems.append(Problem(row["question"], extract_answer(row["answer"]), row["answer"]))
    if not problems:
        raise UsageError(f"{path}: no question/answer rows")
    return problems


def first_or_sample(items: list[Problem], n: int | None, seed: int | None) -> list[Problem]:
    """The first `n` items, or with `seed` a seeded sample (`sample`); all when n is None."""
    if seed is not None:
        return sample(items, n, seed)
    return list(items) if n is None else items[:n]


def aime(repo: str, n: int | None) -> list[Problem]:
    """An AIME-style set: the first `n` rows (field problem/question, answer/solution)."""
    rows = _load_hub(repo, None, "train")
    out = []
    for row in rows:
        question = row.get("problem") or row.get("question")
        answer = row.get("answer") or row.get("solution")
        if question is None:
            raise UsageError(f"dataset {repo}: rows have no 'problem' or 'question' field ({sorted(row)})")
        out.append(Problem(str(question), normalize_number(str(answer)) if answer is not None else None, str(answer)))
    return out[:n] if n else out


def prompt_file(path: str) -> list[Problem]:
    """Non-empty lines of a UTF-8 text file, one prompt each (no answers)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle]
    except OSError as err:
        raise UsageError(f"{path}: cannot read prompts file ({err.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: expected a UTF-8 text file with one prompt per line") from None
    prompts = [Problem(line, None, "") for line in lines if line]
    if not prompts:
        raise UsageError(f"{path}: no prompts (expected one prompt per non-empty line)")
    return prompts


def sample(items: list[Problem], n: int | None, seed: int) -> list[Problem]:
    """A seeded random sample of `n` items in their original order (all when n is None or larger)."""
    if n is None or n >= len(items):
        return list(items)
    keep = sorted(random.Random(seed).sample(range(len(items)), n))
    return [items[i] for i in keep]
