"""Training of the tiny Llama target and draft models (plain PyTorch on CPU).

Sequences are packed back to back into fixed-length chunks; batches are drawn
from a seeded ``torch.Generator`` so a given recipe always sees the same data
in the same order.  The draft can be distilled from the target: its loss is
``(1 - kd) * CE(data) + kd * KL(target || draft)``, which raises greedy
agreement (= draft acceptance) beyond what training on the data alone gives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F


def llama_config(vocab_size: int, ids: dict[str, int], *, hidden: int, layers: int,
                 heads: int, kv_heads: int, intermediate: int, max_pos: int):
    """A LlamaConfig vLLM loads as ``LlamaForCausalLM`` (float32 weights)."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        intermediate_size=intermediate,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=max_pos,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
        bos_token_id=ids["<|begin_of_text|>"],
        eos_token_id=ids["<|eot_id|>"],
        pad_token_id=ids["<|end_of_text|>"],
        architectures=["LlamaForCausalLM"],
        torch_dtype="float32",
    )


def pack(seqs: Sequence[Sequence[int]], seq_len: int) -> torch.Tensor:
    """Concatenate ``seqs`` and cut into rows of ``seq_len + 1`` tokens."""
    flat = torch.tensor([t for s in seqs for t in s], dtype=torch.long)
    rows = flat.numel() // (seq_len + 1)
    return flat[: rows * (seq_len + 1)].view(rows, seq_len + 1)


def batches(data: torch.Tensor, batch: int, steps: int, seed: int):
    """Yield ``steps`` batches, epoch by epoch in a seeded random order."""
    gen = torch.Generator().manual_seed(seed)
    order = torch.empty(0, dtype=torch.long)
    for _ in range(steps):
        if order.numel() < batch:
            order = torch.cat([order, torch.randperm(data.shape[0], generator=gen)])
        idx, order = order[:batch], order[batch:]
        yield data[idx]


def lr_at(step: int, steps: int, lr: float, warmup: int) -> float:
    """Linear warm-up, then cosine decay to 10% of ``lr``."""
    if step < warmup:
        return lr * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.45 * (1 + math.cos(math.pi * t)))


def make_optimizer(params, lr: float) -> torch.optim.Optimizer:
    decay = [p for p in params if p.requires_grad and p.dim() >= 2]
    other = [p for p in params if p.requires_grad and p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": other, "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.95),
    )


def run_steps(params, step_fn: Callable[[torch.Tensor], torch.Tensor], data: torch.Tensor, *,
              steps: int, batch: int, lr: float, seed: int, log: Callable[[str], None],
              name: str) -> dict:
    """Generic loop: ``step_fn(batch) -> loss``; AdamW, grad clip 1.0, schedule."""
    params = list(params)
    opt = make_optimizer(params, lr)
    warmup = max(1, steps // 20)
    t0, ema, done = time.perf_counter(), None, 0
    for step, xb in enumerate(batches(data, batch, steps, seed)):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, lr, warmup)
        loss = step_fn(xb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        v = loss.item()
        ema = v if ema is None else 0.95 * ema + 0.05 * v
        done = step + 1
        if done % 50 == 0 or done == steps:
            log(f"  {name} step {done}/{steps} loss {ema:.4f} ({time.perf_counter() - t0:.0f} s)")
    return {"steps": done, "final_loss_ema": round(ema, 4), "last_loss": round(v, 4),
            "seconds": round(time.perf_counter() - t0, 2)}


def train_lm(model, data: torch.Tensor, *, steps: int, batch: int, lr: float, seed: int,
             log: Callable[[str], None], name: str, teacher=None, kd: float = 0.0) -> dict:
    """Next-token training of an HF causal LM, optionally distilled from ``teacher``."""
    model.train()

    def step_fn(xb: torch.Tensor) -> torch.Tensor:
        inp, tgt = xb[:, :-1], xb[:, 1:]
        logits = model(input_ids=inp).logits
        loss = F.cross_entropy(logits.flatten(0, 1), tgt.flatten())
        if teacher is not None and kd > 0:
            with torch.no_grad():
                t_logp = F.log_softmax(teacher(input_ids=inp).logits, -1)
            s_logp = F.log_softmax(logits, -1)
            kl = F.kl_div(s_logp.flatten(0, 1), t_logp.flatten(0, 1), log_target=True,
                          reduction="batchmean")
            loss = (1 - kd) * loss + kd * kl
        return loss

    out = run_steps(model.parameters(), step_fn, data, steps=steps, batch=batch, lr=lr,
                    seed=seed, log=log, name=name)
    model.eval()
    return out


@torch.no_grad()
def eval_loss(model, data: torch.Tensor, rows: int = 32) -> float:
    xb = data[:rows]
    logits = model(input_ids=xb[:, :-1]).logits
    return round(F.cross_entropy(logits.flatten(0, 1), xb[:, 1:].flatten()).item(), 4)
