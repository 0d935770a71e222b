"""The three-mode suite against fake servers: acceptance from /metrics deltas and per-request metrics."""

from __future__ import annotations

from speclens.clients.speclora import three_mode
from speclens.parsers.client_results import ThreeModeResult, parse_client_result

from tests.clients.fake_server import FakeServer, FakeWorld


def worlds(prompts: list[str]) -> tuple[FakeWorld, FakeWorld]:
    target, spec = FakeWorld(), FakeWorld()
    for w, model in ((target, "target"), (spec, "spec")):
        for p in prompts:
            w.script(model, p, w.encode("a", "b", "c"))  # 3 pieces + EOS = 4 completion tokens
    spec.spec_models = {"spec": (6, 3)}  # each request: 6 draft tokens, 3 accepted
    return target, spec


def test_target_and_base_modes_from_metrics_delta(tmp_path, run_client) -> None:
    prompts_file = tmp_path / "prompts.txt"
    prompts_file.write_text("What is Python?\n\nWhy?\nHow?\n")
    target, spec = worlds(["What is Python?", "Why?", "How?"])
    with FakeServer(target) as t, FakeServer(spec) as s:
        code, out = run_client(three_mode.main, "--target-url", t.url, "--base-url", s.url, "-f", str(prompts_file),
                               "--limit", "2", "--iterations", "2", "--skip-lora", "--seed", "1")
    assert code == 0
    assert set(out) == {"client", "schema_version", "metadata", "summary", "comparison", "per_prompt"}
    assert set(out["summary"]) == {"target_only", "spec_base"} and out["metadata"]["num_prompts"] == 2
    base = out["summary"]["spec_base"]
    assert base["avg_acceptance_rate"] == 0.5 and base["pooled_acceptance_rate"] == 0.5  # 2×3 / 2×6 per prompt
    assert base["total_tokens"] == 8  # 2 prompts × 4 tokens (per prompt: the mean over its 2 iterations)
    assert out["summary"]["target_only"]["avg_acceptance_rate"] is None
    row = out["per_prompt"][0]
    assert set(row) == {"prompt", "full_prompt", "target_only", "spec_base"}
    assert row["spec_base"]["acceptance_source"] == "metrics_delta" and row["spec_base"]["draft_tokens"] == 6  # per request
    for key in ("avg_tokens_per_second", "avg_time_to_last_token", "avg_acceptance_rate", "total_tokens",
                "num_prompts", "min_tokens_per_second", "max_tokens_per_second"):
        assert key in base
    assert out["comparison"]["speedup_vs_target"]["spec_base"] is not None
    assert out["comparison"]["lora_vs_base"] is None
    typed = parse_client_result("tm.json", out)
    assert isinstance(typed, ThreeModeResult) and typed.summary["spec_base"].avg_acceptance_rate == 0.5


def test_per_request_metrics_preferred_and_lora_gain(tmp_path, run_client) -> None:
    (tmp_path / "p.txt").write_text("q1\n")
    target, spec = worlds(["q1"])
    _, lora = worlds(["q1"])
    spec.per_request_metrics = True
    lora.spec_models = {"spec": (4, 3)}  # 3/4 vs base 3/6
    with FakeServer(target) as t, FakeServer(spec) as s, FakeServer(lora) as lo:
        code, out = run_client(three_mode.main, "--target-url", t.url, "--base-url", s.url, "--lora-url", lo.url,
                               "-f", str(tmp_path / "p.txt"))
    assert code == 0
    assert out["per_prompt"][0]["spec_base"]["acceptance_source"] == "per_request_metrics"
    assert out["comparison"]["lora_vs_base"]["acceptance_difference"] == 0.25  # 0.75 − 0.5


def test_missing_lora_url_is_a_usage_error(run_client, capsys) -> None:
    code, _ = run_client(three_mode.main, "--target-url", "http://x", "--base-url", "http://y")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--lora-url" in err[0] and "--skip-lora" in err[0]


def _suite_json(gain_key: str = "acceptance_difference") -> dict:
    base = {"mode": "spec_base", "avg_tokens_per_second": 30.0, "draft_tokens": 300, "accepted_tokens": 180}
    lora = {"mode": "spec_lora", "avg_tokens_per_second": 36.0, "draft_tokens": 200, "accepted_tokens": 150}
    return {"client": "three_mode", "metadata": {"num_prompts": 2}, "per_prompt": [],
            "summary": {"target_only": {"mode": "target_only", "avg_tokens_per_second": 24.0}, "spec_base": base,
                        "spec_lora": lora},
            "comparison": {"speedup_vs_target": {"spec_base": 1.25, "spec_lora": 1.5},
                           "lora_vs_base": {"tokens_per_second_gain": 0.2, gain_key: 0.15}}}


def test_compare_row_and_report_tables_of_the_suite() -> None:
    from speclens.analyzers.client_results import three_mode as view
    from speclens.analyzers.compare.row import CompareRow

    result = parse_client_result("tm.json", _suite_json())
    row = CompareRow(run="tm.json")
    view.fill_row(row, result)
    # the LoRA mode is the row: 150 / 200 = 0.75 pooled, 36 tok/s, speedup 1.5
    assert (row.method, row.draft_acceptance_rate, row.request_output_tps, row.mean_tps_speedup) == \
        ("client three-mode (spec_lora)", 0.75, 36.0, 1.5)
    assert row.notes[0] == "spec_base: acceptance 0.600 pooled, 30.000 tok/s, mean tok/s speedup 1.250"  # 180 / 300
    assert row.notes[1:] == ["Speedup vs Target: Base=1.25x, LoRA=1.50x",
                             "LoRA improvement over Base: +20.0% tok/s, +15.0 pts acceptance"]
    titles = [t.title for t in view.tables(result)]
    assert titles[0].startswith("SpecLoRA Benchmark Summary") and titles[-1] == "Footer"
    legacy = parse_client_result("old.json", _suite_json("acceptance_gain"))
    assert view.lora_vs_base(legacy)["acceptance_difference"] == 0.15


def test_compare_row_without_lora_is_the_base_mode() -> None:
    from speclens.analyzers.client_results import three_mode as view
    from speclens.analyzers.compare.row import CompareRow

    data = _suite_json()
    del data["summary"]["spec_lora"], data["comparison"]["speedup_vs_target"]["spec_lora"]
    data["comparison"]["lora_vs_base"] = None
    row = CompareRow(run="tm.json")
    view.fill_row(row, parse_client_result("tm.json", data))
    assert (row.method, row.draft_acceptance_rate, row.mean_tps_speedup) == ("client three-mode (spec_base)", 0.6, 1.25)
    assert row.notes == ["Speedup vs Target: Base=1.25x"]
