"""Python helpers hand values to bash as KEY=VALUE lines, read by key with launchers/lib.sh
lib::key_values (never by line position, never evaluated) (issue 21): launchers/model_info.py for
run_eval.sh, `spec_thinking_config --launcher-fields` for launchers/qwen3.sh; and run_eval.sh's
phase record hands its settings to launchers/manifest.py as KEY=VALUE, typed there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def bash(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", f'set -Eeuo pipefail; source "{ROOT}/launchers/lib.sh"; {script}'],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "SPECLENS_PY": sys.executable, **env})


def test_model_info_prints_key_value_lines(tmp_path: Path) -> None:
    ckpt, plain = tmp_path / "my ckpt", tmp_path / "plain"
    ckpt.mkdir()
    plain.mkdir()
    (plain / "config.json").write_text('{"model_type": "llama"}')
    (ckpt / "config.json").write_text(json.dumps({"speculators_model_type": "eagle3", "speculators_config": {
        "algorithm": "eagle3", "proposal_methods": [{"proposal_type": "greedy", "speculative_tokens": 5}],
        "verifier": {"name_or_path": str(plain)}}}))

    def info(model: Path) -> str:
        proc = subprocess.run([sys.executable, str(ROOT / "launchers" / "model_info.py"), str(model)],
                              capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert info(ckpt) == f"FORMAT=speculators\nALGORITHM=eagle3\nK=5\nVERIFIER={plain}\n"
    assert info(plain) == "FORMAT=other\nALGORITHM=\nK=\nVERIFIER=\n"
    assert info(tmp_path) == "FORMAT=no-config\nALGORITHM=\nK=\nVERIFIER=\n"  # a directory without config.json


def test_spec_thinking_launcher_fields_are_key_value_lines() -> None:
    proc = subprocess.run([sys.executable, "-m", "speclens.clients.spec_thinking_config", "--launcher-fields",
                           str(ROOT / "clients" / "spec_thinking" / "configs" / "qwen3_1.7b_32b.yml")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    # qwen3_1.7b_32b.yml: target Qwen3-32B on 2 GPUs, speculative Qwen3-1.7B on 1, the default memory
    # fractions 0.9 / 0.2, one trigger list entry
    assert proc.stdout == ("LARGE_MODEL=Qwen/Qwen3-32B\nSMALL_MODEL=Qwen/Qwen3-1.7B\nLARGE_TP=2\nSMALL_TP=1\n"
                           "LARGE_MEM=0.9\nSMALL_MEM=0.2\nTRIGGERS=1\n")


def test_key_values_reads_by_key_whatever_the_order_and_the_characters() -> None:
    text = "B=two words/with=equals 'and' \"quotes\" $(touch /nonexistent)\nA=\n"  # in the environment: not expanded
    proc = bash('lib::key_values src "$TEXT" X_ A B; printf "<%s>\\n" "$X_A" "$X_B"', TEXT=text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "<>\n<two words/with=equals 'and' \"quotes\" $(touch /nonexistent)>\n"  # never evaluated


def test_key_values_refuses_a_missing_unknown_or_malformed_line() -> None:
    for text, why in [("A=1", "src: printed no B= line (expected A B)"),
                      ("A=1\nB=2\nC=3", "src: expected KEY=VALUE lines with KEY one of A B, got 'C=3'"),
                      ("A=1\nB 2", "src: expected KEY=VALUE lines with KEY one of A B, got 'B 2'"),
                      ("A=1\nA B=2", "src: expected KEY=VALUE lines with KEY one of A B, got 'A B=2'")]:
        proc = bash('lib::key_values src "$TEXT" X_ A B; echo reached', TEXT=text)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"error: {why}\n")


def test_run_eval_reads_model_info_by_key(tmp_path: Path) -> None:
    # a stand-in model_info.py printing the keys in another order: run_eval::resolve_speculators reads them by key
    fake = tmp_path / "launchers" / "model_info.py"
    fake.parent.mkdir()
    fake.write_text('print("VERIFIER=/v/with space\\nK=7\\nALGORITHM=eagle3\\nFORMAT=speculators")\n')
    script = (f'source "{ROOT}/run_eval.sh"; ROOT="{tmp_path}" MODEL=ckpt K=3 K_GIVEN="" METHOD=""; '
              'run_eval::resolve_speculators; echo "$MODEL_FORMAT|$SPEC_ALGORITHM|$K|$VERIFIER"')
    proc = subprocess.run(["bash", "-c", script],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "SPECLENS_PY": sys.executable})
    assert (proc.returncode, proc.stdout) == (0, "speculators|eagle3|7|/v/with space\n"), proc.stderr


def test_a_phase_records_its_typed_settings_and_an_extra_speculative_config_wins(tmp_path: Path) -> None:
    script = f'''source "{ROOT}/run_eval.sh"
"$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "{tmp_path}" --
TEMPERATURE="" DATA_SPEC=kind=json_file,path=/d.jsonl DATA_PROMPT_TOKENS="" DATA_OUTPUT_TOKENS=""
PROFILE_SPEC=kind=synchronous MAX_REQUESTS=0 MAX_SECONDS=30 SERVER_CMD=(vllm serve t) LOAD_CMD=(guidellm run)
EXTRA_VLLM_ARGS=(--seed 1 --speculative-config '{{"num_speculative_tokens": 2}}')
run_eval::record_phase "{tmp_path}" /m/target ""'''
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "SPECLENS_PY": sys.executable, "VLLM_LOG_STATS_INTERVAL": "5"})
    assert proc.returncode == 0, proc.stderr
    config = json.loads((tmp_path / "run.json").read_text())["config"]
    assert config == {"target": "/m/target", "data_spec": "kind=json_file,path=/d.jsonl", "profile": "kind=synchronous",
                      "max_requests": 0, "max_seconds": 30.0, "temperature": None,  # "": the server's default
                      "server_command": "'vllm' 'serve' 't'", "load_command": "'guidellm' 'run'",
                      "speculative_config": '{"num_speculative_tokens": 2}',  # the user's, last on the command line
                      "prompt_tokens": None, "output_tokens": None, "endpoint": "/v1/chat/completions",
                      "per_request_metrics": "off",  # speculating (the user's config), no per-request level chosen
                      "log_stats_interval_s": 5.0}  # serve::env's VLLM_LOG_STATS_INTERVAL (trap 10 reads it)
