"""The build stages of the tiny model pair, called by ``build.py``.

corpus -> tokenizer -> encode -> target -> draft -> eagle3 -> offline checks.
Each stage is timed and logged on one line; ``build_all`` returns the report
(timings, losses, parameter counts, teacher-forced greedy agreement).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import torch

from speclens.base import arithmetic as corpus
from speclens.launchers.tiny import eagle3, train
from speclens.launchers.tiny import tokenizer as tk

THREADS = 2


def _seed(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def _save_lm(model, tok, out: Path) -> None:
    from transformers import GenerationConfig

    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    ids = tk.special_ids(tok)
    GenerationConfig(bos_token_id=ids[tk.BOS], eos_token_id=[ids[tk.EOT], ids[tk.EOS_TEXT]],
                     pad_token_id=ids[tk.EOS_TEXT], do_sample=False).save_pretrained(out)


@torch.no_grad()
def greedy_agreement(draft, target, data: torch.Tensor) -> float:
    """Share of positions where draft and target argmax agree (teacher forced)."""
    inp = data[:, :-1]
    same = draft(input_ids=inp).logits.argmax(-1) == target(input_ids=inp).logits.argmax(-1)
    return round(same.float().mean().item(), 4)


def build_all(recipe: dict, out: Path, log: Callable[[str], None]) -> dict:
    torch.set_num_threads(THREADS)
    from transformers import LlamaForCausalLM

    times: dict[str, float] = {}
    t_all = time.perf_counter()
    clock = [time.perf_counter()]

    def stage(name: str) -> None:
        now = time.perf_counter()
        times[name] = round(now - clock[0], 2)
        clock[0] = now
        log(f"[tiny] stage {name}: {times[name]:.1f} s")

    seed, rc = recipe["seed"], recipe["corpus"]
    problems = corpus.generate(seed, rc["train_problems"], "train")
    heldout = corpus.generate(seed + 1, rc["heldout_eval_problems"], "heldout")
    stage("corpus")

    rt = recipe["tokenizer"]
    numbers = " ".join(str(n) for n in range(rt["number_tokens_upto"] + 1))
    texts = [p.question + "\n" + p.worked_answer for p in problems] + [numbers] * 4
    tok = tk.train_tokenizer(texts, rt["vocab_size"])
    multi = tk.multi_token_numbers(tok, rt["number_tokens_upto"])
    vocab = -(-len(tok) // 64) * 64  # embedding rows, padded to a multiple of 64
    ids = tk.special_ids(tok)
    stage("tokenizer")

    seq_len = recipe["data"]["seq_len"]
    data = train.pack(tk.encode_dialogs(tok, [(p.question, p.worked_answer) for p in problems]), seq_len)
    held = train.pack(tk.encode_dialogs(tok, [(p.question, p.worked_answer) for p in heldout]), seq_len)
    stage("encode")

    def lm(spec: dict):
        _seed(seed)
        cfg = train.llama_config(vocab, ids, hidden=spec["hidden"], layers=spec["layers"],
                                 heads=spec["heads"], kv_heads=spec["kv_heads"],
                                 intermediate=spec["intermediate"], max_pos=spec["max_pos"])
        return LlamaForCausalLM(cfg)

    rtg = recipe["target"]
    target = lm(rtg)
    tres = train.train_lm(target, data, steps=rtg["steps"], batch=rtg["batch"], lr=rtg["lr"],
                         seed=seed, log=log, name="target")
    target.requires_grad_(False)
    tres["heldout_loss"] = train.eval_loss(target, held)
    _save_lm(target, tok, out / "target")
    stage("target")

    rd = recipe["draft"]
    draft = lm(rd)
    dres = train.train_lm(draft, data, steps=rd["steps"], batch=rd["batch"], lr=rd["lr"],
                         seed=seed + 1, log=log, name="draft", teacher=target, kd=rd["kd"])
    dres["heldout_loss"] = train.eval_loss(draft, held)
    _save_lm(draft, tok, out / "draft")
    stage("draft")

    re3 = recipe["eagle3"]
    _seed(seed + 2)
    head = eagle3.Eagle3Head(target.config, n_aux=len(re3["aux_layer_ids"]))
    head.lm_head.weight.data.copy_(target.lm_head.weight)  # warm start, then trained
    layer_ids, steps = re3["aux_layer_ids"], re3["ttt_steps"]
    head.train()
    eres = train.run_steps(head.parameters(),
                           lambda xb: eagle3.ttt_loss(head, target, xb, layer_ids, steps),
                           data, steps=re3["steps"], batch=re3["batch"], lr=re3["lr"],
                           seed=seed + 2, log=log, name="eagle3")
    head.eval()
    eagle3.save(head, target.config, layer_ids, out / "eagle3")
    tok.save_pretrained(out / "eagle3")
    stage("eagle3")

    checks = {
        "draft_target_greedy_agreement": greedy_agreement(draft, target, held[:32]),
        "eagle3_target_agreement_per_step": eagle3.agreement(head, target, held[:16], layer_ids, steps),
    }
    stage("checks")

    def n_params(m) -> int:
        return sum(p.numel() for p in m.parameters())

    return {
        "stage_seconds": times,
        "total_seconds": round(time.perf_counter() - t_all, 2),
        "torch_threads": THREADS,
        "tokenizer": {"len": len(tok), "embedding_rows": vocab, "multi_token_numbers": multi},
        "data": {"train_rows": data.shape[0], "seq_len": seq_len,
                 "train_tokens": data.numel(), "heldout_rows": held.shape[0]},
        "params": {"target": n_params(target), "draft": n_params(draft), "eagle3": n_params(head)},
        "train": {"target": tres, "draft": dres, "eagle3": eres},
        "checks": checks,
        "versions": {p: version(p) for p in ("torch", "transformers", "tokenizers")},
    }
