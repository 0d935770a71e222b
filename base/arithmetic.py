"""Seeded generator of GSM8K-style grade-school arithmetic word problems: the training corpus of
the embedded tiny model pair (launchers/tiny, train split) and the clients' `--dataset generated`
workload (held-out split). Answers are read back by `speclens.clients.common.answers.extract_answer`.

Every problem is a (question, worked_answer, answer) triple; the worked answer
reasons step by step and ends with ``#### <number>`` like GSM8K.  The numbers
are kept small so that a tiny model can learn the arithmetic facts.

Train and held-out problems never share a question: a problem belongs to the
``heldout`` split when a stable hash of its question falls in one bucket out of
``HELDOUT_BUCKETS``; ``generate`` keeps drawing until it has ``n`` problems of
the requested split.  Same (seed, n, split) -> same list, on every machine.

    >>> from speclens.base.arithmetic import generate
    >>> from speclens.clients.common.answers import extract_answer
    >>> p = generate(seed=1, n=1, split="heldout")[0]
    >>> extract_answer(p.worked_answer) == str(p.answer)
    True
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Callable, Literal

Split = Literal["train", "heldout"]
HELDOUT_BUCKETS = 20  # 1 in 20 distinct questions is held out

NAMES = [
    ("Tom", "He"), ("Sara", "She"), ("Ben", "He"), ("Lily", "She"), ("Max", "He"),
    ("Emma", "She"), ("Sam", "He"), ("Mia", "She"), ("Leo", "He"), ("Ava", "She"),
    ("Noah", "He"), ("Zoe", "She"), ("Jack", "He"), ("Ella", "She"), ("Owen", "He"),
    ("Nina", "She"), ("Luke", "He"), ("Ruby", "She"), ("Adam", "He"), ("Grace", "She"),
]
ITEMS = [
    "apples", "pencils", "stickers", "marbles", "cookies", "books", "cards",
    "flowers", "shells", "balloons", "candies", "stamps", "toys", "eggs", "coins",
    "buttons", "beads", "crayons", "oranges", "cupcakes",
]
BOXES = ["bags", "boxes", "packs", "jars", "baskets", "trays"]


@dataclass(frozen=True)
class Problem:
    question: str
    worked_answer: str
    answer: int


def _add(r: random.Random) -> Problem:
    (n, p), it = r.choice(NAMES), r.choice(ITEMS)
    a, b = r.randint(2, 20), r.randint(2, 10)
    c = a + b
    q = f"{n} has {a} {it}. {p} gets {b} more {it}. How many {it} does {n} have now?"
    w = f"{n} starts with {a} {it}.\n{p} gets {b} more, so {a} + {b} = {c}.\n{n} has {c} {it} now."
    return Problem(q, f"{w}\n#### {c}", c)


def _sub(r: random.Random) -> Problem:
    (n, p), (m, _), it = r.choice(NAMES), r.choice(NAMES), r.choice(ITEMS)
    b, c = r.randint(2, 10), r.randint(1, 20)
    a = b + c
    q = f"{n} has {a} {it}. {p} gives {b} {it} to {m}. How many {it} does {n} have left?"
    w = f"{n} starts with {a} {it}.\n{p} gives away {b}, so {a} - {b} = {c}.\n{n} has {c} {it} left."
    return Problem(q, f"{w}\n#### {c}", c)


def _mul(r: random.Random) -> Problem:
    (n, _), it, bx = r.choice(NAMES), r.choice(ITEMS), r.choice(BOXES)
    a, b = r.randint(2, 9), r.randint(2, 9)
    c = a * b
    q = f"{n} buys {a} {bx} of {it}. Each of the {bx} has {b} {it}. How many {it} does {n} buy?"
    w = f"There are {a} {bx} with {b} {it} each.\nSo {a} * {b} = {c}.\n{n} buys {c} {it}."
    return Problem(q, f"{w}\n#### {c}", c)


def _div(r: random.Random) -> Problem:
    (n, p), it = r.choice(NAMES), r.choice(ITEMS)
    a, b = r.randint(2, 9), r.randint(2, 9)
    c = a * b
    q = f"{n} has {c} {it}. {p} shares them equally among {a} friends. How many {it} does each friend get?"
    w = f"{n} shares {c} {it} among {a} friends.\nSo {c} / {a} = {b}.\nEach friend gets {b} {it}."
    return Problem(q, f"{w}\n#### {b}", b)


def _mul_sub(r: random.Random) -> Problem:
    (n, p), it, bx = r.choice(NAMES), r.choice(ITEMS), r.choice(BOXES)
    a, b = r.randint(2, 9), r.randint(2, 9)
    x = a * b
    d = r.randint(1, min(x - 1, 10))
    y = x - d
    q = (f"{n} has {a} {bx} with {b} {it} in each. {p} eats {d} of the {it}. "
         f"How many {it} are left?")
    w = (f"First, {n} has {a} * {b} = {x} {it}.\n"
         f"Then {p.lower()} eats {d}, so {x} - {d} = {y}.\nThere are {y} {it} left.")
    return Problem(q, f"{w}\n#### {y}", y)


def _mul_add(r: random.Random) -> Problem:
    (n, p), it = r.choice(NAMES), r.choice(ITEMS)
    a, b, d = r.randint(2, 9), r.randint(2, 9), r.randint(2, 10)
    x = a * b
    y = x + d
    q = (f"{n} buys {a} {it} for {b} dollars each and a bag for {d} dollars. "
         f"How many dollars does {n} spend?")
    w = (f"The {it} cost {a} * {b} = {x} dollars.\n"
         f"With the bag, {p.lower()} spends {x} + {d} = {y} dollars.\n{n} spends {y} dollars.")
    return Problem(q, f"{w}\n#### {y}", y)


def _add_add(r: random.Random) -> Problem:
    (n, p), it = r.choice(NAMES), r.choice(ITEMS)
    a, b, d = r.randint(2, 10), r.randint(2, 10), r.randint(2, 10)
    x = a + b
    y = x + d
    q = (f"{n} picks {a} {it} on Monday, {b} {it} on Tuesday and {d} {it} on Wednesday. "
         f"How many {it} does {n} pick in total?")
    w = (f"On Monday and Tuesday {p.lower()} picks {a} + {b} = {x} {it}.\n"
         f"Adding Wednesday, {x} + {d} = {y}.\n{n} picks {y} {it} in total.")
    return Problem(q, f"{w}\n#### {y}", y)


def _add_sub(r: random.Random) -> Problem:
    (n, p), (m, _), it = r.choice(NAMES), r.choice(NAMES), r.choice(ITEMS)
    a, b = r.randint(2, 20), r.randint(2, 10)
    x = a + b
    d = r.randint(1, min(x - 1, 10))
    y = x - d
    q = (f"{n} has {a} {it} and finds {b} more. Then {p.lower()} gives {d} {it} to {m}. "
         f"How many {it} does {n} have now?")
    w = (f"After finding more, {n} has {a} + {b} = {x} {it}.\n"
         f"After giving {d} away, {x} - {d} = {y}.\n{n} has {y} {it} now.")
    return Problem(q, f"{w}\n#### {y}", y)


TEMPLATES: tuple[Callable[[random.Random], Problem], ...] = (
    _add, _sub, _mul, _div, _mul_sub, _mul_add, _add_add, _add_sub,
)


def split_of(question: str) -> Split:
    """Stable split assignment of a question (independent of PYTHONHASHSEED)."""
    h = int.from_bytes(hashlib.sha1(question.encode()).digest()[:4], "big")
    return "heldout" if h % HELDOUT_BUCKETS == 0 else "train"


def generate(seed: int, n: int, split: Split = "train") -> list[Problem]:
    """Return ``n`` problems of ``split``, deterministically from ``seed``."""
    rng = random.Random(f"speclens-tiny-corpus-{seed}")
    out: list[Problem] = []
    while len(out) < n:
        p = rng.choice(TEMPLATES)(rng)
        if split_of(p.question) == split:
            out.append(p)
    return out
