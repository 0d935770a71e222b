"""`speclens compare`: one definition per column (issue 22). `speedup` is only the run directory's
output-throughput ratio over DIR/baseline (with its verdict, issue 20); each client's own ratio has a
column named for what it is; the clients' headline numbers (GSM8K accuracy's tok/s, latency and
dataset, speculative thinking's large-model token ratio and which mode its accuracy is, the LoRA
suite's model) fill their columns, labelled."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
RUN_EVAL = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline"
CLIENT_COLUMNS = ("pooled_tps_speedup", "latency_speedup", "mean_tps_speedup")


def compare(*args: str, fmt: str = "json") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "compare", *args, "--format", fmt],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def spec_thinking(large_only: bool = False) -> dict:
    """A speculative-thinking result as the client writes it (the parts the row reads)."""
    acc = lambda correct: {"correct": correct, "runs": 4, "accuracy": correct / 4, "timed_out": 0, "no_answer": 0}
    large = {"results": {}, "statistics": {"latency": {"n": 4, "mean": 45.32}}, "accuracy": acc(1)}
    spec = {"results": {}, "statistics": {"latency": {"n": 4, "mean": 28.15},
                                          "large_model_ratio": {"n": 4, "mean": 0.452}}, "accuracy": acc(3)}
    return {"client": "spec_thinking", "schema_version": 1, "timestamp": "20260105_143022",
            "config": {"target_model": "big", "speculative_model": "small"}, "large_model": large,
            "speculative_thinking": None if large_only else spec,
            "comparison": {"speedup": None if large_only else 1.61, "throughput_improvement": None,
                           "large_model_reduction": None if large_only else 0.548}}


@pytest.fixture
def rows(tmp_path: Path) -> dict[str, dict]:
    dv = json.loads((DATA / "seed000_example.json").read_text())
    dv["speedup"] = 1.42  # ours, with --baseline: pooled tok/s with drafting / the target alone's
    (tmp_path / "dv.json").write_text(json.dumps(dv))
    (tmp_path / "st.json").write_text(json.dumps(spec_thinking()))
    (tmp_path / "large.json").write_text(json.dumps(spec_thinking(large_only=True)))
    lora = json.loads((DATA / "seed002_example.json").read_text())
    lora["metadata"]["models"] = {"target_only": "Qwen/Qwen2.5-7B", "spec_base": "Qwen/Qwen2.5-7B"}
    (tmp_path / "lora.json").write_text(json.dumps(lora))
    shutil.copytree(RUN_EVAL, tmp_path / "run")
    proc = compare(str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    return {Path(r["run"]).name: r for r in json.loads(proc.stdout)["rows"]}


def test_each_speedup_is_in_the_column_that_names_it(rows: dict[str, dict]) -> None:
    speedups = {name: tuple(r[c] for c in ("speedup", *CLIENT_COLUMNS)) for name, r in rows.items()}
    # run_eval: output throughput spec / baseline = 5.1267 / 4.0510 = 1.266 (issue 20's column, with its verdict)
    assert speedups.pop("run")[0] == pytest.approx(5.126745700836182 / 4.050978899002075)
    assert rows["run"]["speedup_verdict"] is not None
    assert speedups == {
        "dv.json": (None, 1.42, None, None),  # the file's speedup: Σ tokens / Σ s, drafting ÷ target alone
        "st.json": (None, None, 1.61, None),  # comparison.speedup: mean latency large ÷ speculative thinking
        "large.json": (None, None, None, None),  # the large model alone: no ratio
        # no comparison block: the suite's formula, mean tok/s LoRA ÷ target = 71.8 / 45.2 = 1.5885
        "lora.json": (None, None, None, pytest.approx(71.8 / 45.2)),
    }


def test_the_headers_name_each_ratio(rows: dict[str, dict], tmp_path: Path) -> None:
    text = compare(str(tmp_path / "st.json"), fmt="text").stdout
    header = next(line for line in text.splitlines() if line.startswith("run "))
    for column in ("speedup", "pooled tok/s speedup", "latency speedup", "mean tok/s speedup",
                   "mean large-model token ratio"):
        assert f"  {column}  " in header + "  ", column
    # the footer defines each, and the docs do too
    for words in ("pooled tok/s speedup (client draft/verify) = Σ tokens / Σ seconds with drafting",
                  "latency speedup (client speculative thinking) = mean latency of the large model alone ÷",
                  "mean tok/s speedup (client three-mode, the LoRA suite) = mean over prompts"):
        assert words in text, words
    docs = (ROOT / "docs" / "metrics.md").read_text()
    assert all(f"| {field} " in docs for field in (*CLIENT_COLUMNS, "mean_large_model_token_ratio"))
    header = next(csv.reader(io.StringIO(compare(str(tmp_path / "st.json"), fmt="csv").stdout)))
    assert header[header.index("speedup_verdict") + 1:header.index("load_file")] == [
        "flags", "pooled_tps_speedup", "pooled_tps_speedup_ci_low", "pooled_tps_speedup_ci_high", "latency_speedup",
        "latency_speedup_ci_low", "latency_speedup_ci_high", "mean_tps_speedup", "mean_tps_speedup_ci_low", "mean_tps_speedup_ci_high", "mean_large_model_token_ratio"]


def test_spec_thinking_row_says_whose_accuracy_and_has_the_token_ratio(rows: dict[str, dict]) -> None:
    st, large = rows["st.json"], rows["large.json"]
    # both modes: speculative thinking's 3 / 4 = 0.75 and 28.15 s; its mean large-model token ratio 0.452
    assert (st["method"], st["accuracy"], st["mean_latency_s"], st["mean_large_model_token_ratio"]) == (
        "client speculative thinking (small small)", 0.75, 28.15, 0.452)
    assert "accuracy, latency s: Spec Thinking's; Large Model: accuracy 0.250, latency s 45.320" in st["notes"]
    # the large model alone: its 1 / 4 = 0.25, labelled so in the method and the notes
    assert (large["method"], large["accuracy"], large["mean_latency_s"], large["mean_large_model_token_ratio"]) == (
        "client speculative thinking (large model alone)", 0.25, 45.32, None)
    assert "accuracy, latency s: Large Model's" in large["notes"]


def test_lora_suite_row_has_its_model(rows: dict[str, dict]) -> None:
    assert rows["lora.json"]["model"] == "Qwen/Qwen2.5-7B"  # metadata.models.target_only


def test_gsm8k_accuracy_row_has_tok_s_latency_and_dataset(tmp_path: Path) -> None:
    doc = {"client": "gsm8k_accuracy", "schema_version": 1,
           "config": {"model_name": "sdar", "dataset": "gsm8k", "block_length": 4},
           "metrics": {"accuracy": 0.5, "correct": 1, "total": 2, "percentage": "50.00%", "avg_tokens_per_second": 12.5,
                       "pooled_tokens_per_second": 12.0, "avg_generation_time": 0.25, "total_generation_time": 0.5},
           "results": []}
    (tmp_path / "acc.json").write_text(json.dumps(doc))
    row = json.loads(compare(str(tmp_path / "acc.json")).stdout)["rows"][0]
    # per-request tok/s = the mean over questions (12.5), latency = mean generation time (0.25 s); 1 / 2 = 0.5
    assert (row["dataset"], row["request_output_tps"], row["mean_latency_s"], row["accuracy"]) == (
        "gsm8k", 12.5, 0.25, 0.5)
    assert row["output_throughput"] is None  # not a system throughput (the pooled tok/s is in its report)


def test_a_compare_report_of_the_old_column_meaning_is_refused_by_render(tmp_path: Path) -> None:
    # schema 2 put a client's own ratio in `speedup`; schema 3 keeps `speedup` for run directories only
    saved = compare(str(DATA / "seed000_example.json"))
    doc = json.loads(saved.stdout)
    assert saved.returncode == 0 and doc["schema_version"] == 3
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**doc, "schema_version": 2}))
    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "render", str(old)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "schema version 2; this speclens reads schema 3" in proc.stderr
    assert "re-run `speclens compare`" in proc.stderr
