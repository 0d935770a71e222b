"""EAGLE-3 head for the tiny target: PyTorch twin of vLLM 0.32's
``Eagle3LlamaForCausalLM`` (vllm/model_executor/models/llama_eagle3.py),
distillation from the target, and export in the layout vLLM loads.

What vLLM does with the head (method "eagle3"), mirrored here exactly:
  * the target returns the pre-norm residual stream after ``k`` layers for every
    ``k`` in ``eagle_aux_hidden_state_layer_ids`` (``k = 0`` is the embedding,
    ``k = n_layers`` the last layer's output); ``fc`` maps their concatenation
    to ``hidden``;
  * drafting step 0 at position ``i`` sees ``fc(aux_i)`` and the embedding of
    token ``i + 1`` (the target's embedding is shared when the checkpoint has no
    ``embed_tokens``) and predicts token ``i + 2``;
  * step ``s > 0`` feeds back the head's own pre-norm output and the token it
    just drafted, at position ``i + s``; its attention sees the step-0 keys of
    positions ``<= i`` plus the keys this chain wrote at steps ``1..s``.
Training unrolls ``ttt_steps`` such steps ("training-time test") and minimises
KL(target || head) at each, so greedy drafts match the target's greedy tokens.

Checkpoint: ``fc.weight``, ``midlayer.{hidden_norm,input_layernorm,
post_attention_layernorm}.weight``, ``midlayer.self_attn.{q,k,v,o}_proj.weight``,
``midlayer.mlp.{gate,up,down}_proj.weight``, ``norm.weight``, ``lm_head.weight``.
No ``d2t``/``t2d``: ``draft_vocab_size == vocab_size`` so vLLM needs no mapping.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(dim)), eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x: torch.Tensor, pos: torch.Tensor, theta: float) -> torch.Tensor:
    """Neox-style rotary embedding of x [B, H, T, D] at positions pos [T]."""
    d = x.shape[-1]
    inv = 1.0 / theta ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
    ang = pos.float()[:, None] * inv[None, :]
    cos, sin = torch.cat([ang, ang], -1).cos(), torch.cat([ang, ang], -1).sin()
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


class Eagle3Head(nn.Module):
    def __init__(self, cfg, n_aux: int):
        super().__init__()
        h, nh, nkv = cfg.hidden_size, cfg.num_attention_heads, cfg.num_key_value_heads
        self.nh, self.nkv, self.hd = nh, nkv, h // nh
        self.theta = float(cfg.rope_parameters["rope_theta"])
        eps = cfg.rms_norm_eps
        self.fc = nn.Linear(n_aux * h, h, bias=False)
        self.hidden_norm, self.input_layernorm = RMSNorm(h, eps), RMSNorm(h, eps)
        self.post_attention_layernorm, self.norm = RMSNorm(h, eps), RMSNorm(h, eps)
        self.q_proj = nn.Linear(2 * h, nh * self.hd, bias=False)
        self.k_proj = nn.Linear(2 * h, nkv * self.hd, bias=False)
        self.v_proj = nn.Linear(2 * h, nkv * self.hd, bias=False)
        self.o_proj = nn.Linear(nh * self.hd, h, bias=False)
        self.gate_proj = nn.Linear(h, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(h, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, h, bias=False)
        self.lm_head = nn.Linear(h, cfg.vocab_size, bias=False)

    def _heads(self, t: torch.Tensor, n: int) -> torch.Tensor:
        b, s, _ = t.shape
        t = t.view(b, s, n, self.hd).transpose(1, 2)
        return t.repeat_interleave(self.nh // n, dim=1) if n != self.nh else t

    def unroll(self, aux: torch.Tensor, embed: nn.Embedding, tokens: torch.Tensor,
               steps: int) -> list[torch.Tensor]:
        """Logits of every drafting step; ``logits[s][:, i]`` predicts token i+2+s."""
        b, t = tokens.shape
        hidden, keys, vals, out = self.fc(aux), [], [], []
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        for s in range(steps):
            nxt = F.pad(tokens[:, 1 + s:], (0, 1 + s))  # token fed to chain i
            pos = torch.arange(t) + s
            residual = hidden
            x = torch.cat([self.input_layernorm(embed(nxt)), self.hidden_norm(hidden)], -1)
            q = rope(self._heads(self.q_proj(x), self.nh), pos, self.theta)
            keys.append(rope(self._heads(self.k_proj(x), self.nkv), pos, self.theta))
            vals.append(self._heads(self.v_proj(x), self.nkv))
            scale = self.hd ** -0.5
            s0 = (q @ keys[0].transpose(-1, -2) * scale).masked_fill(~causal, float("-inf"))
            diag = [(q * k).sum(-1, keepdim=True) * scale for k in keys[1:]]
            p = torch.cat([s0, *diag], -1).softmax(-1)
            att = p[..., :t] @ vals[0]
            for r, v in enumerate(vals[1:]):
                att = att + p[..., t + r: t + r + 1] * v
            att = att.transpose(1, 2).reshape(b, t, -1)
            residual = self.o_proj(att) + residual
            x = self.post_attention_layernorm(residual)
            residual = self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x)) + residual
            out.append(self.lm_head(self.norm(residual)))
            hidden = residual  # vLLM feeds the pre-norm output to the next step
        return out


def target_features(target, tokens: torch.Tensor, layer_ids: list[int]):
    """Aux hidden states (concatenated) and logits of the HF target model."""
    caught: dict[int, torch.Tensor] = {}
    hooks = [target.model.embed_tokens.register_forward_hook(
        lambda m, i, o: caught.__setitem__(0, o))]
    for k, layer in enumerate(target.model.layers):
        hooks.append(layer.register_forward_hook(
            lambda m, i, o, k=k: caught.__setitem__(k + 1, o[0] if isinstance(o, tuple) else o)))
    try:
        logits = target(input_ids=tokens).logits
    finally:
        for h in hooks:
            h.remove()
    return torch.cat([caught[k] for k in layer_ids], -1), logits


def ttt_loss(head: Eagle3Head, target, tokens: torch.Tensor, layer_ids: list[int],
             steps: int, decay: float = 0.8) -> torch.Tensor:
    with torch.no_grad():
        aux, logits = target_features(target, tokens, layer_ids)
    t = tokens.shape[1]
    total, norm = 0.0, 0.0
    for s, lg in enumerate(head.unroll(aux, target.model.embed_tokens, tokens, steps)):
        n = t - 1 - s  # chains whose label position i+1+s exists
        teacher = F.log_softmax(logits[:, 1 + s:], -1)
        student = F.log_softmax(lg[:, :n], -1)
        kl = F.kl_div(student.flatten(0, 1), teacher.flatten(0, 1), log_target=True,
                      reduction="batchmean")
        total, norm = total + decay**s * kl, norm + decay**s
    return total / norm


@torch.no_grad()
def agreement(head: Eagle3Head, target, tokens: torch.Tensor, layer_ids: list[int],
              steps: int) -> list[float]:
    """Per-step top-1 agreement with the target (teacher-forced chains)."""
    aux, logits = target_features(target, tokens, layer_ids)
    t, out = tokens.shape[1], []
    for s, lg in enumerate(head.unroll(aux, target.model.embed_tokens, tokens, steps)):
        n = t - 1 - s
        out.append(round((lg[:, :n].argmax(-1) == logits[:, 1 + s:].argmax(-1)).float().mean().item(), 4))
    return out


def save(head: Eagle3Head, target_cfg, layer_ids: list[int], out: Path) -> None:
    from safetensors.torch import save_file

    sd = head.state_dict()
    mid = {"hidden_norm", "input_layernorm", "post_attention_layernorm"}
    names = {}
    for k in sd:
        root = k.split(".")[0]
        if root in mid:
            names[k] = f"midlayer.{k}"
        elif root in {"q_proj", "k_proj", "v_proj", "o_proj"}:
            names[k] = f"midlayer.self_attn.{k}"
        elif root in {"gate_proj", "up_proj", "down_proj"}:
            names[k] = f"midlayer.mlp.{k}"
        else:
            names[k] = k  # fc, norm, lm_head
    out.mkdir(parents=True, exist_ok=True)
    save_file({names[k]: v.contiguous() for k, v in sd.items()}, str(out / "model.safetensors"))
    cfg = target_cfg.to_dict()
    cfg.update(architectures=["LlamaForCausalLMEagle3"], num_hidden_layers=1,
               draft_vocab_size=target_cfg.vocab_size, target_hidden_size=target_cfg.hidden_size,
               eagle_config={"eagle_aux_hidden_state_layer_ids": list(layer_ids),
                             "use_aux_hidden_state": True})
    cfg.pop("transformers_version", None)
    (out / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
