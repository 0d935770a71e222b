"""Traps 1 and 2: what the prompts and the stopping rule were.

1. Synthetic / random-token prompts: guidellm's synthetic data (the driver JSON's data spec has
   `prompt_tokens`: parsers.load_config; run.json `dataset` "emulated" or a `data_spec` of kind
   synthetic_text). Acceptance on random tokens is not that of real text. Info: it is the default.
2. ignore_eos: guidellm 0.8.1 sets `ignore_eos: true` (and `stop: null`) in every request body when
   its data fixes the output tokens (backends/openai/request_handlers.py, completions and chat);
   `vllm bench serve --ignore-eos` (random data sets it itself: benchmarks/serve.py) shows in
   run.json's load_command. Tokens past the natural end are drafted too, which changes acceptance.
13. `vllm bench serve --backend openai-chat` on custom / hf / spec_bench / speed_bench data before
   vLLM 0.34 applied the chat template twice: the data set renders it into the prompt text
   (0.32.0 vllm/benchmarks/datasets/datasets.py, CustomDataset: `tokenizer.apply_chat_template`
   unless --skip-chat-template) and the chat endpoint applies it again (fixed in 0.34, issue 25).
   Read from run.json's load_command (--backend, --dataset-name, --skip-chat-template) or the
   bench JSON's `backend` with that command, and run.json's vLLM version; a warning before 0.34,
   info when no version is recorded.
vllm bench's result JSON records neither its dataset nor --ignore-eos: without a run.json that
names them these checks say nothing for it.
"""

from __future__ import annotations

import shlex

from speclens.analyzers.acceptance.notice import Notice
from speclens.parsers.run_manifest import option_value
from speclens.analyzers.traps.evidence import Evidence
from speclens.analyzers.traps.pairs import minor_version

TEMPLATED_DATA = ("custom", "hf", "spec_bench", "speed_bench")


def _synthetic(ev: Evidence) -> str | None:
    """Why the prompts are synthetic (None: not known to be)."""
    if ev.load is not None and ev.load.config.prompt_tokens is not None:
        return f"the load results' data spec generates {ev.load.config.prompt_tokens}-token synthetic prompts"
    config = ev.config
    if config is not None and (config.dataset == "emulated" or "synthetic" in (config.data_spec or "")):
        return f"run.json: dataset {config.dataset!r}, --data {config.data_spec or 'n/a'}"
    command = (config.load_command or "") if config else ""
    if "--dataset-name" in command and "'random" in command.split("--dataset-name", 1)[1][:12]:
        return "run.json load_command: vllm bench --dataset-name random"
    return None


def synthetic_prompts(ev: Evidence) -> list[Notice]:
    why = _synthetic(ev)
    if why is None:
        return []
    return [Notice(level="info", code="trap-synthetic-prompts", location=ev.where, message=(
        f"synthetic prompts ({why}): acceptance on random tokens is not that of real text (SPEED-Bench reports "
        "speculative throughput overestimated by about 23% on random-token inputs); measure on your own data "
        "(run_eval.sh --dataset) before trusting it"))]


def ignore_eos(ev: Evidence) -> list[Notice]:
    command = (ev.config.load_command or "") if ev.config else ""
    if "--ignore-eos" in command:
        why = "run.json load_command has --ignore-eos"
    elif ev.load is not None and ev.load.schema != "vllm-bench-serve" and ev.load.config.output_tokens is not None:
        why = (f"guidellm's data fixes {ev.load.config.output_tokens} output tokens, so it sends ignore_eos: true "
               "with every request")
    elif "--dataset-name" in command and "'random" in command.split("--dataset-name", 1)[1][:12]:
        why = "vllm bench sets ignore_eos for --dataset-name random"
    else:
        return []
    return [Notice(level="info", code="trap-ignore-eos", location=ev.where, message=(
        f"ignore_eos ({why}): tokens past each answer's natural end are generated and drafted, which changes "
        "acceptance; use a dataset whose answers end on their own to measure real requests"))]


def chat_template_twice(ev: Evidence) -> list[Notice]:
    try:
        argv = shlex.split((ev.config.load_command or "") if ev.config else "")
    except ValueError:
        argv = []
    if "bench" not in argv or "--skip-chat-template" in argv:
        return []
    dataset = option_value(argv, "--dataset-name")
    backend = option_value(argv, "--backend")
    if backend is None and ev.load is not None and ev.load.schema == "vllm-bench-serve":
        backend = "openai-chat" if (ev.load.config.endpoint or "").endswith("/chat/completions") else None
    if backend != "openai-chat" or dataset not in TEMPLATED_DATA:
        return []
    version = ev.vllm_version
    minor = minor_version(version) if version else None
    if minor is not None and minor >= (0, 34):
        return []
    when = f"vLLM {version} is before 0.34" if minor else "run.json records no vLLM version (the bug is fixed in 0.34)"
    return [Notice(level="warning" if minor else "info", code="trap-chat-template-twice", location=ev.where, message=(
        f"vllm bench serve --backend openai-chat --dataset-name {dataset}, and {when}: the chat template was applied "
        "twice (the data set renders it into the prompt, the chat endpoint again), so the prompts and the acceptance "
        "are suspect; rerun with --skip-chat-template or vLLM >= 0.34"))]
