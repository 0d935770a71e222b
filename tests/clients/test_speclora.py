"""SpecLoRA: adapter aliases and "No adapter found", merge determinism and its cache, training on a
constructed tiny model, the summary arithmetic, and benchmark-suite's JSON on stdout."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from speclens.clients.speclora import cli as speclora
from speclens.clients.speclora import adapters
from speclens.clients.speclora import three_mode_report as report
from speclens.clients.speclora.three_mode_measure import Measured

from tests.clients.fake_server import FakeServer
from tests.clients.test_three_mode import worlds


def _fake_adapter(path: Path, payload: bytes = b"w") -> None:
    path.mkdir(parents=True)
    (path / "adapter_config.json").write_text('{"base_model_name_or_path": "base"}')
    (path / "adapter_model.safetensors").write_bytes(payload)


def _checkpoints(tmp_path: Path) -> Path:
    ck = tmp_path / "ck"
    ck.mkdir()
    states = [{"step": 10, "train_loss": 0.9, "heldout_loss": 0.8, "heldout_agreement": 0.70},
              {"step": 20, "train_loss": 0.7, "heldout_loss": 0.6, "heldout_agreement": 0.90},
              {"step": 30, "train_loss": 0.5, "heldout_loss": 0.7, "heldout_agreement": 0.85}]
    for s in states:
        _fake_adapter(ck / adapters.step_name(s["step"]), str(s["step"]).encode())
    assert adapters.finish(ck, states) == 20  # highest held-out agreement (0.90), not the last step
    os.symlink(adapters.step_name(30), ck / "latest")
    return ck


def test_aliases_resolve_to_their_checkpoints(tmp_path: Path) -> None:
    ck = _checkpoints(tmp_path)
    assert adapters.resolve("best", ck) == (ck / "step-000020").resolve()
    assert adapters.resolve("final", ck) == (ck / "step-000030").resolve()
    assert adapters.resolve("latest", ck) == (ck / "step-000030").resolve()
    assert adapters.resolve("step-000010", ck) == (ck / "step-000010").resolve()
    assert adapters.resolve(str(ck / "step-000010"), tmp_path / "elsewhere") == (ck / "step-000010").resolve()


def test_ties_in_agreement_go_to_the_lower_heldout_loss(tmp_path: Path) -> None:
    states = [{"step": 1, "train_loss": 1, "heldout_loss": 0.5, "heldout_agreement": 0.8},
              {"step": 2, "train_loss": 1, "heldout_loss": 0.6, "heldout_agreement": 0.8}]
    for s in states:
        _fake_adapter(tmp_path / adapters.step_name(s["step"]))
    assert adapters.finish(tmp_path, states) == 1
    no_heldout = [{**s, "heldout_agreement": None, "heldout_loss": None, "train_loss": t}
                  for s, t in zip(states, (0.4, 0.3))]
    assert adapters.finish(tmp_path, no_heldout) == 2  # lowest train loss without a held-out split


def test_no_adapter_found_is_one_line_naming_where_and_what(tmp_path: Path, capsys) -> None:
    ck = _checkpoints(tmp_path)
    with pytest.raises(adapters.NoAdapterFound) as err:
        adapters.resolve("bestt", ck)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("No adapter found for -a bestt")
    assert f"looked at {ck}/bestt" in msg
    assert "best -> step-000020, final -> step-000030, latest -> step-000030, step-000010" in msg
    code = speclora.main(["benchmark-suite", "--checkpoints-dir", str(tmp_path / "none"), "-a", "final",
                          "--target-url", "http://x", "--base-url", "http://y"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and f"{tmp_path}/none does not exist" in lines[0]
    assert "--skip-lora" in lines[0]


def test_half_written_checkpoint_is_not_an_adapter(tmp_path: Path) -> None:
    (tmp_path / "ck" / "best").mkdir(parents=True)
    (tmp_path / "ck" / "best" / "adapter_config.json").write_text("{}")  # no weights
    with pytest.raises(adapters.NoAdapterFound, match=r"no adapters in .*ck;"):
        adapters.resolve("best", tmp_path / "ck")


def test_summary_arithmetic_by_hand() -> None:
    # prompt A, 2 iterations: 40 tokens in 0.5 s and 60 in 1.5 s -> 100 / 2.0 = 50 tok/s (pooled),
    # TTLT mean (0.5 + 1.5) / 2 = 1.0, acceptance (10 + 20) / (20 + 30) = 0.6
    a = report.per_prompt([Measured(0.5, 40, 20, 10, "per_request_metrics"),
                           Measured(1.5, 60, 30, 20, "per_request_metrics")])
    assert (a["tokens_per_second"], a["time_to_last_token"], a["acceptance_rate"]) == (50.0, 1.0, 0.6)
    # prompt B: 30 tokens in 1.0 s -> 30 tok/s, acceptance 9 / 10 = 0.9
    b = report.per_prompt([Measured(1.0, 30, 10, 9, "per_request_metrics")])
    lora = report.mode_summary("spec_lora", [a, b])
    # avg tok/s (50 + 30) / 2 = 40; avg TTLT (1.0 + 1.0) / 2 = 1.0; avg acceptance (0.6 + 0.9) / 2 = 0.75;
    # per-prompt counts are means per request: A drafted (20 + 30) / 2 = 25, accepted 15, tokens 50;
    # pooled (15 + 9) / (25 + 10) = 24 / 35 = 0.6857
    assert lora["avg_tokens_per_second"] == 40.0 and lora["avg_time_to_last_token"] == 1.0
    assert lora["avg_acceptance_rate"] == 0.75 and lora["pooled_acceptance_rate"] == 0.6857
    assert (lora["accepted_tokens"], lora["draft_tokens"], lora["total_tokens"]) == (24, 35, 80)
    assert (lora["min_tokens_per_second"], lora["max_tokens_per_second"]) == (30.0, 50.0)
    base = {**lora, "mode": "spec_base", "avg_tokens_per_second": 32.0, "avg_acceptance_rate": 0.6}
    target = {**lora, "mode": "target_only", "avg_tokens_per_second": 25.0, "avg_acceptance_rate": None,
              "draft_tokens": None}
    comp = report.comparison({"target_only": target, "spec_base": base, "spec_lora": lora})
    # speedups 32 / 25 = 1.28 and 40 / 25 = 1.6; LoRA over base 40 / 32 − 1 = 0.25, 0.75 − 0.6 = 0.15
    assert comp["speedup_vs_target"] == {"spec_base": 1.28, "spec_lora": 1.6}
    assert {k: comp["lora_vs_base"][k] for k in ("tokens_per_second_gain", "acceptance_difference")} == \
        {"tokens_per_second_gain": 0.25, "acceptance_difference": 0.15}
    rows, footer = report.summary_lines({"summary": {"target_only": target, "spec_base": base, "spec_lora": lora},
                                         "comparison": comp})
    assert rows[0] == ["Target Only", "25.0", "1.00s", "-", "-"]
    assert rows[2] == ["Spec Dec (LoRA)", "40.0", "1.00s", "75.0%", "24 / 35 (68.6%)"]
    assert footer == ["Speedup vs Target: Base=1.28x, LoRA=1.60x",
                      "LoRA improvement over Base: +25.0% tok/s, +15.0 pts acceptance",
                      "95% intervals: n/a (no per-prompt records on both sides)"]


def test_benchmark_suite_without_output_writes_json_to_stdout(tmp_path: Path, capsys) -> None:
    (tmp_path / "p.txt").write_text("q1\nq2\n")
    target, spec = worlds(["q1", "q2"])
    with FakeServer(target) as t, FakeServer(spec) as s:
        code = speclora.main(["benchmark-suite", "--target-url", t.url, "--base-url", s.url, "--skip-lora",
                              "-f", str(tmp_path / "p.txt")])
    captured = capsys.readouterr()
    assert code == 0
    out = json.loads(captured.out)  # stdout is the JSON alone
    assert out["metadata"]["adapter_path"] is None and out["summary"]["spec_base"]["accepted_tokens"] == 6  # 2 × 3
    assert out["summary"]["spec_base"]["acceptance_source"] == "metrics_delta"
    assert captured.err.startswith("SpecLoRA Benchmark Summary\n")  # piped: the plain table, on stderr
    assert "Speedup vs Target: Base=" in captured.err and "None" not in captured.err


def test_benchmark_suite_refuses_an_existing_output(tmp_path: Path, capsys) -> None:
    (tmp_path / "r.json").write_text("{}")
    code = speclora.main(["benchmark-suite", "--skip-lora", "-o", str(tmp_path / "r.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "already exists" in err[0]
    assert (tmp_path / "r.json").read_text() == "{}"



def test_sequential_boot_runs_one_mode_per_server_run_and_joins_them(tmp_path: Path, monkeypatch, capsys) -> None:
    from speclens.clients.speclora import servers as speclora_servers

    (tmp_path / "p.txt").write_text("q1\nq2\n")
    target, spec = worlds(["q1", "q2"])
    runs: list[list[str]] = []
    with FakeServer(target) as t, FakeServer(spec) as s:
        def fake_launcher(args, argv, modes, lora):  # stands in for launchers/speclora.sh
            runs.append(modes)
            env = {"target_only": ("SPECLENS_TARGET_URL", t.url), "spec_base": ("SPECLENS_BASE_URL", s.url)}
            with monkeypatch.context() as m:
                m.setenv(*env[modes[0]])
                return speclora.main([*argv, "--servers-from-env"])

        monkeypatch.setattr(speclora_servers, "via_launcher", fake_launcher)
        code = speclora.main(["benchmark-suite", "--skip-lora", "--boot", "sequential", "-f", str(tmp_path / "p.txt"),
                              "-o", str(tmp_path / "out.json")])
    assert code == 0 and runs == [["target_only"], ["spec_base"]]
    out = json.loads((tmp_path / "out.json").read_text())
    assert list(out["summary"]) == ["target_only", "spec_base"] and out["metadata"]["boot"] == "sequential"
    assert out["metadata"]["urls"] == {"target_only": t.url, "spec_base": s.url}
    assert [row["prompt"] for row in out["per_prompt"]] == ["q1", "q2"]
    assert out["summary"]["spec_base"]["accepted_tokens"] == 6 and out["comparison"]["speedup_vs_target"]["spec_base"]
    assert "SpecLoRA Benchmark Summary" in capsys.readouterr().out


def test_train_config_file_then_flags(tmp_path: Path) -> None:
    from speclens.clients.speclora.train import TrainConfig

    (tmp_path / "c.toml").write_text("[train]\nrank = 16\nlr = 2e-3\nsteps = 150\n")
    cfg = TrainConfig.load(str(tmp_path / "c.toml"), {"steps": 40, "rank": None})
    assert (cfg.rank, cfg.lr, cfg.steps, cfg.alpha) == (16, 2e-3, 40, 16)  # file, file, flag, default
    (tmp_path / "bad.toml").write_text("[train]\nrnak = 3\n")
    with pytest.raises(speclora.cc.UsageError, match=r"unknown \[train\] keys \['rnak'\]"):
        TrainConfig.load(str(tmp_path / "bad.toml"), {})
    with pytest.raises(speclora.cc.UsageError, match="--steps must be a positive int, not 0"):
        TrainConfig.load(None, {"steps": 0})
