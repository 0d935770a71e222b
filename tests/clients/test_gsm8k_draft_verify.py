"""The draft/verify client against the fake server; numbers computed by hand in comments."""

from __future__ import annotations

import json

from speclens.clients import gsm8k_draft_verify
from speclens.clients.problems import generated


def script_question(world, question: str, answer: str, draft_wrong_at: int | None) -> None:
    pieces = ["So", " 3", " +", " 4", " = 7", f"\n#### {answer}"]
    world.script("target", question, world.encode(*pieces))
    if draft_wrong_at is not None:
        pieces[draft_wrong_at] = " 99"
    world.script("draft", question, world.encode(*pieces))


def args(server, *extra: str) -> list[str]:
    return ["--draft-url", server.url, "--target-url", server.url, "--draft-model", "draft",
            "--target-model", "target", "-k", "4", *extra]


def test_four_drafted_three_agree(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=3)
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1", "--max-tokens", "5"))
    assert code == 0
    # round 1: draft So 3 + 99; target agrees on 3, replaces 99 by " 4" → 4 tokens
    # round 2: 1 token left → k = min(4, 5 - 4 - 1) = 0, the target alone adds " = 7" → 5 tokens
    s = out["summary"]
    assert (s["total_tokens"], s["total_draft_generated"], s["total_draft_accepted"]) == (5, 4, 3)
    assert s["avg_acceptance_rate"] == 0.75 and s["draft_efficiency"] == 0.75  # 3/4
    assert s["speculation_rounds"] == 2 and s["tokens_per_round"] == 2.5  # 5 tokens / 2 rounds
    assert s["acceptance_distribution"]["75_90"]["count"] == 1  # 0.75 is in [0.75, 0.9)
    assert out["results"][0]["generated_text"] == "So 3 + 4 = 7"


def test_full_answer_per_item_average_vs_pooled_and_buckets(world, server, run_client) -> None:
    problems = generated(0, 3)
    script_question(world, problems[0].question, problems[0].answer, draft_wrong_at=None)
    script_question(world, problems[1].question, problems[1].answer, draft_wrong_at=3)
    script_question(world, problems[2].question, "999", draft_wrong_at=0)  # a wrong final answer
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "3", "--max-tokens", "64"))
    assert code == 0
    # answer = 6 pieces + EOS = 7 tokens. k = 4.
    # q0 all agree: round 1 accepts 4 (+bonus " = 7"), round 2 drafts "####", EOS (2), accepts both → 6/6, 2 rounds
    # q1 wrong at 3: round 1 accepts 3 (+" 4"), round 2 drafts " = 7", "####", EOS (3) all accepted → 6/7, 2 rounds
    # q2 wrong at 0: round 1 accepts 0 (+"So"), round 2 drafts " 3"," +"," 4"," = 7" (4) + bonus "####",
    #    round 3 drafts EOS (1) accepted → 5/9, 3 rounds
    rows = out["results"]
    assert [(r["draft_accepted"], r["draft_generated"], r["rounds"], r["tokens"]) for r in rows] == \
        [(6, 6, 2, 7), (6, 7, 2, 7), (5, 9, 3, 7)]
    s = out["summary"]
    # per-item average (1 + 6/7 + 5/9) / 3 = 0.80423; pooled 17/22 = 0.77273
    assert s["avg_acceptance_rate"] == round((1 + 6 / 7 + 5 / 9) / 3, 4) == 0.8042
    assert s["draft_efficiency"] == round(17 / 22, 4) == 0.7727
    dist = {k: v["count"] for k, v in s["acceptance_distribution"].items()}
    assert dist == {"lt_50": 0, "50_75": 1, "75_90": 1, "90_100": 1, "n_a": 0}  # 0.556, 0.857, 1.0
    assert [r["correct"] for r in rows] == [True, True, False]
    assert s["accuracy"] == round(2 / 3, 4)


def test_json_shape_exactly_as_users_know_it(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1", "--baseline",
                                                          "--api-key", "sekrit"))
    assert code == 0
    assert list(out["config"])[:5] == ["draft_model", "target_model", "num_samples", "max_tokens", "temperature"]
    assert list(out["summary"])[:5] == ["avg_acceptance_rate", "avg_speed", "total_tokens",
                                        "total_draft_generated", "total_draft_accepted"]
    assert set(out) == {"client", "config", "summary", "results", "baseline", "speedup"}
    assert out["baseline"]["summary"]["total_tokens"] == 7 and out["speedup"] > 0
    assert "sekrit" not in json.dumps(out)


def test_verify_request_uses_prompt_logprobs_and_one_token(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1", "--top-n", "5"))
    verify = [r for r in world.requests if r["path"] == "/v1/completions" and r["model"] == "target"]
    assert verify and all(r["max_tokens"] == 1 and r["prompt_logprobs"] == 5 for r in verify)


def test_existing_output_is_refused_without_overwrite(world, server, run_client, tmp_path, capsys) -> None:
    (tmp_path / "out.json").write_text("{}")
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1"))
    assert code == 2 and out == {}
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0]


def test_unreachable_server_is_one_line_exit_2(run_client, capsys) -> None:
    code, _ = run_client(gsm8k_draft_verify.main, "--draft-url", "http://127.0.0.1:9", "--target-url",
                         "http://127.0.0.1:9", "--num-samples", "1")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "cannot connect" in err[0]


def test_probabilistic_needs_the_drafts_logprobs(world, server, run_client, capsys) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)  # the fake returns no top_logprobs
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1", "--strategy", "probabilistic",
                                                          "--temperature", "0.7"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "no top logprobs" in err[0]
