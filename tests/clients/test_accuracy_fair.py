"""The GSM8K accuracy client measures honestly (issue 22): whether the diffusion knobs had an effect is
read from the server's vllm:diffusion_* counters (before and after the run), never assumed; the verbose
log prints no block count computed from the knobs; the server is warmed before the "before" scrape and
the first timed question, and the JSON says how many warm-up requests it got."""

from __future__ import annotations

import pytest
from speclens.clients.accuracy import cli as gsm8k_accuracy
from speclens.clients.common.http import OpenAIServer, ServerError
from speclens.clients.common.problems import generated
from speclens.clients.common.warmup import WARMUP_PROMPT
from speclens.parsers.client_results import AccuracyResult, parse_client_result

IGNORED = "no diffusion counters moved: the server ignored block_length/denoising_steps"


def _counters(steps: int, positions: int, committed: int) -> str:
    return (f'vllm:diffusion_num_denoising_steps_total{{engine="0"}} {steps}.0\n'
            f'vllm:diffusion_num_canvas_positions_total{{engine="0"}} {positions}.0\n'
            f'vllm:diffusion_num_committed_tokens_total{{engine="0"}} {committed}.0\n')


@pytest.fixture
def two_questions(world):
    problems = generated(0, 2)
    for p in problems:
        world.script("tiny", p.question, world.encode("Step one.", f"\n#### {p.answer}"))
    return ["--dataset", "generated", "--num-samples", "2", "--temperature", "0"]


def _scrapes(monkeypatch, world, texts: list[str]) -> None:
    """/metrics answers `texts` in turn; each scrape is logged in world.requests (the fake logs no GETs of /metrics)."""
    answers = iter(texts)

    async def metrics_text(self) -> str:
        world.requests.append({"path": "/metrics"})
        return next(answers)

    monkeypatch.setattr(OpenAIServer, "metrics_text", metrics_text)


def test_a_server_without_diffusion_counters_ignored_the_knobs(world, server, run_client, two_questions,
                                                               capsys) -> None:
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, *two_questions, "--block-length", "8",
                           "--denoising-steps", "3")
    assert code == 0
    knobs = out["diffusion_knobs"]
    assert knobs["requested"] == {"block_length": 8, "denoising_steps": 3} and knobs["applied"] is False
    assert knobs["evidence"].startswith(IGNORED) and "exports no vllm:diffusion_*" in knobs["evidence"]
    printed = capsys.readouterr().out
    assert "Diffusion knobs: block_length 8, denoising_steps 3 requested; applied: no (" + IGNORED in printed
    # the verbose log shows only what the server reported: no block count made up from the knobs
    # (before: "Total blocks: 2 (output tokens / block length 8, rounded up)" for 3 tokens... now absent)
    assert "Total blocks" not in printed and "[Generation] Total length: 3 tokens" in printed
    assert "[Denoising]" not in printed
    typed = parse_client_result("acc.json", out)
    assert isinstance(typed, AccuracyResult) and typed.diffusion_knobs.applied is False


def test_moving_diffusion_counters_record_the_effect(world, server, run_client, two_questions, monkeypatch,
                                                     capsys) -> None:
    _scrapes(monkeypatch, world, [_counters(10, 40, 8), _counters(34, 136, 56)])
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, *two_questions)
    assert code == 0
    # deltas: steps 34 − 10 = 24, positions 136 − 40 = 96, committed 56 − 8 = 48: the counters moved
    assert out["server_diffusion"]["denoising_steps"] == 24 and out["server_diffusion"]["committed_tokens"] == 48
    knobs = out["diffusion_knobs"]
    assert knobs["requested"] == {"block_length": 4, "denoising_steps": 4} and knobs["applied"] is True
    assert knobs["evidence"].startswith("diffusion counters moved")
    printed = capsys.readouterr().out
    assert "applied: yes (diffusion counters moved" in printed and "Total blocks" not in printed


def test_counters_that_stay_put_mean_no_effect(world, server, run_client, two_questions, monkeypatch) -> None:
    _scrapes(monkeypatch, world, [_counters(10, 40, 8), _counters(10, 40, 8)])
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, *two_questions)
    # deltas 10 − 10 = 0, 40 − 40 = 0, 8 − 8 = 0: nothing moved
    assert code == 0 and out["server_diffusion"]["committed_tokens"] == 0
    assert out["diffusion_knobs"]["applied"] is False and out["diffusion_knobs"]["evidence"].startswith(IGNORED)


def test_an_unreadable_metrics_endpoint_is_unknown_not_no(world, server, run_client, two_questions,
                                                          monkeypatch) -> None:
    async def metrics_text(self) -> str:
        raise ServerError("http://x/metrics: HTTP 404: not found")

    monkeypatch.setattr(OpenAIServer, "metrics_text", metrics_text)
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, *two_questions)
    assert code == 0 and out["diffusion_knobs"]["applied"] is None
    assert "could not tell" in out["diffusion_knobs"]["evidence"] and "HTTP 404" in out["diffusion_knobs"]["evidence"]


def test_knobs_not_sent_are_not_applied(world, server, run_client, two_questions) -> None:
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, *two_questions, "--no-diffusion-params")
    assert code == 0 and out["diffusion_knobs"]["applied"] is False
    assert out["diffusion_knobs"]["evidence"].startswith("not sent (--no-diffusion-params)")


def test_warm_ups_come_before_the_before_scrape_and_the_first_question(world, server, run_client, two_questions,
                                                                       monkeypatch) -> None:
    _scrapes(monkeypatch, world, [_counters(10, 40, 8), _counters(34, 136, 56)])
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, *two_questions, "--warmup", "3",
                           "--verbose", "false")
    assert code == 0 and out["config"]["warmup_requests"] == 3
    log = [r for r in world.requests if r["path"] != "/v1/models"]
    kinds = ["warmup" if r.get("prompt") == WARMUP_PROMPT else r["path"] for r in log]
    # 3 warm-ups, the before scrape, the 2 timed questions, the after scrape
    assert kinds == ["warmup"] * 3 + ["/metrics"] + ["/v1/chat/completions"] * 2 + ["/metrics"]


def test_warmup_zero_sends_none(world, server, run_client, two_questions) -> None:
    code, out = run_client(gsm8k_accuracy.main, "--url", server.url, *two_questions, "--warmup", "0",
                           "--verbose", "false")
    assert code == 0 and out["config"]["warmup_requests"] == 0
    assert not [r for r in world.requests if r.get("prompt") == WARMUP_PROMPT]


def test_a_file_without_the_new_fields_still_reads() -> None:
    old = {"client": "gsm8k_accuracy", "schema_version": 1, "config": {"block_length": 4},
           "metrics": {"correct": 1, "total": 2}, "results": []}
    typed = parse_client_result("old.json", old)
    assert typed.diffusion_knobs is None and typed.config.warmup_requests is None
