"""The speculative-thinking benchmark's command line against the scripted fake pair: the seed's JSON
shape and console summary, accuracy, time-outs, config and task files, and the re-read record."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from huggingface_hub import constants as hub_constants
from speclens.analyzers.client_results import spec_thinking as view
from speclens.analyzers.compare.row import CompareRow
from speclens.base import arithmetic
from speclens.clients.spec_thinking import cli as spec_thinking
from speclens.clients.spec_thinking.config import DEFAULT_CONFIG, TINY_CONFIG, load_config
from speclens.clients.spec_thinking.loop import sentiment
from speclens.clients.spec_thinking.tasks import DEFAULT_TASK, is_correct, last_boxed, load_task, predicted_answer
from speclens.parsers.client_results import SpecThinkingResult, parse_client_result

from tests.clients.spec_thinking_fake import PairServer, ScriptedModel, Vocab
from tests.clients.test_spec_thinking_loop import BASE

QUESTION = "What is 3 + 4?"


@pytest.fixture
def files(tmp_path: Path):
    def write(**overrides) -> list[str]:
        (tmp_path / "st.yml").write_text(yaml.safe_dump({**BASE, **overrides}))
        (tmp_path / "data.jsonl").write_text(json.dumps({"q": QUESTION, "a": "7"}) + "\n")
        (tmp_path / "task.yaml").write_text(yaml.safe_dump({"dataset_path": "data.jsonl", "question_key": "q",
                                                            "answer_key": "a",
                                                            "templating_parameters": {"template": "{prompt}"}}))
        return ["--config", str(tmp_path / "st.yml"), "--aime-config", str(tmp_path / "task.yaml")]
    return write


@pytest.fixture
def pair():
    vocab = Vocab()
    small, large = ScriptedModel("small", vocab), ScriptedModel("large", vocab)
    small.say("a", "\n", " wait", "x", "\n", "\\boxed{7}", "<eos>")
    large.say("\\boxed{8}", "<eos>", "L1", "L2")
    with PairServer(small) as s, PairServer(large) as big:
        yield small, large, ["--small-url", s.url, "--large-url", big.url]


def test_both_modes_seed_json_and_summary(files, pair, run_client, capsys) -> None:
    _, _, urls = pair
    code, out = run_client(spec_thinking.main, *files(), *urls, "--num-problems", "1", "--num-runs", "2",
                           "--temperature", "0")
    assert code == 0
    assert set(out) == {"client", "schema_version", "timestamp", "config", "large_model", "speculative_thinking",
                        "comparison"}
    assert {"num_problems", "num_runs", "target_model", "speculative_model"} <= set(out["config"])
    spec = out["speculative_thinking"]["results"]["0"]["runs"][0]
    # small a \n (2) → lookahead " wait" x: negative cue → large from 2: L1 L2 (kept) → small \n (1) → lookahead
    # \boxed{7} <eos> (neutral, thrown away) → small \boxed{7} <eos> (2): small 5, large 2, ratio 2/7
    assert (spec["small_tokens"], spec["large_tokens"], spec["total_tokens"]) == (5, 2, 7)
    assert spec["large_model_ratio"] == round(2 / 7, 4) and spec["cues"] == 1 and spec["triggers"] == 2
    assert spec["large_calls"][0] == {"kind": "cue", "position": 2, "tokens": 2, "kept": True, "large_text": "L1L2",
                                      "small_text": " waitx", "small_sentiment": -1, "large_sentiment": 0}
    assert spec["text"] == "a\nL1L2\n\\boxed{7}" and spec["predicted_answer"] == "7" and spec["correct"] is True
    big = out["large_model"]["results"]["0"]["runs"][1]
    assert (big["total_tokens"], big["large_model_ratio"], big["correct"]) == (2, 1.0, False)  # \boxed{8} <eos>
    stats = out["speculative_thinking"]["statistics"]
    assert stats["total_tokens"] == {"n": 2, "mean": 7.0, "median": 7.0, "std": 0.0, "min": 7.0, "max": 7.0}
    assert out["speculative_thinking"]["accuracy"] == {"correct": 2, "runs": 2, "accuracy": 1.0, "timed_out": 0,
                                                       "no_answer": 0}
    assert out["large_model"]["accuracy"]["accuracy"] == 0.0
    assert out["speculative_thinking"]["large_model_calls"]["cue"] == {"calls": 2, "tokens": 4}  # 2 runs × 1 cue
    c = out["comparison"]
    assert c["large_model_reduction"] == round(1 - 2 / 7, 4)  # 1 − mean spec ratio, the large alone is 1
    assert c["speedup"] > 0 and c["accuracy_speculative_thinking"] == 1.0 and c["accuracy_large_model"] == 0.0
    text = capsys.readouterr().out
    for heading in ("BENCHMARK RESULTS SUMMARY", "1. LATENCY (seconds)", "2. THROUGHPUT (tokens/second)",
                    "3. TOKEN GENERATION", "4. LARGE MODEL USAGE RATIO", "5. ACCURACY", "OVERALL SPEEDUP:",
                    "THROUGHPUT IMPROVEMENT:", "LARGE MODEL TOKEN REDUCTION: 71.4%", "ACCURACY: large 0.0%, spec 100.0%"):
        assert heading in text, heading
    assert "Mean Ratio                100.0%                28.6%" in text and "None" not in text
    typed = parse_client_result("st.json", out)
    assert isinstance(typed, SpecThinkingResult) and typed.modes["speculative_thinking"].accuracy.accuracy == 1.0
    row = CompareRow(run="st.json")
    view.fill_row(row, typed)
    assert row.accuracy == 1.0 and row.latency_speedup == c["speedup"] and "small small" in row.method
    per_mode = view.tables(typed)[0]
    assert per_mode.headers == ["metric", "Large Model", "Spec Thinking"]


def test_large_only_leaves_spec_and_comparison_null(files, pair, run_client, capsys) -> None:
    small, _, urls = pair
    code, out = run_client(spec_thinking.main, *files(), "--large-url", urls[3], "--num-problems", "1",
                           "--num-runs", "1", "--test-mode", "large")
    assert code == 0 and out["speculative_thinking"] is None and small.requests == []
    assert {k: out["comparison"][k] for k in ("speedup", "throughput_improvement", "large_model_reduction")} == {
        "speedup": None, "throughput_improvement": None, "large_model_reduction": None}
    assert "OVERALL SPEEDUP: n/a" in capsys.readouterr().out


def test_timed_out_run_is_listed_not_averaged(files, pair, run_client) -> None:
    small, _, urls = pair
    small.delay_s = 0.3
    code, out = run_client(spec_thinking.main, *files(time_out=0.45), *urls, "--num-problems", "1", "--num-runs", "1",
                           "--test-mode", "spec")
    run = out["speculative_thinking"]["results"]["0"]["runs"][0]
    assert code == 0 and run["timed_out"] is True and run["finish"] == "time_out"
    assert out["speculative_thinking"]["statistics"]["latency"]["n"] == 0  # left out: mean is null, not 0
    assert out["speculative_thinking"]["statistics"]["latency"]["mean"] is None
    assert out["speculative_thinking"]["accuracy"]["accuracy"] == 0.0  # 0 correct of 1 run


def test_more_triggers_than_vllm_accepts_is_a_usage_error(files, run_client, capsys) -> None:
    code, _ = run_client(spec_thinking.main, *files(TRIGGER_TOKENS=["\n\n", "a", "b", "c", "d"]),
                         "--small-url", "http://x", "--large-url", "http://y")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "5 TRIGGER_TOKENS" in err[0] and "at most 4 stop strings" in err[0]


def test_bad_config_key_is_one_line(files, run_client, capsys) -> None:
    code, _ = run_client(spec_thinking.main, *files(max_target_tokens="many"), "--large-url", "http://y")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "st.yml: key 'max_target_tokens'" in err[0]


def test_aime_offline_fails_within_seconds(monkeypatch, run_client, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # refused at once
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)  # base.hub reads this constant, not the env
    started = time.monotonic()
    code, _ = run_client(spec_thinking.main, "--small-url", "http://x", "--large-url", "http://y")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "yentinglin/aime_2025" in err[0] and "not reachable" in err[0]
    assert time.monotonic() - started < 5


def test_shipped_files_load() -> None:
    seed = load_config(DEFAULT_CONFIG)
    assert (seed.target_model_name, seed.speculative_model_name, seed.target_model_gpu, seed.max_target_tokens) == (
        "Qwen/Qwen3-32B", "Qwen/Qwen3-1.7B", 2, 20)
    assert seed.TRIGGER_TOKENS == ["\n\n"] and seed.sampling.temperature is None  # the seed's 0.6 applies
    task = load_task(DEFAULT_TASK)
    assert task.template.format(prompt="Q") == "Q\nReturn your final response within \\boxed{}"


def test_tiny_config_cues_occur_in_the_tiny_pairs_training_text() -> None:
    tiny = load_config(TINY_CONFIG)
    assert tiny.TRIGGER_TOKENS == ["\n", "="] and tiny.begin
    answers = [p.worked_answer for p in arithmetic.generate(0, 200)]
    after_eq = [a.split("=", 1)[1].split("\n")[0] for a in answers if "=" in a]  # e.g. " 8." or " 8 apples now."
    finals = [a.rsplit("\n", 1)[1] for a in answers]  # "#### 8"
    # after every "=" the small model writes a result ending a sentence: "." is a negative cue (−1);
    # the final "#### N" line is positive (+1)
    assert len(after_eq) == 200 and {sentiment(t, tiny) for t in after_eq} == {-1}
    assert {sentiment(t, tiny) for t in finals} == {1}


def test_sampling_flag_beats_config_beats_seed(files) -> None:
    args = spec_thinking.build_parser().parse_args(["--top-k", "5"])
    config = load_config(TINY_CONFIG)
    s = spec_thinking.sampling_of(args, config)
    assert (s.temperature, s.top_p, s.top_k, s.max_tokens) == (0.0, 1.0, 5, 96)
    s = spec_thinking.sampling_of(spec_thinking.build_parser().parse_args([]), load_config(DEFAULT_CONFIG))
    assert (s.temperature, s.top_p, s.top_k, s.max_tokens) == (0.6, 0.95, 20, 32768)


def test_boxed_scoring() -> None:
    assert last_boxed("a \\boxed{1} then \\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert last_boxed("\\boxed{12") is None
    assert predicted_answer("so \\boxed{033}.") == ("033", "boxed") and is_correct("033", "33")
    assert predicted_answer("Tom has 8.\n#### 8") == ("8", "marker")
    assert predicted_answer("#### 39<|eot_id|>") == ("39", "marker")  # /detokenize prints the end token
    assert predicted_answer("no answer") == (None, None) and not is_correct(None, "8")


def test_seed_file_without_accuracy_reads_and_bad_numbers_are_one_error() -> None:
    from speclens.parsers.errors import ParseError

    seed = {"timestamp": "20260105_143022", "config": {"target_model": "Qwen/Qwen3-32B"},
            "large_model": {"results": {}, "statistics": {"latency": {"mean": 45.32}}},
            "speculative_thinking": {"results": {}, "statistics": {"latency": {"mean": 28.15},
                                                                  "large_model_ratio": {"mean": 0.452}}},
            "comparison": {"speedup": 1.61, "throughput_improvement": 1.61, "large_model_reduction": 0.548}}
    typed = parse_client_result("seed.json", seed)
    spec = typed.modes["speculative_thinking"]
    assert (spec.mean("latency"), spec.mean("large_model_ratio"), spec.accuracy) == (28.15, 0.452, None)
    row = CompareRow(run="seed.json")
    view.fill_row(row, typed)
    assert (row.latency_speedup, row.mean_latency_s, row.accuracy) == (1.61, 28.15, None)
    seed["speculative_thinking"]["statistics"]["latency"]["mean"] = "fast"
    with pytest.raises(ParseError, match="statistics.latency"):
        parse_client_result("seed.json", seed)
