"""The accuracy client against the fake server."""

from __future__ import annotations

from speclens.clients import gsm8k_accuracy
from speclens.clients.problems import generated


def test_accuracy_and_json_shape(world, server, run_client) -> None:
    problems = generated(3, 4)
    answers = [problems[0].answer, "0", f"{problems[2].answer}.0", "1,0"]  # right, wrong, right (18.0 = 18), wrong
    for p, a in zip(problems, answers):
        world.script("tiny", p.question, world.encode("Think.", f"\n#### {a}"))
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--num-samples", "4", "--seed", "3",
                           "--max-tokens", "32")
    assert code == 0
    assert set(out) == {"client", "config", "metrics", "results"}
    m = out["metrics"]
    assert (m["accuracy"], m["correct"], m["total"]) == (0.5, 2, 4)  # 2 right of 4
    row = out["results"][0]
    for key in ("question", "ground_truth", "generated_text", "predicted_answer", "correct", "generation_time",
                "tokens_per_second"):
        assert key in row
    assert row["generated_text"] == f"Think.\n#### {problems[0].answer}" and row["completion_tokens"] == 3  # 2 + EOS
    assert out["config"]["model_name"] == "tiny"  # discovered from GET /v1/models
    assert [r["correct"] for r in out["results"]] == [True, False, True, False]


def test_offline_hub_fails_fast_with_one_line(monkeypatch, run_client, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: refused at once
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    code, out = run_client(gsm8k_accuracy.main, "--url", "http://127.0.0.1:9", "--dataset", "gsm8k")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "not reachable" in err[0]


def test_api_key_sent_as_bearer(world, server, run_client, monkeypatch) -> None:
    world.required_key = "k123"
    p = generated(0, 1)[0]
    world.script("tiny", p.question, world.encode("#### 1"))
    monkeypatch.setenv("VLLM_API_KEY", "k123")
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--num-samples", "1")
    assert code == 0 and "k123" not in str(out)


def test_server_error_and_unexpected_answers_are_one_line(world, server, run_client, capsys) -> None:
    world.answers["tiny"] = {}  # no script for the question: the fake fails with HTTP 500
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--num-samples", "1")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "HTTP 500" in err[0]
    world.broken = True  # 200 OK without "choices"
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--num-samples", "1")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "unexpected answer shape" in err[0]
