"""`speclora train`: a LoRA adapter on the draft model, distilled toward the target's greedy outputs
(sequence-level distillation: cross-entropy on the target's completion tokens, prompt tokens
masked), with peft. Seeded: same data, config and seed -> same adapter.

Held-out split: a seeded `heldout_fraction` of the samples (at least 1 when there are 5 or more).
Every `eval_every` steps and at the end a checkpoint `step-NNNNNN/` is saved with its
`trainer_state.json`: train loss (mean over the steps since the previous checkpoint), held-out loss
(token-pooled cross-entropy) and held-out agreement = Σ positions where the draft's greedy token
equals the target's / Σ completion positions, under teacher forcing (the acceptance proxy: a
greedy draft token is accepted exactly when it equals the target's). Aliases (symlinks in the
checkpoints directory): `latest` = the newest checkpoint, `final` = the last step's, `best` = the
highest held-out agreement (ties: lower held-out loss; without a held-out split: lowest train loss).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from speclens.clients.speclora import adapters
from speclens.clients.common.cli import UsageError, make_progress
from speclens.clients.speclora.data import Sample, read_samples
from speclens.clients.speclora.heldout import prompt_hash

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    """The `[train]` section of a speclora TOML config; flags override it."""

    rank: int = 8
    alpha: int = 16
    dropout: float = 0.0
    lr: float = 1e-3
    steps: int = 100
    batch: int = 8
    eval_every: int = 25
    heldout_fraction: float = 0.1
    seed: int = 0
    threads: int = 1  # torch CPU threads (CPU only): 1 is fastest on a shared 2-core machine

    @classmethod
    def load(cls, path: str | None, overrides: dict) -> TrainConfig:
        values: dict = {}
        if path:
            import tomllib

            try:
                with open(path, "rb") as handle:
                    values = dict(tomllib.load(handle).get("train", {}))
            except (OSError, tomllib.TOMLDecodeError) as err:
                raise UsageError(f"{path}: expected a TOML file with a [train] section ({err})") from None
            unknown = set(values) - {f.name for f in fields(cls)}
            if unknown:
                raise UsageError(f"{path}: unknown [train] keys {sorted(unknown)}; known: "
                                 f"{[f.name for f in fields(cls)]}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        cfg = cls(**values)
        for f in fields(cls):
            value, kind = getattr(cfg, f.name), type(f.default)
            if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else kind) \
                    or value < 0 or (value == 0 and f.name not in ("dropout", "heldout_fraction", "seed")):
                where = f"{path}: [train] {f.name}" if f.name not in overrides or overrides[f.name] is None \
                    else "--" + f.name.replace("_", "-")
                raise UsageError(f"{where} must be a positive {kind.__name__}, not {value!r}")
        return cfg


def split(samples: list[Sample], fraction: float, seed: int) -> tuple[list[Sample], list[Sample]]:
    order = list(range(len(samples)))
    random.Random(seed).shuffle(order)
    n_held = max(1, round(fraction * len(samples))) if len(samples) >= 5 and fraction > 0 else 0
    held = sorted(order[:n_held])
    return [s for i, s in enumerate(samples) if i not in set(held)], [samples[i] for i in held]


def _batch(samples: list[Sample], pad_id: int):
    import torch

    seqs = [s.prompt_token_ids + s.completion_token_ids for s in samples]
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    labels = torch.full((len(seqs), width), -100, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for row, (s, seq) in enumerate(zip(samples, seqs)):
        ids[row, :len(seq)] = torch.tensor(seq)
        mask[row, :len(seq)] = 1
        labels[row, len(s.prompt_token_ids):len(seq)] = torch.tensor(s.completion_token_ids)
    return ids, mask, labels


def evaluate(model, samples: list[Sample], pad_id: int) -> tuple[float | None, float | None, int]:
    """(held-out loss, held-out agreement, positions) pooled over completion tokens; None without samples."""
    import torch
    import torch.nn.functional as F

    if not samples:
        return None, None, 0
    model.eval()
    loss_sum, agree, count = 0.0, 0, 0
    with torch.no_grad():
        for start in range(0, len(samples), 8):
            ids, mask, labels = (t.to(model.device) for t in _batch(samples[start:start + 8], pad_id))
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
            target = labels[:, 1:]
            keep = target != -100
            loss_sum += F.cross_entropy(logits[keep], target[keep], reduction="sum").item()
            agree += int((logits.argmax(-1)[keep] == target[keep]).sum())
            count += int(keep.sum())
    model.train()
    return loss_sum / count, agree / count, count


def train(data: str, draft: str, checkpoints: Path, cfg: TrainConfig, overwrite: bool) -> dict:
    """Train, save checkpoints and aliases under `checkpoints`; returns the summary it also writes to
    `checkpoints/training_summary.json`."""
    provenance, samples = read_samples(data)
    adapters.prepare_dir(checkpoints, overwrite)
    try:
        import torch
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM
    except ImportError as err:
        raise UsageError(f"training needs torch, transformers and peft ({err.name} is not installed); "
                         "run ./setup.sh (it installs them with the serving stack)") from None
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    train_set, held = split(samples, cfg.heldout_fraction, cfg.seed)
    base = AutoModelForCausalLM.from_pretrained(draft, dtype=torch.float32)
    pad_id = base.config.pad_token_id if base.config.pad_token_id is not None else 0
    lora = LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout, target_modules=ALL_LINEAR,
                      task_type="CAUSAL_LM")
    model = get_peft_model(base, lora).to(device)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    rng = random.Random(cfg.seed)
    base_loss, base_agreement, positions = evaluate(model, held, pad_id)
    started, window, states = time.perf_counter(), [], []
    log = sys.stderr.write
    log(f"speclora train: {len(train_set)} training / {len(held)} held-out samples, draft {draft}"
        f"; before training: held-out agreement {_fmt(base_agreement)}, "
        f"loss {_fmt(base_loss)}\n")
    with make_progress() as progress:
        task = progress.add_task("train", total=cfg.steps, status="")
        for step in range(1, cfg.steps + 1):
            chunk = rng.sample(train_set, min(cfg.batch, len(train_set)))
            ids, mask, labels = (t.to(device) for t in _batch(chunk, pad_id))
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            window.append(loss.item())
            progress.update(task, advance=1, status=f"loss {loss.item():.4f}")
            if step % cfg.eval_every == 0 or step == cfg.steps:
                h_loss, h_agree, _ = evaluate(model, held, pad_id)
                state = {"step": step, "train_loss": round(sum(window) / len(window), 4),
                         "heldout_loss": _round(h_loss), "heldout_agreement": _round(h_agree),
                         "seconds": round(time.perf_counter() - started, 2)}
                window = []
                adapters.save_checkpoint(model, checkpoints, state)
                states.append(state)
                log(f"  step {step}/{cfg.steps}: train loss {state['train_loss']}, held-out loss "
                    f"{_fmt(state['heldout_loss'])}, held-out agreement {_fmt(state['heldout_agreement'])}\n")
    best = adapters.finish(checkpoints, states)
    summary = {"data": os.path.abspath(data), "data_provenance": provenance, "draft_model": draft, "config": asdict(cfg),
               "num_train_samples": len(train_set), "num_heldout_samples": len(held),
               "heldout_positions": positions, "heldout_before": {"loss": _round(base_loss),
                                                                 "agreement": _round(base_agreement)},
               "seconds": round(time.perf_counter() - started, 2), "final_train_loss": states[-1]["train_loss"],
               "checkpoints": states, "aliases": {"best": best, "final": states[-1]["step"],
                                                  "latest": states[-1]["step"]},
               "best_by": "heldout_agreement" if held else "train_loss",
               "training_prompts_sha256": sorted({prompt_hash(s.prompt) for s in samples})}  # heldout.py
    (checkpoints / "training_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
