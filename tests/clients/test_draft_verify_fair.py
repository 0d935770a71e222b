"""Issue 22, the draft/verify benchmark measures fairly: warm servers before timing, an interval on the
measured speedup, a total_tokens that is what its definition says, tokens/round vs mean acceptance
length named apart, and answers that differ from the target alone's flagged. Hand arithmetic in comments."""

from __future__ import annotations

import json

import pytest
from speclens.clients.common.problems import generated
from speclens.clients.common.warmup import WARMUP_QUESTION
from speclens.clients.draft_verify import cli as dv
from speclens.clients.draft_verify import metrics as dm
from speclens.clients.draft_verify import speedup as dvs

from tests.clients.test_gsm8k_draft_verify import args, script_question

PIECES = ["So", " 3", " +", " 4", " = 7"]


def _tokenized(log: list[dict]) -> list[str]:
    """The question of each /tokenize request, in order (the start of a question's clock)."""
    return [json.dumps(r) for r in log if r["path"] == "/tokenize"]


def test_every_timed_path_is_warmed_before_the_first_timed_question(world, server, run_client) -> None:
    problems = generated(0, 2)
    for p in problems:
        script_question(world, p.question, p.answer, draft_wrong_at=None)
    code, out = run_client(dv.main, *args(server, "--num-samples", "2", "--baseline", "--warmup", "3"))
    assert code == 0 and out["config"]["warmup_questions"] == 3
    asked = _tokenized(world.requests)
    # 3 warm-ups x 3 timed paths (draft/verify, target alone, draft alone) first, then 2 questions x 3 paths
    assert [WARMUP_QUESTION in a for a in asked] == [True] * 9 + [False] * 6
    first_timed = next(n for n, r in enumerate(world.requests) if r["path"] == "/tokenize"
                       and WARMUP_QUESTION not in json.dumps(r))
    scored = [n for n, r in enumerate(world.requests) if r.get("prompt_logprobs")]  # the target's verification
    assert scored[0] < first_timed  # the verify path itself ran before any timed question
    assert len(out["results"]) == 2 and all(WARMUP_QUESTION not in r["question"] for r in out["results"])


def test_warmup_zero_sends_none(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    code, out = run_client(dv.main, *args(server, "--num-samples", "1", "--warmup", "0"))
    assert code == 0 and out["config"]["warmup_questions"] == 0
    assert not [a for a in _tokenized(world.requests) if WARMUP_QUESTION in a]


def _item(tokens: int, seconds: float) -> dm.ItemResult:
    return dm.ItemResult("q", None, "", None, False, tokens, 0, 0, 1, seconds)


def test_speedup_interval_hand_checked() -> None:
    spec = [_item(10, 1.0), _item(10, 1.0), _item(10, 2.0)]
    base = [_item(10, 2.0), _item(10, 2.0), _item(10, 2.0)]
    # speedup = (30 / 4) / (30 / 6) = 7.5 / 5 = 1.5
    # influence u = tokens/mean(tokens) − seconds/mean(seconds): spec 1 − (1, 1, 2)/(4/3) = (0.25, 0.25, −0.5),
    # base 1 − 2/2 = 0; paired d = (0.25, 0.25, −0.5), s²(d) = (0.0625 + 0.0625 + 0.25) / 2 = 0.1875,
    # Var = 0.1875 / 3 = 0.0625, se = 0.25; t(0.975, df 2) = 4.302653 → half = 1.075663
    # interval 1.5 · exp(∓1.075663) = 0.5116, 4.3979
    block = dvs.speedup_interval(spec, base)
    assert (block["ci_low"], block["ci_high"]) == (0.5116, 4.3979)
    assert block["note"] == "paired over 3 prompts" and "delta method" in block["formula"]
    assert dm.speedup(spec, base) == 1.5
    # two questions: the value stands, the interval is null with the reason
    short = dvs.speedup_interval(spec[:2], base[:2])
    assert short["ci_low"] is None and short["ci_high"] is None and "an interval needs 3" in short["note"]
    assert dvs.speedup_interval(spec, None) is None


def test_interval_in_the_json_and_on_the_console(world, server, run_client, capsys) -> None:
    problems = generated(0, 3)
    for p in problems:
        script_question(world, p.question, p.answer, draft_wrong_at=None)
    code, out = run_client(dv.main, *args(server, "--num-samples", "3", "--baseline"))
    assert code == 0
    ci = out["speedup_interval"]
    assert ci["note"] == "paired over 3 prompts" and ci["ci_low"] <= out["speedup"] <= ci["ci_high"]
    text = capsys.readouterr().out
    assert f"95% CI {ci['ci_low']:.2f}-{ci['ci_high']:.2f}x, paired over 3 prompts" in text
    code, out = run_client(dv.main, *args(server, "--num-samples", "3"), name="no_baseline.json")
    assert code == 0 and out["speedup_interval"] is None


def test_total_tokens_is_accepted_plus_target_tokens_per_question(world, server, run_client) -> None:
    problems = generated(0, 2)
    script_question(world, problems[0].question, problems[0].answer, draft_wrong_at=None)
    # q1: the draft says " more" where the target ends: the answer's EOS is the target's own token
    world.script("target", problems[1].question, world.encode(*PIECES, "\n#### 7"))
    world.script("draft", problems[1].question, world.encode(*PIECES, "\n#### 7", " more"))
    code, out = run_client(dv.main, *args(server, "--num-samples", "2", "--max-tokens", "64"))
    assert code == 0
    # q0: r1 accepts So 3 + 4 (+ target " = 7"), r2 drafts "#### 7", EOS, both accepted: EOS ends the
    #     answer inside the draft, the target's token after it is dropped → 6 + (2 − 1) = 7 tokens
    # q1: r1 as q0; r2 drafts "#### 7", " more", EOS: 1 accepted, the target's EOS → 5 + 2 = 7 tokens
    rows = [(r["draft_accepted"], r["rounds"], r["target_tokens"], r["tokens"]) for r in out["results"]]
    assert rows == [(6, 2, 1, 7), (5, 2, 2, 7)]
    assert all(r["tokens"] == r["draft_accepted"] + r["target_tokens"] for r in out["results"])
    assert out["summary"]["total_tokens"] == 14 == (6 + 5) + (1 + 2)
    assert "rounds − 1 when the answer ended on an accepted draft stop token" in out["definitions"]["total_tokens"]
    # max_tokens ends q0 at 5 tokens: r1 3 accepted + " 4"; r2 k = 0, the target's " = 7" → 3 + 2 = 5
    world.script("draft", problems[0].question, world.encode("So", " 3", " +", " 99", " = 7"))
    code, out = run_client(dv.main, *args(server, "--num-samples", "1", "--max-tokens", "5"), name="short.json")
    r = out["results"][0]
    assert (r["draft_accepted"], r["rounds"], r["target_tokens"], r["tokens"]) == (3, 2, 2, 5)


def test_draft_tokens_after_a_stop_token_are_not_counted(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    three = next(i for i, text in world.pieces.items() if text == " 3")
    code, out = run_client(dv.main, *args(server, "--num-samples", "1", "--stop-token-ids", str(three)))
    assert code == 0
    # the draft (which does not know the stop id) sends So 3 + 4; the answer ends at " 3": only So 3 are
    # proposed and accepted, the stop token ends the answer inside the draft → 2 + 0 target tokens, 1 round
    r = out["results"][0]
    assert (r["draft_generated"], r["draft_accepted"], r["rounds"], r["target_tokens"], r["tokens"]) == (2, 2, 1, 0, 2)


def test_tokens_per_round_and_mean_acceptance_length_are_named_apart(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    code, out = run_client(dv.main, *args(server, "--num-samples", "1"))
    s = out["summary"]
    # 7 tokens in 2 rounds = 3.5 tokens/round; 1 + 6 accepted / 2 rounds = 4.0 (counts the dropped token)
    assert (s["tokens_per_round"], s["mean_acceptance_length"]) == (3.5, 4.0)
    assert "speclens compare" in out["definitions"]["mean_acceptance_length"]


@pytest.fixture
def near_tie(world, monkeypatch):
    """The target alone answers question 2 differently from the target verifying drafts."""
    problems = generated(0, 3)
    for p in problems:
        script_question(world, p.question, p.answer, draft_wrong_at=None)
    original = dv.target_alone

    async def differing(s, problem):
        if problem.question == problems[1].question:
            world.script("target", problem.question, world.encode("So", " 3", " +", " 4", " = 8", "\n#### 8"))
        return await original(s, problem)

    monkeypatch.setattr(dv, "target_alone", differing)
    return problems


def test_answers_differing_from_the_target_alone_are_flagged(world, server, run_client, capsys, near_tie) -> None:
    code, out = run_client(dv.main, *args(server, "--num-samples", "3", "--baseline"))
    assert code == 0
    assert [r["matches_target_alone"] for r in out["results"]] == [True, False, True]
    assert out["summary"]["outputs_differing_from_target_alone"] == 1
    assert ("   ⚠ 1 of 3 answers differ from the target alone's at temperature 0 (first: question 2; "
            "a near-tie in the target's logits, or a bug)") in capsys.readouterr().out.splitlines()


def test_without_baseline_nothing_is_compared(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    code, out = run_client(dv.main, *args(server, "--num-samples", "1"))
    assert out["summary"]["outputs_differing_from_target_alone"] is None
    assert out["results"][0]["matches_target_alone"] is None
