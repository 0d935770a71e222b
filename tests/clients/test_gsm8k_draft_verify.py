"""The draft/verify client against the fake server; numbers computed by hand in comments."""

from __future__ import annotations

import json
import re

import pytest
from aiohttp import web
from speclens.clients.draft_verify import cli as gsm8k_draft_verify
from speclens.clients.common.cli import UsageError
from speclens.clients.common.problems import generated

from tests.clients import fake_server


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
    assert list(out) == ["client", "schema_version", "config", "summary", "definitions", "results", "baseline",
                         "draft_alone", "speedup", "speedup_interval", "expected_speedup"]
    assert set(out["definitions"]) >= set(out["summary"])  # every summary key says its formula
    # both alone runs generate the same 7-token answer (6 pieces + EOS) in one request each
    assert out["baseline"]["summary"]["total_tokens"] == 7 and out["draft_alone"]["summary"]["total_tokens"] == 7
    assert out["speedup"] > 0
    e = out["expected_speedup"]
    # acceptance = draft_efficiency = 6/6 = 1.0, so expected = 1 + 1.0 × (sd − st) / st = sd / st
    assert e["acceptance"] == out["summary"]["draft_efficiency"] == 1.0
    assert e["speed_target"] == out["baseline"]["summary"]["pooled_speed"]
    assert e["speed_draft"] == out["draft_alone"]["summary"]["pooled_speed"]
    assert abs(e["value"] - e["speed_draft"] / e["speed_target"]) < 1e-3  # JSON speeds are rounded to 3 decimals
    assert "sekrit" not in json.dumps(out)


def test_without_baseline_speeds_and_both_speedups_are_null(world, server, run_client, capsys) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1"))
    assert code == 0 and out["speedup"] is None and "baseline" not in out and "draft_alone" not in out
    e = out["expected_speedup"]
    assert (e["speed_draft"], e["speed_target"], e["draft_speed_ratio"], e["value"]) == (None, None, None, None)
    assert e["acceptance"] == 1.0  # measured all the same: 6/6
    text = capsys.readouterr().out
    assert "measured: n/a; expected (benchmark_gsm8k.py's formula): n/a (pass --baseline" in text and "None" not in text


def test_console_lines_per_question_and_the_seeds_summary_block(world, server, run_client, capsys) -> None:
    problems = generated(0, 3)
    script_question(world, problems[0].question, problems[0].answer, draft_wrong_at=None)
    script_question(world, problems[1].question, problems[1].answer, draft_wrong_at=3)
    script_question(world, problems[2].question, "999", draft_wrong_at=0)
    code, _ = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "3", "--max-tokens", "64"))
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    # per question (counts as in test_full_answer_...): 6/6 in 2 rounds, 6/7 in 2, 5/9 in 3; q2 answers 999
    speed = r"\d+\.\d tokens/sec"
    assert re.fullmatch(rf"Question 1/3: acceptance 100\.0% \(6/6\), {speed}, 2 rounds, correct \({problems[0].answer}\)",
                        lines[0])
    assert re.fullmatch(rf"Question 2/3: acceptance 85\.7% \(6/7\), {speed}, 2 rounds, correct \(.+\)", lines[1])
    assert re.fullmatch(rf"Question 3/3: acceptance 55\.6% \(5/9\), {speed}, 3 rounds, "
                        rf"wrong \(answered 999, expected {problems[2].answer}\)", lines[2])
    block = lines[lines.index("📈 Overall Performance:"):]
    # mean over questions (1 + 6/7 + 5/9) / 3 = 0.8042 → 80.4%; pooled 17/22 = 0.7727 → 77.3%; tokens 3 × 7 = 21
    assert block[1:5] == ["   Average Acceptance Rate: 80.4% (mean over questions)", "   Total Tokens Generated: 21",
                          "   Total Draft Generated: 22", "   Total Draft Accepted: 17"]
    assert block[5] == "   Overall Acceptance: 77.3% (pooled: accepted / generated draft tokens)"
    assert re.fullmatch(r"   Average Speed: \d+\.\d tokens/sec \(mean over questions; pooled \d+\.\d\)", block[6])
    # 2 + 2 + 3 rounds, 21 / 7
    assert block[7] == "   Total Speculation Rounds: 7 (3.00 tokens/round = answer tokens / rounds)"
    # 1 + 17 accepted / 7 rounds = 3.43: each answer ended on the draft's accepted EOS (3 dropped target tokens)
    assert block[8].startswith("   Mean Acceptance Length: 3.43 (1 + accepted / rounds, as speclens compare shows")
    dist = block[block.index("📉 Acceptance Rate Distribution:") + 1:][:3]
    # 0.556 Medium, 0.857 High, 1.0 Very High (100% is in the last bucket); one of 3 each = 33.3%
    assert dist == ["   Medium (50-75%): 1 questions (33.3%)", "   High (75-90%): 1 questions (33.3%)",
                    "   Very High (90-100%): 1 questions (33.3%)"]


def test_server_host_port_is_the_target_and_conflicts_with_target_url(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    host_port = server.url.removeprefix("http://")
    code, out = run_client(gsm8k_draft_verify.main, "--draft-url", server.url, "--server", host_port,
                           "--num-samples", "1")
    assert code == 0 and out["config"]["target_url"] == f"http://{host_port}"
    with pytest.raises(SystemExit) as info:  # argparse: not allowed with argument
        gsm8k_draft_verify.main(["--server", host_port, "--target-url", server.url])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        gsm8k_draft_verify.main(["--server", "localhost:port"])


def test_strategy_from_the_launchers_variable(world, server, run_client, monkeypatch, capsys) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    monkeypatch.setenv("SPECLENS_STRATEGY", "probabilistic")
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1"))
    assert code == 0 and (out["config"]["strategy"], out["config"]["strategy_from"]) == \
        ("probabilistic", "SPECLENS_STRATEGY")
    assert "at temperature 0 verifies greedily" in capsys.readouterr().err
    code, out = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1", "--strategy",
                                                          "deterministic", "--overwrite"))
    assert (out["config"]["strategy"], out["config"]["strategy_from"]) == ("deterministic", "--strategy")
    monkeypatch.setenv("SPECLENS_STRATEGY", "greedy")
    code, _ = run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1", "--overwrite"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [("python -m speclens.clients.gsm8k_draft_verify: error: SPECLENS_STRATEGY='greedy': "
                                  "expected one of deterministic, probabilistic")]


def test_use_hf_takes_the_first_n_and_samples_only_when_asked(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(gsm8k_draft_verify, "gsm8k", lambda n, seed: calls.append((n, seed)) or [])
    parser = gsm8k_draft_verify.build_parser()
    gsm8k_draft_verify.load_problems(parser.parse_args(["--use-hf", "--num-samples", "3"]))
    gsm8k_draft_verify.load_problems(parser.parse_args(["--use-hf", "--num-samples", "3", "--sample", "--seed", "7"]))
    assert calls == [(3, None), (3, 7)]  # problems.gsm8k: no seed = the first n, a seed = a seeded sample
    assert parser.parse_args(["--use-hf"]).dataset == "gsm8k"
    with pytest.raises(UsageError, match="--sample draws from GSM8K"):
        gsm8k_draft_verify.load_problems(parser.parse_args(["--sample"]))


def test_dataset_file_first_n_or_a_seeded_sample(tmp_path) -> None:
    path = tmp_path / "gsm8k.jsonl"
    path.write_text("".join(json.dumps({"question": f"q{i}", "answer": f"#### {i}"}) + "\n" for i in range(6)))
    parser = gsm8k_draft_verify.build_parser()
    first = gsm8k_draft_verify.load_problems(parser.parse_args(["--dataset-file", str(path), "--num-samples", "3"]))
    assert [(q.question, q.answer) for q in first] == [("q0", "0"), ("q1", "1"), ("q2", "2")]
    drawn = gsm8k_draft_verify.load_problems(parser.parse_args(["--dataset-file", str(path), "--num-samples", "3",
                                                                "--sample", "--seed", "7"]))
    # random.Random(7).sample(range(6), 3) = [2, 1, 3] → in file order q1, q2, q3
    assert [q.question for q in drawn] == ["q1", "q2", "q3"]


def test_missing_draft_server_is_one_line(world, server, run_client, monkeypatch, capsys) -> None:
    monkeypatch.delenv("SPECLENS_DRAFT_URL", raising=False)
    code, out = run_client(gsm8k_draft_verify.main, "--server", server.url, "--num-samples", "1")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "no draft server: pass --draft-url" in err[0]


def test_config_names_the_loaded_models_not_the_served_aliases(world, run_client, monkeypatch) -> None:
    """vLLM's /v1/models lists {"id": served name, "root": loaded model}; the fake gets a root here."""

    @web.middleware
    async def with_root(request, handler):
        response = await handler(request)
        if request.path == "/v1/models":
            data = json.loads(response.body)
            for card in data["data"]:
                card["root"] = f"org/{card['id']}-350m"
            return web.json_response(data)
        return response

    plain_app = fake_server.make_app

    def make_app_with_root(w):
        app = plain_app(w)
        app.middlewares.append(with_root)
        return app

    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    monkeypatch.setattr(fake_server, "make_app", make_app_with_root)
    with fake_server.FakeServer(world) as srv:
        code, out = run_client(gsm8k_draft_verify.main, "--draft-url", srv.url, "--server", srv.url,
                               "--draft-model", "org/draft-350m", "--target-model", "target", "--num-samples", "1")
        assert code == 0
        c = out["config"]
        assert (c["draft_model"], c["draft_served_model"]) == ("org/draft-350m", "draft")  # given as the root
        assert (c["target_model"], c["target_served_model"]) == ("org/target-350m", "target")  # given as the id
        assert all(r["model"] in ("draft", "target") for r in world.requests if "model" in r)  # requests: the ids
        code, _ = run_client(gsm8k_draft_verify.main, "--draft-url", srv.url, "--server", srv.url,
                             "--draft-model", "facebook/opt-125m", "--num-samples", "1", "--overwrite")
        assert code == 2


def test_verify_request_uses_prompt_logprobs_and_one_token(world, server, run_client) -> None:
    p = generated(0, 1)[0]
    script_question(world, p.question, p.answer, draft_wrong_at=None)
    run_client(gsm8k_draft_verify.main, *args(server, "--num-samples", "1", "--top-n", "5"))
    verify = [r for r in world.requests if r["path"] == "/v1/completions" and r["model"] == "target"
              and isinstance(r["prompt"], list)]  # not the warm-up's text prompt
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
