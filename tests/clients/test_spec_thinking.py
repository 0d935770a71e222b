"""Speculative thinking against the fake server: who generates which token, by hand."""

from __future__ import annotations

from speclens.clients import spec_thinking
from speclens.clients.problems import generated
from speclens.clients.spec_thinking_core import parse_triggers
from speclens.parsers.client_results import SpecThinkingResult, parse_client_result


def test_parse_triggers() -> None:
    assert parse_triggers("\\n\\n, wait,But") == ["\n\n", " wait", "But"]


def test_takeover_at_triggers(world, server, run_client) -> None:
    q = generated(0, 1)[0].question
    world.script("small", q, world.encode("Let", " me", " think", "\n\n", "C", " wait", "D", "\n#### 7"))
    world.script("large", q, world.encode("Let", " me", " think", "\n\n", "A", "B", "\n#### 7"))
    code, out = run_client(spec_thinking.main, "--small-url", server.url, "--large-url", server.url,
                           "--small-model", "small", "--large-model", "large", "--num-problems", "1",
                           "--num-runs", "2", "--takeover-tokens", "1", "--temperature", "0", "--max-tokens", "50")
    assert code == 0
    assert set(out) == {"client", "timestamp", "config", "large_model", "speculative_thinking", "comparison"}
    # spec: small "Let me think\n\n" (4, stops at the paragraph break) → large "A" (1) → small " wait" (1, trigger)
    #       → large seq[6] "\n#### 7" (1) → small seq[7] "\n#### 7", EOS (2): 9 tokens, 2 by the large model
    spec = out["speculative_thinking"]["results"][0]
    assert (spec["total_tokens"], spec["large_tokens"], spec["takeovers"]) == (9, 2, 2)
    assert spec["large_model_ratio"] == round(2 / 9, 4)
    large = out["large_model"]["results"][0]
    assert (large["total_tokens"], large["large_model_ratio"]) == (8, 1.0)  # 7 pieces + EOS, all large
    stats = out["speculative_thinking"]["statistics"]
    assert set(stats) == {"latency", "throughput", "total_tokens", "large_model_ratio"}
    assert set(stats["latency"]) == {"n", "mean", "median", "std", "min", "max"}
    assert stats["total_tokens"]["mean"] == 9 and stats["total_tokens"]["std"] == 0  # two identical runs
    assert out["comparison"]["large_model_reduction"] == round(1 - 2 / 9, 4)  # 1 − (2/9)/1
    assert out["comparison"]["speedup"] is not None and set(out["comparison"]) == {
        "speedup", "throughput_improvement", "large_model_reduction"}
    typed = parse_client_result("st.json", out)
    assert isinstance(typed, SpecThinkingResult) and typed.large_model_reduction == round(1 - 2 / 9, 4)


def test_large_only_leaves_comparison_null(world, server, run_client) -> None:
    q = generated(0, 1)[0].question
    world.script("small", q, world.encode("x"))
    world.script("large", q, world.encode("y"))
    code, out = run_client(spec_thinking.main, "--small-url", server.url, "--large-url", server.url,
                           "--small-model", "small", "--large-model", "large", "--num-problems", "1",
                           "--num-runs", "1", "--test-mode", "large")
    assert code == 0 and out["speculative_thinking"] is None
    assert out["comparison"] == {"speedup": None, "throughput_improvement": None, "large_model_reduction": None}


def test_more_triggers_than_vllm_accepts_is_a_usage_error(run_client, capsys) -> None:
    # five stop strings; vLLM 0.32 rejects more than VLLM_MAX_STOP_STRINGS = 4 per request
    code, _ = run_client(spec_thinking.main, "--small-url", "http://x", "--large-url", "http://y",
                         "--triggers", "\\n\\n, wait, Wait, but, But")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "at most 4 stop strings" in err[0]


def test_aime_offline_fails_fast(monkeypatch, run_client, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # refused at once
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    code, _ = run_client(spec_thinking.main, "--small-url", "http://x", "--large-url", "http://y", "--dataset", "aime")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "yentinglin/aime_2025" in err[0] and "not reachable" in err[0]
