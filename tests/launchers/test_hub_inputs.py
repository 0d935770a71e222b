"""-d ORG/NAME[:FILE] and -m <speculators checkpoint | hub ID> through huggingface_hub's own cache
code, offline for real: a dataset repo laid out in a private hub cache (tests/launchers/hf_cache.py),
run_eval.sh --dry-run on it, and hub IDs that are neither cached nor reachable failing within seconds
with the ID and the cache folder they were looked for in."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.launchers.hf_cache import REPO, lay_out


def run(argv: list[str], hub: Path, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "HF_HUB_CACHE": str(hub), "HF_HUB_OFFLINE": "1", "SPECLENS_PY": sys.executable,
                               **env})


def fetch(spec: str, hub: Path) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "launchers/fetch_dataset.py", spec], hub)


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    lay_out(tmp_path / "hub")
    return tmp_path / "hub"


def snapshot(hub: Path) -> Path:
    return next((hub / f"datasets--{REPO.replace('/', '--')}" / "snapshots").iterdir())


def test_the_first_data_file_by_path_is_the_default(hub: Path) -> None:
    proc = fetch(REPO, hub)
    # HumanEval.jsonl < math_reasoning.jsonl < qa.jsonl < ... (uppercase sorts first)
    assert (proc.returncode, proc.stdout) == (0, f"{snapshot(hub)}/HumanEval.jsonl\n"), proc.stderr


def test_file_picks_one_subset_and_a_missing_one_lists_the_subsets(hub: Path) -> None:
    assert fetch(f"{REPO}:qa.jsonl", hub).stdout == f"{snapshot(hub)}/qa.jsonl\n"
    proc = fetch(f"{REPO}:code.jsonl", hub)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"error: dataset {REPO}:code.jsonl: no file 'code.jsonl' in the repository; its "
                           ".json/.jsonl files: HumanEval.jsonl, math_reasoning.jsonl, qa.jsonl, summarization.jsonl, "
                           "writing.jsonl\n")


def test_a_dataset_neither_cached_nor_reachable_names_the_cache_folder(hub: Path) -> None:
    started = time.monotonic()
    proc = run([sys.executable, "launchers/fetch_dataset.py", "acme/absent"], hub, HF_HUB_OFFLINE="",
               HF_ENDPOINT="http://127.0.0.1:9")  # nothing listens on the discard port: unreachable at once
    assert time.monotonic() - started < 10
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"error: dataset acme/absent: not in the local Hugging Face cache (looked in "
                                  f"{hub}/datasets--acme--absent;")
    assert "the hub (http://127.0.0.1:9) is not reachable" in proc.stderr


def test_the_prompt_column_is_found_or_named(hub: Path) -> None:
    column = [sys.executable, "launchers/fetch_dataset.py", "--column"]
    assert run([*column, str(snapshot(hub) / "qa.jsonl")], hub).stdout == "prompt\n"
    assert run([*column, str(snapshot(hub) / "writing.jsonl")], hub).stdout == "instruction\n"  # guidellm's 2nd name
    assert run([*column, str(snapshot(hub) / "writing.jsonl"), "id"], hub).stdout == "id\n"
    bad = run([*column, str(snapshot(hub) / "writing.jsonl"), "text"], hub)
    assert (bad.returncode, bad.stderr) == (2, (f"error: {snapshot(hub)}/writing.jsonl: --data-column 'text' is not "
                                                "a column; its columns: instruction, id\n"))


def test_no_prompt_column_asks_for_data_column(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"body": "x", "id": 1}\n')
    proc = run([sys.executable, "launchers/fetch_dataset.py", "--column", str(data)], tmp_path)
    assert (proc.returncode, proc.stderr) == (2, (f"error: {data}: no prompt column found among body, id; name it "
                                                  "with --data-column NAME\n"))


def dry_run(hub: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["./run_eval.sh", "-m", "tiny", "-o", "/nonexistent/r", "--no-baseline", *args, "--dry-run"], hub,
               PATH="/usr/bin:/bin")


def guidellm_data(proc: subprocess.CompletedProcess[str]) -> list[str]:
    [load] = [shlex.split(line) for line in proc.stdout.splitlines() if " run --backend " in line]
    start = load.index("--data")
    end = load.index("--output")
    return load[start:end]


def test_run_eval_passes_the_subset_and_its_column_to_guidellm(hub: Path) -> None:
    default = dry_run(hub, "-d", REPO)
    assert default.returncode == 0, default.stderr
    assert guidellm_data(default) == ["--data", f"kind=json_file,path={snapshot(hub)}/HumanEval.jsonl",
                                      "--data-column-mapper", "kind=generative_column_mapper,column_mappings.text_column=prompt"]
    named = dry_run(hub, "-d", f"{REPO}:writing.jsonl", "--data-column", "instruction")
    assert guidellm_data(named)[1:] == [f"kind=json_file,path={snapshot(hub)}/writing.jsonl", "--data-column-mapper",
                                        "kind=generative_column_mapper,column_mappings.text_column=instruction"]
    emulated = dry_run(hub, "-d", "emulated", "--prompt-tokens", "32")
    assert guidellm_data(emulated) == ["--data", "kind=synthetic_text,prompt_tokens=32,output_tokens=128"]
    refused = dry_run(hub, "-d", "emulated", "--data-column", "prompt")
    assert (refused.returncode, refused.stderr.splitlines()[-1]) == (
        2, "error: --data-column applies to a .json/.jsonl dataset, not 'emulated'")


# --- -m: a speculators-format checkpoint, or a hub ID -------------------------------------------------


def checkpoint(tmp_path: Path, verifier: str, k: int = 4) -> Path:
    """A speculators-format config.json (the schema vLLM reads) naming `verifier`."""
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({
        "speculators_model_type": "eagle3", "transformer_layer_config": {"model_type": "llama"},
        "speculators_config": {"algorithm": "eagle3", "default_proposal_method": "greedy",
                               "proposal_methods": [{"proposal_type": "greedy", "speculative_tokens": k}],
                               "verifier": {"name_or_path": verifier, "architectures": []}}}))
    return ckpt


def model_info(model: str, hub: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, f"{ROOT}/launchers/model_info.py", model], hub, cwd=cwd)


def test_a_checkpoint_names_algorithm_k_and_its_verifier_resolved_as_vllm_does(tmp_path: Path, hub: Path) -> None:
    verifier = tmp_path / "verifier"
    verifier.mkdir()
    expected = f"FORMAT=speculators\nALGORITHM=eagle3\nK=4\nVERIFIER={verifier}\n"  # KEY=VALUE since issue 21
    assert model_info(str(checkpoint(tmp_path, str(verifier))), hub).stdout == expected
    (tmp_path / "ckpt" / "config.json").write_text((tmp_path / "ckpt" / "config.json").read_text()
                                                   .replace(str(verifier), "./verifier"))
    relative = model_info(str(tmp_path / "ckpt"), hub, cwd=tmp_path)  # cwd: tmp_path, where ./verifier exists
    assert relative.stdout == expected, relative.stderr
    elsewhere = model_info(str(tmp_path / "ckpt"), hub, cwd=ROOT)  # vLLM reads relative paths from its cwd
    assert elsewhere.returncode == 2 and "'./verifier' is not a directory (relative paths are read from the " \
        f"working directory {ROOT}, as vLLM does)" in elsewhere.stderr


def test_a_hub_verifier_or_model_not_cached_fails_fast_naming_the_cache(tmp_path: Path, hub: Path) -> None:
    ckpt = checkpoint(tmp_path, "meta-llama/Llama-3.1-8B-Instruct")
    started = time.monotonic()
    proc = model_info(str(ckpt), hub)
    assert proc.returncode == 2 and time.monotonic() - started < 10
    assert proc.stderr.startswith("error: model meta-llama/Llama-3.1-8B-Instruct: not in the local Hugging Face "
                                  f"cache (looked in {hub}/models--meta-llama--Llama-3.1-8B-Instruct;")
    proc = run(["./run_eval.sh", "-m", "RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3", "-d", "emulated",
                "--dry-run"], hub)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines()[-1].startswith(
        "error: model RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3: not in the local Hugging Face cache (looked "
        f"in {hub}/models--RedHatAI--Llama-3.1-8B-Instruct-speculator.eagle3;")
    assert "HF_HUB_OFFLINE=1 is set" in proc.stderr


def test_a_cached_hub_checkpoint_is_read_from_the_cache(tmp_path: Path, hub: Path) -> None:
    verifier = tmp_path / "verifier"
    verifier.mkdir()
    root = hub / "models--acme--spec.eagle3"
    (root / "snapshots" / "c0ffee").mkdir(parents=True)
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text("c0ffee")
    config = checkpoint(tmp_path, str(verifier), k=2) / "config.json"
    (root / "snapshots" / "c0ffee" / "config.json").write_text(config.read_text())
    assert model_info("acme/spec.eagle3", hub).stdout == (
        f"FORMAT=speculators\nALGORITHM=eagle3\nK=2\nVERIFIER={verifier}\n")


def test_run_eval_serves_a_checkpoint_directly_and_its_verifier_as_the_baseline(tmp_path: Path, hub: Path) -> None:
    verifier = tmp_path / "verifier"
    verifier.mkdir()
    ckpt = checkpoint(tmp_path, str(verifier))
    proc = run(["./run_eval.sh", "-m", str(ckpt), "--baseline", "-o", "/nonexistent/r", "--dry-run"], hub,
               PATH="/usr/bin:/bin")
    assert proc.returncode == 0, proc.stderr
    lines = [shlex.split(line) for line in proc.stdout.splitlines()]
    spec_server, spec_load, base_server, base_load = lines[0], lines[1], lines[2], lines[3]
    assert spec_server[2:4] == ["serve", str(ckpt)] and "--speculative-config" not in spec_server
    assert base_server[2:4] == ["serve", str(verifier)] and "--speculative-config" not in base_server
    for load in (spec_load, base_load):
        assert load[load.index("--tokenizer") + 1] == f"kind=huggingface_auto,model={verifier}"
    assert f"served directly: speculators checkpoint, eagle3, k=4, verifier {verifier}" in proc.stderr
    assert f"baseline phase serves {verifier} alone" in proc.stderr


def test_run_eval_refuses_a_k_the_checkpoint_does_not_set_and_a_plain_model(tmp_path: Path, hub: Path) -> None:
    verifier = tmp_path / "verifier"
    verifier.mkdir()
    ckpt = checkpoint(tmp_path, str(verifier))
    proc = run(["./run_eval.sh", "-m", str(ckpt), "--num-speculative-tokens", "5", "--dry-run"], hub)
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1] == (
        f"error: -m {ckpt}: the checkpoint sets k=4 (speculators_config.proposal_methods); to serve it with k=5 add "
        "-- --speculative-config '{\"num_speculative_tokens\": 5}'")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "config.json").write_text('{"model_type": "llama"}')
    proc = run(["./run_eval.sh", "-m", str(plain), "--dry-run"], hub)
    assert proc.returncode == 2 and "its config.json has no speculators_config" in proc.stderr
