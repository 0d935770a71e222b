"""Issue 22, the LoRA suite measures fairly: held-out prompts by default (overlap with the adapter's
training prompts counted, warned about, dropped), every server warmed before timing, the modes
interleaved prompt by prompt, one paired interval per speedup, and one rule (mean per request) for
every per-prompt field with -n."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.clients.common.problems import generated
from speclens.clients.common.warmup import WARMUP_PROMPT
from speclens.clients.speclora import bench, heldout
from speclens.clients.speclora import cli as speclora
from speclens.clients.speclora import three_mode_intervals as intervals
from speclens.clients.speclora import three_mode_measure as core
from speclens.clients.speclora import three_mode_report as report
from speclens.clients.speclora.three_mode_measure import Measured

from tests.clients.fake_server import FakeServer, FakeWorld


def _adapter_with_training(tmp_path: Path, training: list[str]) -> Path:
    """A checkpoints dir as `speclora train` leaves it: step-000010/ (adapter), best -> it, and
    training_summary.json with the hashes of the training prompts."""
    ck = tmp_path / "ck"
    step = ck / "step-000010"
    step.mkdir(parents=True)
    (step / "adapter_config.json").write_text('{"base_model_name_or_path": "base"}')
    (step / "adapter_model.safetensors").write_bytes(b"w")
    (ck / "best").symlink_to("step-000010")
    (ck / "training_summary.json").write_text(json.dumps(
        {"training_prompts_sha256": sorted({heldout.prompt_hash(p) for p in training})}))
    return ck


def _worlds(prompts: list[str]) -> dict[str, FakeWorld]:
    out = {}
    for mode, model, spec in (("target_only", "target", None), ("spec_base", "spec", (6, 3)),
                              ("spec_lora", "spec", (4, 3))):
        w = FakeWorld()
        for p in prompts:
            w.script(model, p, w.encode("a", "b", "c"))  # 4 completion tokens with EOS
        if spec:
            w.spec_models = {model: spec}
        out[mode] = w
    return out


def _run(tmp_path: Path, monkeypatch, prompts: list[str], ck: Path, *extra: str) -> tuple[int, dict | None, dict]:
    """benchmark-suite (all three modes) against fake servers; the merge is stubbed (no peft here)."""
    monkeypatch.setattr(bench, "lora_draft", lambda args: (ck / "step-000010", tmp_path / "merged", {}))
    worlds = _worlds(prompts)
    out = tmp_path / "out.json"
    with FakeServer(worlds["target_only"]) as t, FakeServer(worlds["spec_base"]) as b, \
            FakeServer(worlds["spec_lora"]) as lo:
        code = speclora.main(["benchmark-suite", "--target-url", t.url, "--base-url", b.url, "--lora-url", lo.url,
                              "--checkpoints-dir", str(ck), "-m", "8", "-o", str(out), *extra])
    return code, json.loads(out.read_text()) if out.exists() else None, worlds


def test_bench_prompts_overlapping_training_are_warned_counted_and_dropped(tmp_path, monkeypatch, capsys) -> None:
    ck = _adapter_with_training(tmp_path, ["Q1", "q2  ", "never benchmarked"])
    (tmp_path / "p.txt").write_text("q1\nq2\nq3\nq4\n")  # q1, q2: training prompts (case, spaces normalised)
    code, out, _ = _run(tmp_path, monkeypatch, ["q1", "q2", "q3", "q4"], ck, "-f", str(tmp_path / "p.txt"))
    err = capsys.readouterr().err
    assert code == 0
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "2 of 4 benchmark prompts are in the adapter's training data" in warnings[0]
    meta = out["metadata"]
    assert (meta["training_prompt_overlap"], meta["training_prompts_dropped"]) == (2, 2)
    assert meta["training_prompts_source"].endswith("training_summary.json (training_prompts_sha256)")
    assert [row["prompt"] for row in out["per_prompt"]] == ["q3", "q4"] and meta["num_prompts"] == 2


def test_allow_train_overlap_keeps_them_and_still_warns(tmp_path, monkeypatch, capsys) -> None:
    ck = _adapter_with_training(tmp_path, ["q1"])
    (tmp_path / "p.txt").write_text("q1\nq2\n")
    code, out, _ = _run(tmp_path, monkeypatch, ["q1", "q2"], ck, "-f", str(tmp_path / "p.txt"),
                        "--allow-train-overlap")
    assert code == 0 and "1 of 2 benchmark prompts" in capsys.readouterr().err
    assert (out["metadata"]["training_prompt_overlap"], out["metadata"]["training_prompts_dropped"]) == (1, 0)
    assert out["metadata"]["num_prompts"] == 2


def test_default_prompts_are_held_out_from_collect_datas_default(tmp_path, monkeypatch, capsys) -> None:
    collect_default = [p.question for p in generated(0, 50)]  # collect-data: seed 0, 50 prompts
    ck = _adapter_with_training(tmp_path, collect_default)
    assert speclora.build_parser().parse_args(["collect-data"]).seed == 0
    assert speclora.build_parser().parse_args(["benchmark-suite"]).seed == 1
    bench_default = [p.question for p in generated(1, 10)]
    code, out, _ = _run(tmp_path, monkeypatch, bench_default, ck)
    assert code == 0 and "warning" not in capsys.readouterr().err
    assert out["metadata"]["training_prompt_overlap"] == 0 and out["metadata"]["num_prompts"] == 10
    assert out["metadata"]["prompt_selection"].startswith("generated held-out arithmetic, seed 1")
    # the former default (seed 0 on both sides) benchmarks training prompts only: refused, one line
    code, out, _ = _run(tmp_path, monkeypatch, [p.question for p in generated(0, 10)], ck, "--seed", "0",
                        "--overwrite")
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and "all 10 benchmark prompts are in the adapter's training data" in lines[-1]


def test_training_prompts_of_an_older_summary_come_from_its_data_file(tmp_path) -> None:
    data = tmp_path / "training_data.jsonl"
    data.write_text('{"record": "provenance"}\n{"record": "sample", "prompt": "q1", "prompt_token_ids": [1], '
                    '"completion_token_ids": [2]}\n')
    ck = _adapter_with_training(tmp_path, [])
    (ck / "training_summary.json").write_text(json.dumps({"data": str(data)}))
    kept, meta = heldout.select(["q1", "q2"], ck / "best", allow_overlap=False, warn=False)
    assert kept == ["q2"] and meta["training_prompt_overlap"] == 1 and meta["training_prompts_source"] == str(data)
    (ck / "training_summary.json").unlink()
    kept, meta = heldout.select(["q1", "q2"], ck / "best", allow_overlap=False, warn=False)
    assert kept == ["q1", "q2"] and meta["training_prompt_overlap"] is None  # unknown, not 0


def test_every_server_is_warmed_before_its_first_timed_request_and_scrape(tmp_path, monkeypatch) -> None:
    ck = _adapter_with_training(tmp_path, [])
    (tmp_path / "p.txt").write_text("q1\nq2\nq3\n")
    order: list[tuple[str, str]] = []
    by_url: dict[str, FakeWorld] = {}
    scrape, measure = core.settled_scrape, core.measure

    async def recorded_scrape(server):
        by_url[server.base_url].requests.append({"path": "/metrics (before/after scrape)"})
        return await scrape(server)

    async def recorded_measure(server, model, prompt, *rest):
        order.append((model_of[server.base_url], prompt))
        return await measure(server, model, prompt, *rest)

    monkeypatch.setattr(core, "settled_scrape", recorded_scrape)
    monkeypatch.setattr(core, "measure", recorded_measure)
    monkeypatch.setattr(bench, "lora_draft", lambda args: (ck / "step-000010", tmp_path / "merged", {}))
    worlds = _worlds(["q1", "q2", "q3"])
    with FakeServer(worlds["target_only"]) as t, FakeServer(worlds["spec_base"]) as b, \
            FakeServer(worlds["spec_lora"]) as lo:
        model_of = {s.url.rstrip("/"): m for s, m in ((t, "target_only"), (b, "spec_base"), (lo, "spec_lora"))}
        by_url.update({s.url.rstrip("/"): worlds[m] for s, m in ((t, "target_only"), (b, "spec_base"),
                                                                 (lo, "spec_lora"))})
        code = speclora.main(["benchmark-suite", "--target-url", t.url, "--base-url", b.url, "--lora-url", lo.url,
                              "--checkpoints-dir", str(ck), "-f", str(tmp_path / "p.txt"), "--warmup", "3",
                              "-o", str(tmp_path / "out.json")])
    assert code == 0
    for mode, world in worlds.items():
        paths = [r["path"] for r in world.requests if r["path"] != "/v1/models"]
        warm = [i for i, r in enumerate(world.requests) if r.get("prompt") == WARMUP_PROMPT]
        timed = [i for i, r in enumerate(world.requests) if r["path"] in ("/v1/chat/completions",
                                                                           "/metrics (before/after scrape)")]
        assert len(warm) == 3 and max(warm) < min(timed), (mode, paths)
    meta = json.loads((tmp_path / "out.json").read_text())["metadata"]
    assert meta["warmup_requests"] == {"target_only": 3, "spec_base": 3, "spec_lora": 3}
    # interleaved prompt by prompt, the mode order rotating by one per prompt
    assert order == [("target_only", "q1"), ("spec_base", "q1"), ("spec_lora", "q1"),
                     ("spec_base", "q2"), ("spec_lora", "q2"), ("target_only", "q2"),
                     ("spec_lora", "q3"), ("target_only", "q3"), ("spec_base", "q3")]
    assert meta["mode_order"].startswith("interleaved")


def _rows(tps: list[float], acceptance: list[float | None]) -> list[dict]:
    return [{"tokens_per_second": t, "acceptance_rate": a} for t, a in zip(tps, acceptance)]


def test_one_paired_interval_per_speedup_by_hand() -> None:
    results = {"target_only": _rows([10, 20, 30], [None] * 3), "spec_base": _rows([30, 30, 60], [0.5, 0.6, 0.7]),
               "spec_lora": _rows([20, 40, 60], [0.6, 0.8, 0.7])}
    summary = {m: {"avg_tokens_per_second": sum(r["tokens_per_second"] for r in rows) / 3,
                   "avg_acceptance_rate": None if m == "target_only" else sum(r["acceptance_rate"] for r in rows) / 3}
               for m, rows in results.items()}
    comp = report.comparison(summary, results)
    assert set(comp["speedup_vs_target_interval"]) == set(comp["speedup_vs_target"]) == {"spec_base", "spec_lora"}
    # Base: 40 / 20 = 2.0; influences u = x/x̄ − 1: base [−.25, −.25, .5], target [−.5, 0, .5] -> d = [.25, −.25, 0],
    # s² = .125 / 2 = .0625, Var = .0625 / 3, se = .14434, t(.975, 2) = 4.30265, half = .62103:
    # 2 · e^−.62103 = 1.0748, 2 · e^.62103 = 3.7217
    base = comp["speedup_vs_target_interval"]["spec_base"]
    assert (base["ci_low"], base["ci_high"], base["note"]) == (1.0748, 3.7217, "paired over 3 prompts")
    # LoRA: 40 / 20 = 2.0 with every prompt exactly 2×: d = 0, the interval is the point
    lora = comp["speedup_vs_target_interval"]["spec_lora"]
    assert (lora["ci_low"], lora["ci_high"]) == (2.0, 2.0)
    gain = comp["lora_vs_base"]
    # tok/s gain 40 / 40 − 1 = 0; u lora [−.5, 0, .5], base [−.25, −.25, .5] -> d = [−.25, .25, 0]: the same spread as
    # above, so [1.07478 / 2, 3.72170 / 2] − 1 = [−.46261, .86085]
    assert gain["tokens_per_second_gain"] == 0.0
    assert (gain["tokens_per_second_gain_interval"]["ci_low"], gain["tokens_per_second_gain_interval"]["ci_high"]) == \
        (-0.4626, 0.8609)
    # acceptance: d = [.1, .2, 0], mean .1, s = .1, half = 4.30265 · .1 / √3 = .24842 -> [−.1484, .3484]
    acc = gain["acceptance_difference_interval"]
    assert (acc["ci_low"], acc["ci_high"]) == (-0.1484, 0.3484) and gain["acceptance_difference"] == pytest.approx(0.1)
    line = intervals.console_line(comp)
    assert line == ("95% intervals (paired over prompts): Base [1.07x, 3.72x]; LoRA [2.00x, 2.00x]; "
                    "LoRA over Base [-46.3%, +86.1%] tok/s, [-14.8, +34.8] pts")
    # two prompts: no interval, and it says why
    two = {m: rows[:2] for m, rows in results.items()}
    assert report.comparison(summary, two)["speedup_vs_target_interval"]["spec_base"] == \
        {"ci_low": None, "ci_high": None, "note": "2 prompt(s); an interval needs 3"}


def test_a_run_writes_its_intervals_and_prints_them(tmp_path, monkeypatch, capsys) -> None:
    ck = _adapter_with_training(tmp_path, [])
    (tmp_path / "p.txt").write_text("q1\nq2\nq3\n")
    code, out, _ = _run(tmp_path, monkeypatch, ["q1", "q2", "q3"], ck, "-f", str(tmp_path / "p.txt"))
    assert code == 0
    comp = out["comparison"]
    for mode in ("spec_base", "spec_lora"):
        span = comp["speedup_vs_target_interval"][mode]
        assert span["ci_low"] is not None and span["ci_low"] <= span["ci_high"]
    assert comp["lora_vs_base"]["acceptance_difference_interval"]["ci_low"] == 0.25  # every prompt 3/4 − 3/6
    assert "95% intervals (paired over prompts): Base [" in capsys.readouterr().out


def test_iterations_every_per_prompt_field_is_a_mean_per_request() -> None:
    # -n 2: 40 tokens in 0.5 s and 41 in 1.5 s; drafted 20 and 22, accepted 10 and 12
    row = report.per_prompt([Measured(0.5, 40, 20, 10, "per_request_metrics"),
                             Measured(1.5, 41, 22, 12, "per_request_metrics")])
    # tokens (40 + 41) / 2 = 40.5, TTLT (0.5 + 1.5) / 2 = 1.0, tok/s 40.5 / 1.0 = 40.5 (= 81 / 2.0);
    # drafted 21, accepted 11, acceptance 11 / 21 = 0.5238
    assert (row["total_tokens"], row["time_to_last_token"], row["tokens_per_second"]) == (40.5, 1.0, 40.5)
    assert row["total_tokens"] / row["time_to_last_token"] == row["tokens_per_second"]  # was 2× with Σ tokens
    assert (row["draft_tokens"], row["accepted_tokens"], row["acceptance_rate"]) == (21, 11, 0.5238)
    same = report.per_prompt([Measured(1.0, 40, 20, 10, "none"), Measured(3.0, 40, 20, 10, "none")])
    assert same["total_tokens"] == 40 and isinstance(same["total_tokens"], int)  # greedy iterations agree: an integer
