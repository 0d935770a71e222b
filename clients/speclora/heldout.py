"""Benchmark prompts the adapter was not trained on.

Two guards. (1) Defaults: `collect-data` draws generated prompts with --seed 0 and `benchmark-suite`
with --seed 1, two disjoint sets (checked: seed 1's first 10 share none of seed 0's first 50).
(2) Whatever the prompts (a -f file shared with collect-data, an equal --seed), each one is
compared with the adapter's training prompts, text normalised (whitespace collapsed, case folded):
`overlap` counts the benchmark prompts found there, before anything is dropped. They are dropped
unless --allow-train-overlap (measuring on training prompts on purpose); either way a non-zero
overlap prints one warning line on stderr.

The adapter's training prompts: `speclora train` records `training_prompts_sha256` (hashes of the
normalised prompts of every sample, training and held-out split) in the checkpoints directory's
training_summary.json, next to the adapter's step-NNNNNN/; summaries of older versions name the
`data` file instead, read when it still exists. Without either the overlap is unknown (null).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from speclens.clients.common.cli import UsageError

SUMMARY = "training_summary.json"


def prompt_hash(text: str) -> str:
    """sha256 (16 hex chars) of the prompt with whitespace collapsed and case folded."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()[:16]


def training_prompts(adapter: Path) -> tuple[set[str] | None, str | None]:
    """(hashes of the adapter's training prompts, where they were read) or (None, None) when unknown."""
    for summary_path in (adapter / SUMMARY, adapter.parent / SUMMARY):
        try:
            summary = json.loads(summary_path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(summary.get("training_prompts_sha256"), list):
            return set(summary["training_prompts_sha256"]), f"{summary_path} (training_prompts_sha256)"
        data = summary.get("data")
        if isinstance(data, str) and os.path.isfile(data):
            from speclens.clients.speclora.data import read_samples

            _, samples = read_samples(data)
            return {prompt_hash(s.prompt) for s in samples}, data
    return None, None


def select(prompts: list[str], adapter: Path | None, allow_overlap: bool, warn: bool) -> tuple[list[str], dict]:
    """The prompts to benchmark (training prompts dropped unless `allow_overlap`) and the metadata
    that says what was found; one warning on stderr when `warn` and the overlap is above zero."""
    if adapter is None:
        return prompts, {"training_prompt_overlap": None, "training_prompts_dropped": 0,
                         "training_prompts_source": None}
    seen, source = training_prompts(adapter)
    if seen is None:
        return prompts, {"training_prompt_overlap": None, "training_prompts_dropped": 0,
                         "training_prompts_source": f"unknown: no {SUMMARY} with training prompts beside {adapter}"}
    overlapping = [p for p in prompts if prompt_hash(p) in seen]
    kept = prompts if allow_overlap else [p for p in prompts if prompt_hash(p) not in seen]
    if overlapping and warn:
        what = "kept (--allow-train-overlap)" if allow_overlap else "dropped (--allow-train-overlap keeps them)"
        sys.stderr.write(f"speclora benchmark-suite: warning: {len(overlapping)} of {len(prompts)} benchmark prompts "
                         f"are in the adapter's training data ({source}); {what}\n")
    if not kept:
        raise UsageError(f"all {len(prompts)} benchmark prompts are in the adapter's training data ({source}); "
                         "pass prompts the adapter was not trained on (-f FILE, --seed N), or --allow-train-overlap")
    return kept, {"training_prompt_overlap": len(overlapping), "training_prompts_dropped": len(prompts) - len(kept),
                  "training_prompts_source": source}


def how_chosen(prompts_file: str | None, limit: int | None, seed: int, allow_overlap: bool) -> str:
    """`prompt_selection` in the metadata: where the prompts came from and what was done about training prompts."""
    source = f"prompts file {prompts_file}" if prompts_file else \
        f"generated held-out arithmetic, seed {seed} (collect-data's default is seed 0)"
    sample = f", seeded sample of {limit} (seed {seed})" if limit and prompts_file else ""
    rule = "training prompts kept (--allow-train-overlap)" if allow_overlap else "training prompts dropped"
    return f"{source}{sample}; {rule}"
