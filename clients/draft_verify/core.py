"""Verification of one client-side draft against the target's scores (pure functions, no I/O).

Inputs come from two vLLM responses: the draft server's completion (the k drafted token ids and,
for the probabilistic strategy, the top-N log-probabilities at each drafted position) and the
target's completion over context+draft with `prompt_logprobs=N` and `max_tokens=1` (the top-N
log-probabilities at every draft position, the rank of each entry, and one generated token after
the whole draft: the bonus token).

deterministic: accept the longest prefix where each draft token is the target's rank-1 token;
the next token is the target's rank-1 token at the first disagreement, or the bonus token when
all k agree. At temperature 0 the output is token-for-token the target's greedy output.

probabilistic (speculative sampling, Leviathan et al. 2023): accept draft token x with
probability min(1, p(x)/q(x)); at the first rejection draw the next token from
norm(max(0, p − q)); after k acceptances the bonus token (sampled by the target) follows.
What the top-N limit approximates: vLLM returns at most N (= --max-logprobs, default 20)
log-probabilities per position, computed from the raw logits (logprobs_mode=raw_logprobs).
p and q are rebuilt as softmax(logprob / T) over the entries of rank ≤ N, i.e. exactly the
temperature-T distribution truncated to its top N tokens. The client therefore asks both servers
to sample with the same temperature T and top_k=N, and then the scheme is exact for that
truncated target distribution: the output follows the target at temperature T with top-k=N,
not the untruncated target (the dropped tail is the mass outside the top N tokens).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scored:
    """One position's top-N distribution: token id → (raw log-probability, rank; 1 = best)."""

    entries: dict[int, tuple[float, int]]
    names: dict[int, str] = field(default_factory=dict)

    def top_token(self) -> int:
        """The rank-1 token (highest log-probability when no entry has rank 1)."""
        for token, (_, rank) in self.entries.items():
            if rank == 1:
                return token
        return max(self.entries, key=lambda t: self.entries[t][0])

    def probabilities(self, temperature: float, top_n: int) -> dict[int, float]:
        """softmax(logprob / T) over the entries of rank ≤ top_n."""
        kept = {t: lp for t, (lp, rank) in self.entries.items() if rank <= top_n}
        if not kept:
            return {}
        peak = max(kept.values())
        weights = {t: math.exp((lp - peak) / temperature) for t, lp in kept.items()}
        total = sum(weights.values())
        return {t: w / total for t, w in weights.items()}


def parse_prompt_logprobs(raw: list) -> list[Scored | None]:
    """vLLM's `choices[0].prompt_logprobs` (a list of {token_id: {logprob, rank, decoded_token}}
    or None, one per prompt token) as `Scored` positions."""
    out: list[Scored | None] = []
    for position in raw:
        if position is None:
            out.append(None)
            continue
        entries = {int(t): (float(v["logprob"]), int(v["rank"]) if v.get("rank") is not None else 10**9)
                   for t, v in position.items()}
        out.append(Scored(entries, {int(t): str(v.get("decoded_token") or "") for t, v in position.items()}))
    return out


def parse_top_logprobs(raw: list) -> list[Scored]:
    """`choices[0].logprobs.top_logprobs` requested with return_tokens_as_token_ids (keys are
    "token_id:123"); rank is the order by log-probability, 1 = best."""
    out = []
    for position in raw:
        items = sorted(((int(k.rsplit(":", 1)[1]), float(v)) for k, v in (position or {}).items()),
                       key=lambda kv: -kv[1])
        out.append(Scored({t: (lp, i + 1) for i, (t, lp) in enumerate(items)}))
    return out


def verify_greedy(draft: list[int], target: list[Scored], bonus: int) -> tuple[int, int]:
    """(accepted, next token): longest prefix matching the target's rank-1 tokens, then the
    target's own token. E.g. draft [5, 6, 7, 8] with target tops [5, 6, 7, 9] → (3, 9)."""
    for i, token in enumerate(draft):
        top = target[i].top_token()
        if token != top:
            return i, top
    return len(draft), bonus


def verify_sampling(draft: list[int], draft_dists: list[Scored], target: list[Scored], bonus: int,
                    temperature: float, top_n: int, rng: random.Random) -> tuple[int, int]:
    """(accepted, next token) by rejection sampling on the top-N distributions (see module doc).
    A uniform draw u accepts x when u < p(x)/q(x). At temperature 0 this is `verify_greedy`."""
    if temperature <= 0:
        return verify_greedy(draft, target, bonus)
    for i, token in enumerate(draft):
        p = target[i].probabilities(temperature, top_n)
        q = draft_dists[i].probabilities(temperature, top_n)
        p_x, q_x = p.get(token, 0.0), q.get(token, 0.0)
        if q_x > 0 and rng.random() < min(1.0, p_x / q_x):
            continue
        return i, _draw_residual(p, q, rng, fallback=target[i].top_token())
    return len(draft), bonus


def _draw_residual(p: dict[int, float], q: dict[int, float], rng: random.Random, fallback: int) -> int:
    """A draw from norm(max(0, p − q)); `fallback` when the residual is empty (p == q)."""
    residual = sorted((t, pv - q.get(t, 0.0)) for t, pv in p.items() if pv > q.get(t, 0.0))
    total = sum(w for _, w in residual)
    if total <= 0:
        return fallback
    u = rng.random() * total
    for token, weight in residual:
        u -= weight
        if u < 0:
            return token
    return residual[-1][0]
