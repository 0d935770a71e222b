"""Problem sources for the clients: the generated GSM8K-style problems the tiny pair was trained on
(clients/arithmetic.py, held-out split; the default on CPU), the Hugging Face datasets
openai/gsm8k and an AIME 2025 set, and plain prompt files (one prompt per line).

Hub loaders probe the hub with a 3-second TCP connect first (as launchers/fetch_dataset.py does),
so an offline machine gets one clear error within seconds instead of a hang; HF_HUB_OFFLINE=1
skips the probe and uses the local datasets cache only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from speclens.clients import arithmetic
from speclens.clients.answers import extract_answer, normalize_number
from speclens.clients.cli_common import UsageError
from speclens.clients.hub import hub_endpoint, hub_offline, hub_reachable

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
        raise UsageError(f"dataset {repo}: the 'datasets' package is not installed; pip install datasets") from None
    try:
        return datasets.load_dataset(repo, config, split=split)
    except Exception as err:  # noqa: BLE001 - every hub failure becomes one clear line
        first = str(err).splitlines()[0] if str(err) else ""
        raise UsageError(f"dataset {repo}: could not load split {split!r} ({type(err).__name__}: {first})") from None


def gsm8k(n: int | None, seed: int) -> list[Problem]:
    """openai/gsm8k (main, test split); `n` problems sampled with `seed` (all when None)."""
    rows = _load_hub("openai/gsm8k", "main", "test")
    problems = [Problem(r["question"], extract_answer(r["answer"]), r["answer"]) for r in rows]
    return sample(problems, n, seed)


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
