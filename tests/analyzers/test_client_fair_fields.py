"""Issue 22's fair-measurement fields of the client results, read back: `speclens report` shows each
speedup with its 95% interval (or why it has none), the LoRA-over-Base gain with its intervals, the
benchmark prompts found in the adapter's training data (a warning when some were measured on), the
near-tie count, whether the diffusion knobs were applied, and the warm-up requests per server;
`speclens compare` carries the intervals as columns and flags overlap and near-ties in the notes.
Files without these fields render as before (the seed examples, byte for byte). Hand arithmetic in
comments."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from speclens.parsers.client_results import AccuracyResult, DraftVerifyResult, SpecThinkingResult, ThreeModeResult

from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
FORMULA = "delta method on the log ratio, paired over questions"


def speclens(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    return proc.stdout


def write(tmp_path: Path, name: str, doc: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def question(tokens: int, accepted: int, target: int, matches: bool) -> dict:
    return {"correct": True, "tokens": tokens, "draft_generated": 8, "draft_accepted": accepted, "rounds": 2,
            "time": 1.0, "target_tokens": target, "matches_target_alone": matches}


def draft_verify(interval: dict | None) -> dict:
    # three questions: tokens 7 + 7 + 10 = 24 = accepted (6 + 5 + 8 = 19) + target tokens (1 + 2 + 2 = 5);
    # 6 rounds: tokens/round 24 / 6 = 4.0, mean acceptance length 1 + 19 / 6 = 4.167; question 2 differs
    return DraftVerifyResult.written(
        config={"target_model": "opt-1.3b", "num_draft_tokens": 4, "dataset": "gsm8k", "warmup_questions": 2},
        summary={"total_tokens": 24, "total_draft_generated": 24, "total_draft_accepted": 19, "speculation_rounds": 6,
                 "tokens_per_round": 4.0, "mean_acceptance_length": 4.1667, "outputs_differing_from_target_alone": 1},
        results=[question(7, 6, 1, True), question(7, 5, 2, False), question(10, 8, 2, True)],
        speedup=1.5 if interval else None, speedup_interval=interval)


INTERVAL = {"ci_low": 0.5116, "ci_high": 4.3979, "note": "paired over 3 prompts", "formula": FORMULA}


def rows_of(markdown: str, title: str) -> dict[str, str]:
    """The field -> value rows of the Markdown table titled `title`."""
    part = markdown.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    cells = [line.strip("|").split(" | ") for line in part.splitlines() if line.startswith("| ")]
    return {c[0].strip(): c[1].strip() for c in cells[1:]}


def test_draft_verify_report_shows_the_interval_near_ties_and_warmup(tmp_path: Path) -> None:
    path = write(tmp_path, "dv.json", draft_verify(INTERVAL))
    md = speclens("report", path, "--format", "md")
    summary = rows_of(md, "Summary (avg_ = mean over questions; draft_efficiency pooled over draft tokens)")
    assert summary["speedup (95% interval)"] == "1.50x [0.51x, 4.40x], paired over 3 prompts"
    assert summary["tokens_per_round"] == "4.000" and summary["mean_acceptance_length"] == "4.167"
    assert summary["target_tokens (Σ over questions)"] == "5"  # 1 + 2 + 2; 24 tokens = 19 accepted + 5
    assert summary["outputs_differing_from_target_alone"] == "1"
    assert "near-ties: 1 of 3 answers differ from the target alone's at temperature 0 (questions 2)" in md
    assert f"speedup 95% interval: {FORMULA}" in md
    assert rows_of(md, "Warm-up (untimed, before the first timed request)") == {
        "draft and target, every timed path (with drafting, each alone)": "2"}
    tables = {t["title"]: t for t in json.loads(speclens("report", path, "--format", "json"))["tables"]}
    assert ["speedup (95% interval)", "1.50x [0.51x, 4.40x], paired over 3 prompts"] in \
        tables["Summary (avg_ = mean over questions; draft_efficiency pooled over draft tokens)"]["rows"]


def test_draft_verify_without_baseline_says_why_there_is_no_interval(tmp_path: Path) -> None:
    md = speclens("report", write(tmp_path, "dv.json", draft_verify(None)), "--format", "md")
    summary = rows_of(md, "Summary (avg_ = mean over questions; draft_efficiency pooled over draft tokens)")
    assert summary["speedup (95% interval)"] == "n/a, no 95% interval (no target-alone run: --baseline)"
    short = {"ci_low": None, "ci_high": None, "note": "2 prompt(s); an interval needs 3", "formula": FORMULA}
    md = speclens("report", write(tmp_path, "short.json", draft_verify(short)), "--format", "md")
    assert "| speedup (95% interval) | 1.50x, no 95% interval (2 prompt(s); an interval needs 3) |" in md


def test_draft_verify_compare_row_has_the_interval_and_the_near_tie_flag(tmp_path: Path) -> None:
    row = json.loads(speclens("compare", write(tmp_path, "dv.json", draft_verify(INTERVAL)), "--format", "json"))["rows"][0]
    assert (row["pooled_tps_speedup"], row["pooled_tps_speedup_ci_low"], row["pooled_tps_speedup_ci_high"]) == (
        1.5, 0.5116, 4.3979)
    assert "pooled tok/s speedup 1.50x [0.51x, 4.40x], paired over 3 prompts" in row["notes"]
    assert any(n.startswith("near-ties: 1 of 3 answers differ") for n in row["notes"])


def interval(low: float | None, high: float | None, note: str) -> dict:
    return {"ci_low": low, "ci_high": high, "note": note}


def three_mode(overlap: int, dropped: int) -> dict:
    # per mode avg tok/s: target 40, base 48, lora 60 → speedups 48 / 40 = 1.2, 60 / 40 = 1.5; LoRA over
    # Base 60 / 48 − 1 = +25.0%; acceptance 0.70 − 0.60 = +10.0 pts
    mode = lambda name, tps, acc: {"mode": name, "avg_tokens_per_second": tps, "avg_acceptance_rate": acc}
    return ThreeModeResult.written(
        metadata={"num_prompts": 4, "models": {"target_only": "qwen"}, "warmup_requests": {
            "target_only": 2, "spec_base": 2, "spec_lora": 2}, "mode_order": "interleaved prompt by prompt",
            "training_prompt_overlap": overlap, "training_prompts_dropped": dropped,
            "training_prompts_source": "ck/training_summary.json (training_prompts_sha256)",
            "prompt_selection": "prompts file p.txt; training prompts kept (--allow-train-overlap)"},
        summary={"target_only": mode("target_only", 40.0, None), "spec_base": mode("spec_base", 48.0, 0.6),
                 "spec_lora": mode("spec_lora", 60.0, 0.7)},
        comparison={"speedup_vs_target": {"spec_base": 1.2, "spec_lora": 1.5},
                    "speedup_vs_target_interval": {"spec_base": interval(1.05, 1.37, "paired over 4 prompts"),
                                                   "spec_lora": interval(1.31, 1.72, "paired over 4 prompts")},
                    "lora_vs_base": {"tokens_per_second_gain": 0.25, "acceptance_difference": 0.1,
                                     "tokens_per_second_gain_interval": interval(-0.03, 0.58, "paired over 4 prompts"),
                                     "acceptance_difference_interval": interval(None, None, "a prompt has no "
                                                                                "acceptance_rate on one side")},
                    "interval_method": "95% intervals paired over prompts"},
        per_prompt=[])


def test_three_mode_report_shows_intervals_overlap_warning_and_warmup(tmp_path: Path) -> None:
    md = speclens("report", write(tmp_path, "tm.json", three_mode(overlap=3, dropped=0)), "--format", "md")
    assert rows_of(md, "Speedup vs target only (avg tok/s of the mode / avg tok/s of target_only)") == {
        "spec_base": "1.20x [1.05x, 1.37x], paired over 4 prompts",
        "spec_lora": "1.50x [1.31x, 1.72x], paired over 4 prompts"}
    gain = rows_of(md, "LoRA over base (tokens_per_second_gain = ratio − 1; acceptance_difference in rate units)")
    assert gain["tokens_per_second_gain (95% interval)"] == "+25.0% [-3.0%, +58.0%], paired over 4 prompts"
    assert gain["acceptance_difference (95% interval)"] == (
        "+10.0 pts, no 95% interval (a prompt has no acceptance_rate on one side)")
    # 3 found, 0 dropped (--allow-train-overlap): measured on 3 − 0 = 3 training prompts
    assert rows_of(md, "Benchmark prompts in the adapter's training data") == {
        "found (training_prompt_overlap)": "3", "dropped (training_prompts_dropped)": "0", "kept (measured on)": "3"}
    assert "warning: measured on 3 training prompt(s) of the adapter" in md
    assert rows_of(md, "Warm-up (untimed, before the first timed request)") == {
        "target_only": "2", "spec_base": "2", "spec_lora": "2"}
    # all 3 dropped: 3 − 3 = 0 measured on, a note, no warning
    md = speclens("report", write(tmp_path, "held.json", three_mode(overlap=3, dropped=3)), "--format", "md")
    assert "warning" not in md and "3 benchmark prompt(s) found in the adapter's training data were dropped" in md


def test_three_mode_compare_row_has_the_interval_and_the_overlap_flag(tmp_path: Path) -> None:
    path = write(tmp_path, "tm.json", three_mode(overlap=3, dropped=1))
    row = json.loads(speclens("compare", path, "--format", "json"))["rows"][0]
    assert (row["mean_tps_speedup"], row["mean_tps_speedup_ci_low"], row["mean_tps_speedup_ci_high"]) == (
        1.5, 1.31, 1.72)  # the headline mode, spec_lora
    assert "mean tok/s speedup 1.50x [1.31x, 1.72x], paired over 4 prompts" in row["notes"]
    assert any(n.startswith("warning: measured on 2 training prompt(s)") for n in row["notes"])  # 3 − 1


def test_accuracy_report_says_whether_the_knobs_were_applied(tmp_path: Path) -> None:
    doc = AccuracyResult.written(config={"model_name": "sdar", "block_length": 8, "denoising_steps": 3,
                                         "warmup_requests": 1},
                                 metrics={"accuracy": 0.5, "correct": 1, "total": 2}, results=[],
                                 diffusion_knobs={"requested": {"block_length": 8, "denoising_steps": 3},
                                                  "applied": False, "evidence": "no vllm:diffusion_* counter moved"})
    path = write(tmp_path, "acc.json", doc)
    md = speclens("report", path, "--format", "md")
    title = "Diffusion knobs (requested in config; applied judged from the server's vllm:diffusion_* counters)"
    assert rows_of(md, title) == {"requested block_length": "8", "requested denoising_steps": "3", "applied": "no",
                                  "evidence": "no vllm:diffusion_* counter moved"}
    assert rows_of(md, "Warm-up (untimed, before the first timed request)") == {"server": "1"}
    row = json.loads(speclens("compare", path, "--format", "json"))["rows"][0]
    assert ("diffusion knobs block_length 8, denoising_steps 3 requested; applied: no "
            "(no vllm:diffusion_* counter moved)") in row["notes"]


def test_spec_thinking_report_shows_warmup_per_server(tmp_path: Path) -> None:
    doc = SpecThinkingResult.written(config={"target_model": "big", "warmup_requests": {"large": 3, "small": 3}},
                                     large_model={"statistics": {"latency": {"n": 1, "mean": 2.0}}},
                                     comparison={"speedup": None})
    md = speclens("report", write(tmp_path, "st.json", doc), "--format", "md")
    assert rows_of(md, "Warm-up (untimed, before the first timed request)") == {
        "large": "3", "small": "3"}


def test_the_seed_examples_report_as_before() -> None:
    # none of them has an issue-22 field: no new table or row (the expected text is the report of
    # each before this change, with only the version line free)
    for name in ("seed000_example", "seed001_example", "seed002_example", "seed003_example"):
        md = speclens("report", str(DATA / f"{name}.json"), "--format", "md")
        assert "interval" not in md and "Warm-up" not in md and "training data" not in md, name
        assert "Diffusion knobs" not in md and "near-ties" not in md, name


def test_spec_thinking_speedup_interval_in_report_and_compare(tmp_path: Path) -> None:
    interval = {"ci_low": 1.0748, "ci_high": 3.7217, "note": "paired over 3 runs"}
    doc = SpecThinkingResult.written(config={}, comparison={"speedup": 2.0, "throughput_improvement": 2.34,
                                                            "speedup_interval": interval,
                                                            "throughput_improvement_interval": None})
    path = tmp_path / "st.json"
    path.write_text(json.dumps(doc))
    md = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "report", str(path), "--format", "md"],
                        capture_output=True, text=True, timeout=120).stdout
    assert "| speedup (95% interval) | 2.00x [1.07x, 3.72x], paired over 3 runs |" in md
    row = json.loads(subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "compare", str(path), "--format",
                                     "json"], capture_output=True, text=True, timeout=120).stdout)["rows"][0]
    assert (row["latency_speedup"], row["latency_speedup_ci_low"], row["latency_speedup_ci_high"]) == (
        2.0, 1.0748, 3.7217)
