"""A Hugging Face hub cache laid out by hand, as huggingface_hub itself writes it
(`<cache>/datasets--ORG--NAME/{blobs/<sha256>, refs/main, snapshots/<commit>/<path> -> ../../blobs/<sha256>}`),
holding a small `RedHatAI/speculator_benchmarks`-shaped dataset: one .jsonl per subset, each record
with a `prompt` column (the column speculators' scripts/evaluate maps: `column_mappings.text_column=prompt`)
and, as the real subsets differ, one subset whose prompt lives under another name."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO = "RedHatAI/speculator_benchmarks"
PROMPTS = {
    "HumanEval.jsonl": [{"prompt": "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n", "task_id": "HumanEval/0"}],
    "math_reasoning.jsonl": [{"prompt": f"Ben has {a} beads and finds {b} more. How many beads does he have?"}
                             for a, b in ((7, 7), (12, 7), (30, 4), (5, 9), (21, 3), (8, 8), (14, 6), (40, 2))],
    "qa.jsonl": [{"prompt": "What is the capital of France?"}],
    "summarization.jsonl": [{"prompt": "Summarize: Leo has 3 apples and eats one."}],
    "writing.jsonl": [{"instruction": "Write two sentences about the sea.", "id": 1}],
}


def lay_out(cache: Path, repo: str = REPO, files: dict[str, list[dict]] | None = None) -> Path:
    """Writes the dataset into the hub cache at `cache` (use as HF_HUB_CACHE); returns its snapshot folder."""
    root = cache / f"datasets--{repo.replace('/', '--')}"
    snapshot = root / "snapshots" / COMMIT
    (root / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for name, records in (files or PROMPTS).items():
        data = "".join(json.dumps(r) + "\n" for r in records).encode()
        blob = root / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(blob, link.parent), link)
    (root / "refs").mkdir(exist_ok=True)
    (root / "refs" / "main").write_text(COMMIT)
    return snapshot
