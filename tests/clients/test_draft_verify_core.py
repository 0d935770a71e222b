"""The verification rules on hand-made distributions."""

from __future__ import annotations

import math
import random

from speclens.clients.draft_verify.core import (
    Scored,
    parse_prompt_logprobs,
    parse_top_logprobs,
    verify_greedy,
    verify_sampling,
)


def top(token: int, other: int | None = None) -> Scored:
    entries = {token: (-0.1, 1)}
    if other is not None:
        entries[other] = (-3.0, 2)
    return Scored(entries)


def test_greedy_accepts_longest_agreeing_prefix_then_target_token() -> None:
    # draft 5 6 7 8, target tops 5 6 7 9: three agree, the fourth is replaced by 9
    assert verify_greedy([5, 6, 7, 8], [top(5), top(6), top(7), top(9, 8)], bonus=42) == (3, 9)


def test_greedy_full_acceptance_takes_the_bonus_token() -> None:
    assert verify_greedy([5, 6], [top(5), top(6)], bonus=42) == (2, 42)


def test_greedy_first_token_rejected() -> None:
    assert verify_greedy([8, 6], [top(5, 8), top(6)], bonus=42) == (0, 5)


def test_probabilities_softmax_over_top_n_at_temperature() -> None:
    s = Scored({1: (math.log(0.6), 1), 2: (math.log(0.3), 2), 3: (math.log(0.1), 3)})
    # T=1, top 2: 0.6/(0.6+0.3) = 2/3, 0.3/0.9 = 1/3
    p = s.probabilities(1.0, 2)
    assert math.isclose(p[1], 2 / 3) and math.isclose(p[2], 1 / 3) and 3 not in p
    # T=0.5 squares the weights: 0.36, 0.09, 0.01 → 0.36/0.46
    assert math.isclose(s.probabilities(0.5, 3)[1], 0.36 / 0.46)


class FixedDraws(random.Random):
    def __init__(self, draws: list[float]) -> None:
        super().__init__(0)
        self.draws = list(draws)

    def random(self) -> float:
        return self.draws.pop(0)


def test_sampling_accepts_when_draw_below_ratio_and_resamples_residual() -> None:
    # position 0: p(5)=0.8, q(5)=0.5 → ratio ≥ 1, accepted for any draw
    # position 1: p(6)=0.2, q(6)=0.8 → ratio 0.25; draw 0.5 rejects
    # residual max(0, p − q): token 7: 0.8 − 0.2 = 0.6, token 6: 0 → always 7
    t = [Scored({5: (math.log(0.8), 1), 9: (math.log(0.2), 2)}), Scored({7: (math.log(0.8), 1), 6: (math.log(0.2), 2)})]
    d = [Scored({5: (math.log(0.5), 1), 9: (math.log(0.5), 2)}), Scored({6: (math.log(0.8), 1), 7: (math.log(0.2), 2)})]
    assert verify_sampling([5, 6], d, t, 42, 1.0, 20, FixedDraws([0.99, 0.5, 0.3])) == (1, 7)
    # the same position 1 with draw 0.2 < 0.25 is accepted, so both pass and the bonus follows
    assert verify_sampling([5, 6], d, t, 42, 1.0, 20, FixedDraws([0.99, 0.2])) == (2, 42)


def test_sampling_at_temperature_zero_is_greedy() -> None:
    assert verify_sampling([5, 8], [], [top(5), top(9, 8)], 42, 0.0, 20, random.Random(0)) == (1, 9)


def test_parse_vllm_shapes() -> None:
    raw = [None, {"17": {"logprob": -0.5, "rank": 1, "decoded_token": "a"},
                  "3": {"logprob": -2.0, "rank": 4, "decoded_token": "</s>"}}]
    parsed = parse_prompt_logprobs(raw)
    assert parsed[0] is None and parsed[1].entries == {17: (-0.5, 1), 3: (-2.0, 4)} and parsed[1].names[3] == "</s>"
    tops = parse_top_logprobs([{"token_id:4": -1.0, "token_id:9": -0.2}])
    assert tops[0].entries == {9: (-0.2, 1), 4: (-1.0, 2)}
