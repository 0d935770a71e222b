"""Trap 3: how the server drafted and verified, read from what it ran with.

Facts (vLLM 0.32.0 as installed, vllm/config/speculative.py): `SpeculativeConfig` has
`draft_sample_method` ("greedy" | "probabilistic", default "greedy": the drafter takes the argmax)
and `rejection_sample_method` ("standard" | "synthetic" | "block", default "standard");
"synthetic" accepts drafts with a preset decaying probability (`synthetic_acceptance_rates` or
`synthetic_acceptance_length`), so its acceptance is not a measurement. Its startup line
(`SpeculativeConfig.__repr__`) prints only method, model and num_spec_tokens, so these are read
from run.json's speculative_config (the --speculative-config JSON); absent keys are vLLM's defaults.
The issue expected these options only from 0.33: the installed 0.32.0 already has them. Versions
without them draft with argmax (PR #16899); when run.json names a version before 0.32 the notice keeps
that wording (which release added the option was not checked). The issue's reading of 0.33+ adds
"fly" (lossy) to rejection_sample_method; 0.32.0 has no "fly".
n-gram and suffix decoding have no draft model: nothing is sampled from a drafter.
"""

from __future__ import annotations

from speclens.analyzers.acceptance.notice import Notice
from speclens.analyzers.traps.evidence import Evidence

MODEL_FREE = ("ngram", "suffix")


def _version(text: str | None) -> tuple[int, ...] | None:
    try:
        return tuple(int(p) for p in (text or "").split("+")[0].split(".")[:2])
    except ValueError:
        return None


def drafting_method(ev: Evidence) -> list[Notice]:
    spec = ev.speculative_config
    rejection = spec.get("rejection_sample_method")
    synthetic = [key for key in ("synthetic_acceptance_rates", "synthetic_acceptance_length") if spec.get(key) is not None]
    if rejection == "synthetic" or synthetic:
        named = ", ".join([f"rejection_sample_method={rejection}"] * (rejection == "synthetic") + synthetic)
        return [Notice(level="error", code="trap-synthetic-acceptance", location=ev.where, message=(
            f"the server ran with synthetic acceptance ({named}): vLLM accepted drafts with a preset probability, so "
            "acceptance and speedup are NOT a measurement; rerun without it"))]
    out = []
    if rejection == "fly":
        out.append(Notice(level="warning", code="trap-lossy-verification", location=ev.where, message=(
            "rejection_sample_method=fly is lossy: the output is not the target model's distribution, so this is not "
            "lossless speculative decoding; compare quality as well as speed")))
    temperature, method = ev.temperature, ev.spec_method
    if temperature is None or temperature <= 0 or method is None or method in MODEL_FREE:
        return out
    draft = spec.get("draft_sample_method")
    if draft == "probabilistic":
        return out
    version = _version(ev.vllm_version)
    if version is not None and version < (0, 32):
        how = f"vLLM {ev.vllm_version} drafts with argmax (PR #16899)"
    else:
        how = ("the drafter took the argmax (draft_sample_method " + ("greedy" if draft else "not set: vLLM's default greedy")
               + "); set \"draft_sample_method\": \"probabilistic\" in --speculative-config to draft by sampling")
    out.append(Notice(level="info", code="trap-greedy-drafting", location=ev.where, message=(
        f"sampling temperature {temperature:g} > 0: {how}, so acceptance is lower than a sampling drafter would see")))
    return out
