"""The training-data file of the SpecLoRA workflow (`speclora collect-data` writes it, `speclora train`
reads it): JSON Lines, first a provenance record, then one sample per prompt.

    {"record": "provenance", "created": ISO-8601, "target_model": ..., "draft_model": ..., "server": URL,
     "prompts_source": ..., "seed": N, "max_tokens": N, "temperature": 0.0, "speclens_version": ...}
    {"record": "sample", "prompt": TEXT, "prompt_token_ids": [...], "completion": TEXT,
     "completion_token_ids": [...], "finish_reason": "stop"|"length", "draft_agreement": 0..1 | null,
     "draft_disagreements": N | null, "disagreement_positions": [...], "failure_case": bool,
     "spec_draft_tokens": N | null, "spec_accepted_tokens": N | null}

`completion_token_ids` are the target's greedy tokens as the server returned them (the training
labels); the disagreement fields compare them with the draft's own greedy choice at every
position under teacher forcing (see clients/speclora/collect.py). A sample is a failure case when
the draft disagrees at least once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from speclens.clients.common.cli import UsageError


@dataclass
class Sample:
    prompt: str
    prompt_token_ids: list[int]
    completion_token_ids: list[int]
    failure_case: bool


def read_samples(path: str) -> tuple[dict, list[Sample]]:
    """(provenance, samples) of a training-data file; UsageError with file:line on bad input."""
    provenance: dict = {}
    samples: list[Sample] = []
    try:
        with open(path, encoding="utf-8") as handle:
            lines = list(handle)
    except OSError as err:
        raise UsageError(f"{path}: cannot read training data ({err.strerror}); run `speclora collect-data` "
                         "first or pass --data FILE") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: expected UTF-8 JSON Lines written by `speclora collect-data`") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if rec.get("record") == "provenance":
                provenance = rec
                continue
            samples.append(Sample(str(rec["prompt"]), [int(t) for t in rec["prompt_token_ids"]],
                                  [int(t) for t in rec["completion_token_ids"]], bool(rec.get("failure_case"))))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as err:
            raise UsageError(f"{path}:{lineno}: expected a speclora collect-data JSON record with prompt, "
                             f"prompt_token_ids and completion_token_ids ({type(err).__name__}: {err})") from None
    usable = [s for s in samples if s.completion_token_ids]
    if not usable:
        raise UsageError(f"{path}: no samples with completion tokens; collect data with `speclora collect-data`")
    return provenance, usable
