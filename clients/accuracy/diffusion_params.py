"""The diffusion knobs of the GSM8K client as vLLM 0.32's diffusion models take them, and the
server's diffusion counters around a run.

vLLM (DiffusionGemma, `vllm/model_executor/models/diffusion_gemma.py` and
`vllm/utils/diffusion.py`) reads per-request diffusion options from `SamplingParams.extra_args`,
which the OpenAI server fills from the request's `vllm_xargs`:
- `diffusion_canvas_length`: the request's canvas (block) width, a positive int no larger than the
  served `--diffusion-config '{"canvas_length": N}'` (else HTTP 400): our --block-length;
- `diffusion_max_steps`: a cap on denoising iterations per canvas (the model converges earlier when
  confident): our --denoising-steps;
- temperature is the ordinary request temperature.
There is no per-request confidence threshold or remasking strategy: DiffusionGemma reads
`confidence_threshold` (a mean-entropy bound) and its EntropyBound sampler's `entropy_bound` from
the model's generation_config.json. Those two knobs are recorded in the result JSON and named once
on the console as not sent. Models that are not diffusion models ignore `vllm_xargs` entries
silently, so whether the knobs had an effect is judged from the server's own vllm:diffusion_*
counters around the run (`knob_effect`), never assumed from the request.
"""

from __future__ import annotations

from speclens.clients.common.http import OpenAIServer, ServerError
from speclens.parsers.diffusion_scrape import DiffusionScrape, diff_diffusion, parse_diffusion_scrape
from speclens.parsers.errors import ParseError

REMASKING = ("low_confidence_dynamic", "low_confidence_static", "sequential", "entropy_bounded")
UNSENT = {
    "confidence_threshold": "vLLM takes no per-request confidence threshold; DiffusionGemma reads confidence_threshold "
                            "from the model's generation_config.json (set it there, or serve with "
                            "--override-generation-config)",
    "remasking_strategy": "vLLM takes no per-request remasking strategy; DiffusionGemma's sampler is the EntropyBound "
                          "one configured in generation_config.json (sampler_config)",
}


def request_xargs(block_length: int, denoising_steps: int) -> dict[str, int]:
    """The `vllm_xargs` of every request."""
    return {"diffusion_canvas_length": block_length, "diffusion_max_steps": denoising_steps}


async def scrape(server: OpenAIServer) -> tuple[DiffusionScrape | None, str | None]:
    """(the server's diffusion counters, None) or (None, why there are none)."""
    try:
        text = await server.metrics_text()
    except ServerError as err:
        return None, f"GET /metrics failed ({err})"
    try:
        counters = parse_diffusion_scrape(f"{server.base_url}/metrics", text)
    except ParseError as err:
        return None, f"GET /metrics is not Prometheus text ({err})"
    if not counters.engines:
        return None, NO_COUNTERS
    return counters, None


NO_COUNTERS = "the server exports no vllm:diffusion_* counters (not a diffusion model, or vLLM < 0.32)"
IGNORED = "no diffusion counters moved: the server ignored block_length/denoising_steps"


def server_counts(before: DiffusionScrape | None, after: DiffusionScrape | None) -> dict | None:
    """The run's diffusion counter deltas summed over engines, with their pooled rates (None
    without both scrapes). `restarted` lists counters that went down (the delta is then the
    after value)."""
    if before is None or after is None:
        return None
    delta, resets = diff_diffusion(before, after)
    total = delta.total()
    committed, steps, positions = total.committed or 0, total.denoising_steps or 0, total.canvas_positions or 0
    return {"source": "/metrics vllm:diffusion_* after − before, summed over engines",
            "committed_tokens": committed, "denoising_steps": steps, "canvas_positions": positions,
            "committed_per_step": committed / steps if steps else None,
            "steps_per_canvas": positions / committed if committed else None,
            "restarted": [r.counter for r in resets]}


def per_request(reply: dict) -> dict | None:
    """A reply's own denoising numbers, when vLLM attaches them (`metrics.speculative_decoding`,
    which a diffusion model fills from the same data path: steps, canvas positions, committed)."""
    spec = (reply.get("metrics") or {}).get("speculative_decoding") if isinstance(reply.get("metrics"), dict) else None
    if not isinstance(spec, dict) or not isinstance(spec.get("num_spec_steps"), int):
        return None
    out = {"denoising_steps": spec["num_spec_steps"], "canvas_positions": spec.get("num_draft_tokens"),
           "committed_tokens": spec.get("num_accepted_draft_tokens")}
    if isinstance(spec.get("per_step_accepted"), list):
        out["per_step_committed"] = spec["per_step_accepted"]
    return out


def knob_effect(block_length: int, denoising_steps: int, sent: bool, counts: dict | None, why: str | None) -> dict:
    """The `diffusion_knobs` record: the knobs as requested, and whether they had an effect. applied:
    True when sent and the run moved the server's diffusion counters (`counts`, from server_counts);
    False when not sent, when the server exports no diffusion counters (`why` is NO_COUNTERS), or when
    none of them moved; None when /metrics could not be read (`why` says how)."""
    requested = {"block_length": block_length, "denoising_steps": denoising_steps}
    if not sent:
        applied, evidence = False, "not sent (--no-diffusion-params)"
    elif counts is None and why == NO_COUNTERS:
        applied, evidence = False, f"{IGNORED}; {NO_COUNTERS}"
    elif counts is None:
        applied, evidence = None, f"could not tell whether the server applied block_length/denoising_steps: {why}"
    elif any(counts[k] for k in ("committed_tokens", "denoising_steps", "canvas_positions")):
        applied, evidence = True, ("diffusion counters moved: the server decoded by diffusion with the requested "
                                   "block_length/denoising_steps (sent as vllm_xargs)")
    else:
        applied, evidence = False, f"{IGNORED}; its vllm:diffusion_* counters did not change during the run"
    return {"requested": requested, "applied": applied, "evidence": evidence}
