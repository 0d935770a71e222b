"""The GSM8K client (the SDAR benchmark's console and JSON) against the fake server, on a small
local GSM8K-shaped file and on generated problems."""

from __future__ import annotations

import io
import json

import pytest
from huggingface_hub import constants as hub_constants
from speclens.clients.accuracy import cli as gsm8k_accuracy
from speclens.clients.accuracy import console as view
from speclens.clients.common.http import OpenAIServer
from speclens.clients.common.problems import generated

ROWS = [("Janet has 3 apples and buys 4 more. How many apples?", "3 + 4 = <<3+4=7>>7\n#### 7"),
        ("A box holds 12 eggs. How many eggs are in 2 boxes?", "12 * 2 = 24\n#### 24"),
        ("Tom had $1,200 and spent $200. How much is left?", "1200 - 200 = 1000\n#### 1,000"),
        ("A cat sleeps 3 hours twice. Hours asleep?", "3 * 2 = 6\n#### 6")]


@pytest.fixture
def gsm_file(tmp_path, world):
    path = tmp_path / "gsm8k_test.jsonl"
    path.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in ROWS), encoding="utf-8")
    # right, wrong, right ("1,000" = "1000"), wrong
    for (q, _), said in zip(ROWS, ["7", "25", "1000", "5"], strict=True):
        world.script("tiny", q, world.encode("Let me solve this step by step.", f"\n#### {said}"))
    return str(path)


def test_seed_json_shape_and_request_parameters(world, server, run_client, gsm_file, capsys) -> None:
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", gsm_file, "--verbose", "false")
    assert code == 0
    assert set(out) == {"client", "schema_version", "config", "metrics", "results", "server_diffusion",
                        "server_diffusion_unavailable", "diffusion_knobs"}
    assert {k: out["config"][k] for k in ("model_name", "block_length", "denoising_steps", "temperature",
                                          "remasking_strategy", "confidence_threshold", "max_gen_length")} == {
        "model_name": "tiny", "block_length": 4, "denoising_steps": 4, "temperature": 1.0,
        "remasking_strategy": "low_confidence_dynamic", "confidence_threshold": 0.85, "max_gen_length": 512}
    assert set(out["config"]["not_sent"]) == {"confidence_threshold", "remasking_strategy"}
    # 2 right of 4: accuracy 0.5, percentage with two decimals as the seed prints it
    m = out["metrics"]
    assert (m["accuracy"], m["correct"], m["total"], m["percentage"]) == (0.5, 2, 4, "50.00%")
    row = out["results"][2]
    assert (row["idx"], row["predicted_answer"], row["correct"], row["ground_truth"]) == (2, "1000", True, ROWS[2][1])
    for key in ("question", "generated_text", "generation_time", "tokens_per_second"):
        assert key in row
    chats = [r for r in world.requests if r["path"] == "/v1/chat/completions"]
    # temperature 1.0: seeded per question (seed 0 + index); the diffusion knobs as vLLM's request parameters
    assert [r["seed"] for r in chats] == [0, 1, 2, 3]
    assert all(r["vllm_xargs"] == {"diffusion_canvas_length": 4, "diffusion_max_steps": 4} for r in chats)
    assert out["server_diffusion"] is None and "no vllm:diffusion_*" in out["server_diffusion_unavailable"]
    printed = capsys.readouterr().out
    assert printed.count("Not sent: ") == 2  # said once each, before the run
    assert "Example 1/4" not in printed and "Accuracy: 50.00% (2/4)" in printed and "FINAL RESULTS" in printed


def test_first_n_unless_a_sample_seed_and_no_diffusion_params(world, server, run_client, gsm_file) -> None:
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", gsm_file, "--num-samples", "2",
                           "--no-diffusion-params", "--temperature", "0", "--verbose", "false")
    assert code == 0 and [r["question"] for r in out["results"]] == [ROWS[0][0], ROWS[1][0]]
    chats = [r for r in world.requests if r["path"] == "/v1/chat/completions"]
    assert all("vllm_xargs" not in r and "seed" not in r for r in chats) and out["config"]["request_vllm_xargs"] == {}
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", gsm_file, "--num-samples", "2",
                           "--sample-seed", "7", "--verbose", "false", name="sampled.json")
    # problems.sample: random.Random(7).sample(range(4), 2), kept in dataset order
    import random

    keep = sorted(random.Random(7).sample(range(4), 2))
    assert code == 0 and [r["question"] for r in out["results"]] == [ROWS[i][0] for i in keep]


def test_verbose_logs_and_server_diffusion_counters(world, server, run_client, gsm_file, capsys, monkeypatch) -> None:
    def counters(steps: int, positions: int, committed: int) -> str:
        return (f'vllm:diffusion_num_denoising_steps_total{{engine="0"}} {steps}.0\n'
                f'vllm:diffusion_num_canvas_positions_total{{engine="0"}} {positions}.0\n'
                f'vllm:diffusion_num_committed_tokens_total{{engine="0"}} {committed}.0\n')

    scrapes = iter([counters(10, 40, 8), counters(34, 136, 56)])

    async def metrics_text(self) -> str:
        return next(scrapes)

    real_chat = OpenAIServer.chat

    async def chat(self, body: dict) -> dict:
        reply = await real_chat(self, body)
        reply["metrics"] = {"speculative_decoding": {"num_spec_steps": 6, "num_draft_tokens": 24,
                                                     "num_accepted_draft_tokens": 12, "per_step_accepted": [0, 4, 0, 4, 0, 4]}}
        return reply

    monkeypatch.setattr(OpenAIServer, "metrics_text", metrics_text)
    monkeypatch.setattr(OpenAIServer, "chat", chat)
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", gsm_file, "--num-samples", "1")
    assert code == 0
    # deltas: committed 56 − 8 = 48, steps 34 − 10 = 24, positions 136 − 40 = 96; 48 / 24 = 2.0, 96 / 48 = 2.0
    assert {k: out["server_diffusion"][k] for k in ("committed_tokens", "denoising_steps", "canvas_positions",
                                                    "committed_per_step", "steps_per_canvas")} == {
        "committed_tokens": 48, "denoising_steps": 24, "canvas_positions": 96, "committed_per_step": 2.0,
        "steps_per_canvas": 2.0}
    from speclens.analyzers.compare.row import summarize_client

    row = summarize_client("acc.json", out)  # speclens compare re-reads it: the counters become the row's note
    assert row.accuracy == 1.0 and row.notes == [
        "diffusion (server /metrics delta): committed/step 2.000, steps/canvas 2.000, committed tokens 48",
        "diffusion knobs block_length 4, denoising_steps 4 requested; applied: yes (diffusion counters moved: the "
        "server decoded by diffusion with the requested block_length/denoising_steps (sent as vllm_xargs))"]
    assert out["results"][0]["server_denoising"] == {"denoising_steps": 6, "canvas_positions": 24, "committed_tokens": 12,
                                                     "per_step_committed": [0, 4, 0, 4, 0, 4]}
    printed = capsys.readouterr().out
    for text in ("Example 1/1", f"Question: {ROWS[0][0]}", "[Denoising] server: 6 denoising steps, 12 tokens committed",
                 "[Generation] Total length: 3 tokens", "Predicted: 7", "Ground Truth: 7", "Correct: ✓",
                 "Tokens committed per denoising step: 2.00", "Server: exports vllm:diffusion_* counters"):
        assert text in printed, text


def test_progress_line_and_plain_lines() -> None:
    # tqdm's meter: 56 of 124 after 83 s, 29 right: 45% (45.2), bar 56/124·80 = 36 eighths = 4 full + ▌,
    # remaining 68 / (56/83) = 100.8 s -> 01:40 (tqdm truncates), 56/83 = 0.67 q/s (width 5),
    # 29/56 = 51.8%, 83/56 = 1.5 s/q
    assert view.progress_line(56, 124, 83.0, 29) == (
        "GSM8K Eval:  45%|████▌     | 56/124 [01:23<01:40,  0.67q/s] Acc: 51.8% | 1.5s/q")
    assert view.progress_line(0, 10, 0.0, 0) == "GSM8K Eval:   0%|          | 0/10 [00:00<?, ?q/s] Acc: n/a | n/a s/q"
    stream = io.StringIO()  # not a terminal: one plain line per 5% (total 40: every 2 questions)
    progress = view.Progress(40, stream)
    for done in range(1, 41):
        progress.update(done, done)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 20 and "\r" not in stream.getvalue() and lines[-1].startswith("GSM8K Eval: 100%|██████████| 40/40")


def test_generated_problems_and_an_existing_output(world, server, run_client, tmp_path, capsys) -> None:
    problems = generated(3, 2)
    for p in problems:
        world.script("tiny", p.question, world.encode(f"#### {p.answer}"))
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", "generated", "--num-samples", "2",
                           "--seed", "3", "--temperature", "0", "--verbose", "false")
    assert code == 0 and out["metrics"]["correct"] == 2
    before = (tmp_path / "out.json").read_text()
    capsys.readouterr()
    code, _ = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", "generated", "--num-samples", "2")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "already exists" in err[0] and (tmp_path / "out.json").read_text() == before


def test_bad_dataset_file_and_flags_are_one_line(tmp_path, run_client, capsys) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "answer": "#### 1"}\n{"question": 3}\n', encoding="utf-8")
    code, out = run_client(gsm8k_accuracy.main, "--url", "http://127.0.0.1:9", "--dataset", str(bad))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and f"{bad}:2: expected an object with string" in err[0]
    with pytest.raises(SystemExit) as exit_:
        gsm8k_accuracy.main(["--verbose", "maybe"])
    assert exit_.value.code == 2 and "expected true or false" in capsys.readouterr().err


def test_offline_hub_fails_fast_with_one_line(monkeypatch, run_client, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: refused at once
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)  # base.hub reads this constant, not the env
    code, out = run_client(gsm8k_accuracy.main, "--url", "http://127.0.0.1:9")  # gsm8k is the default dataset
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "not reachable" in err[0]


def test_api_key_sent_as_bearer(world, server, run_client, monkeypatch) -> None:
    world.required_key = "k123"
    p = generated(0, 1)[0]
    world.script("tiny", p.question, world.encode("#### 1"))
    monkeypatch.setenv("VLLM_API_KEY", "k123")
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", "generated", "--num-samples", "1")
    assert code == 0 and "k123" not in str(out)


def test_server_error_and_unexpected_answers_are_one_line(world, server, run_client, capsys) -> None:
    world.answers["tiny"] = {}  # no script for the question: the fake fails with HTTP 500
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", "generated", "--num-samples", "1")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "HTTP 500" in err[0]
    world.broken = True  # 200 OK without "choices"
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, "--dataset", "generated", "--num-samples", "1")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out is None and len(err) == 1 and "unexpected answer shape" in err[0]
