"""`vllm bench serve --save-result` JSON as the same `LoadRun` shape guidellm results become.

Per request (lists aligned by index): `input_lens`, `output_lens`, `ttfts` (s), `itls` (lists of
s), `latencies` (s), `start_times`, `errors` ("" on success). Derived per request: TPOT =
(latency − TTFT)/(output tokens − 1), output tokens/s = output tokens / latency, ITL = mean of
`itls`. Load: `max_concurrency` with an infinite rate → concurrent streams; infinite rate alone →
throughput; else constant (burstiness 1 → poisson) at `request_rate`. The `spec_decode_*` keys
(≥ vLLM 0.14) are /metrics deltas over the run: exact integers. The `diffusion_*` keys (vLLM 0.32,
diffusion LMs; `bench_diffusion`) are too, but vllm bench derives its own step count: with S, P, C
the deltas of the denoising-step, canvas-position and committed-token counters, it writes
`diffusion_denoising_steps` = int(S − C·S/P) (the commit step of each canvas excluded, truncated),
`diffusion_steps_per_canvas` = (S − C·S/P) / (C·S/P), `diffusion_committed_per_step` = C / (S − C·S/P)
and `diffusion_committed_throughput` = C / benchmark duration (floats at full precision).

Every save (with or without `--save-detailed`) also has the run's aggregates, carried as
`DriverAggregates`: `completed`, `total_output_tokens`, `total_input_tokens`, `output_throughput`
(= total_output_tokens / duration), `mean_ttft_ms`, `mean_tpot_ms` (request means), `mean_itl_ms`
(every inter-token gap of every request pooled: token-weighted), `mean_e2el_ms` when saved, else
the mean of `latencies` (s), and `latencies` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import Benchmark, LoadRun, RequestRow
from speclens.parsers.load_config import CHAT, COMPLETIONS, DriverAggregates, LoadConfig, number, whole

REQUIRED = ("input_lens", "output_lens", "ttfts", "itls")
AGGREGATE = ("completed", "duration", "request_throughput")


@dataclass(frozen=True, slots=True)
class BenchSpecDecode:
    num_drafts: int
    draft_tokens: int
    accepted_tokens: int
    acceptance_length: float | None
    acceptance_rate_pct: float | None
    per_position: list[float] | None


@dataclass(frozen=True, slots=True)
class BenchDiffusion:
    """The `diffusion_*` keys of one result, as vllm bench defines them (see the module doc)."""

    committed_tokens: int
    canvas_positions: int
    denoising_steps_excluding_commit: int  # int(S − C·S/P): truncated
    committed_throughput: float | None  # committed / benchmark duration
    steps_per_canvas: float | None  # (S − C·S/P) / (C·S/P)
    committed_per_step: float | None  # C / (S − C·S/P)


DIFFUSION_KEYS = ("diffusion_committed_tokens", "diffusion_denoising_steps", "diffusion_canvas_positions")


def bench_diffusion(path: str, doc: dict) -> BenchDiffusion | None:
    """The result's diffusion keys (None when it has none); ParseError when one is not a count."""
    if not any(key in doc for key in DIFFUSION_KEYS):
        return None
    counts = []
    for key in DIFFUSION_KEYS:
        value = whole(doc.get(key))
        if value is None or value < 0:
            raise ParseError(path, None, f"expected a non-negative integer for '{key}', got {str(doc.get(key))[:40]!r}",
                             "pass the JSON vllm bench serve --save-result wrote, unchanged")
        counts.append(value)
    return BenchDiffusion(counts[0], counts[2], counts[1], number(doc.get("diffusion_committed_throughput")),
                          number(doc.get("diffusion_steps_per_canvas")), number(doc.get("diffusion_committed_per_step")))


def is_vllm_bench(doc: object) -> bool:
    """Per-request lists (`--save-detailed`), or at least the aggregate keys every save has."""
    if not isinstance(doc, dict):
        return False
    return all(key in doc for key in REQUIRED) or all(key in doc for key in AGGREGATE)


def _load(doc: dict) -> tuple[str, float | None]:
    rate, concurrency = doc.get("request_rate"), doc.get("max_concurrency")
    infinite = rate in ("inf", None) or (isinstance(rate, float) and rate == float("inf"))
    if infinite:
        return ("concurrent", float(concurrency)) if concurrency else ("throughput", None)
    return ("poisson" if doc.get("burstiness", 1.0) == 1.0 else "constant"), float(rate)


def _row(i: int, doc: dict) -> RequestRow:
    def at(key: str) -> object:
        values = doc.get(key)
        return values[i] if isinstance(values, list) and i < len(values) else None

    ttft, latency, out = at("ttfts"), at("latencies"), at("output_lens")
    itls = at("itls")
    tpot = ((latency - ttft) / (out - 1) * 1000.0) if isinstance(latency, float) and isinstance(ttft, float) \
        and isinstance(out, int) and out > 1 else None
    error = at("errors")
    return RequestRow(
        status="errored" if error else "successful", start=at("start_times"),  # type: ignore[arg-type]
        latency_s=latency if isinstance(latency, float) else None,
        ttft_ms=ttft * 1000.0 if isinstance(ttft, float) else None,
        itl_ms=sum(itls) / len(itls) * 1000.0 if isinstance(itls, list) and itls else None,
        tpot_ms=tpot, prompt_tokens=at("input_lens"), output_tokens=out,  # type: ignore[arg-type]
        output_tps=out / latency if isinstance(out, int) and isinstance(latency, float) and latency > 0 else None,
        tokens_per_iteration=None)


def _aggregates(doc: dict) -> DriverAggregates:
    latencies = doc.get("latencies")
    lat = tuple(float(v) for v in latencies if number(v) is not None) if isinstance(latencies, list) else ()
    e2el = number(doc.get("mean_e2el_ms"))
    return DriverAggregates(
        successful=whole(doc.get("completed")), output_tokens=whole(doc.get("total_output_tokens")),
        prompt_tokens=whole(doc.get("total_input_tokens")), output_throughput=number(doc.get("output_throughput")),
        mean_ttft_ms=number(doc.get("mean_ttft_ms")), mean_tpot_ms=number(doc.get("mean_tpot_ms")),
        mean_itl_ms=number(doc.get("mean_itl_ms")), mean_itl_weighting="token",
        mean_latency_s=e2el / 1000.0 if e2el is not None else (sum(lat) / len(lat) if lat else None), latencies_s=lat)


def _config(doc: dict) -> LoadConfig:
    backend = doc.get("endpoint_type") or doc.get("backend")
    endpoint = CHAT if backend == "openai-chat" else COMPLETIONS if backend in ("vllm", "openai") else None
    return LoadConfig(endpoint=endpoint)


def parse_vllm_bench(path: str, doc: dict) -> tuple[LoadRun, BenchSpecDecode | None]:
    if not is_vllm_bench(doc):
        raise ParseError(path, None, f"expected vllm bench serve --save-result JSON with keys {', '.join(AGGREGATE)}")
    strategy, rate = _load(doc)
    rows = [_row(i, doc) for i in range(len(doc.get("input_lens") or []))]
    if rows:
        totals = {"successful": sum(r.status == "successful" for r in rows),
                  "errored": sum(r.status == "errored" for r in rows), "incomplete": 0}
    else:  # saved without --save-detailed: counts only, no per-request rows
        totals = {"successful": int(doc.get("completed") or 0), "errored": int(doc.get("failed") or 0), "incomplete": 0}
    run = LoadRun(path, "vllm-bench-serve", doc.get("vllm_version") if isinstance(doc.get("vllm_version"), str) else None,
                  doc.get("model_id"), [Benchmark(0, strategy, rate, number(doc.get("duration")), totals, rows,
                                                  _aggregates(doc))], _config(doc))
    spec = None
    if "spec_decode_num_drafts" in doc:
        spec = BenchSpecDecode(int(doc["spec_decode_num_drafts"]), int(doc["spec_decode_draft_tokens"]),
                               int(doc["spec_decode_accepted_tokens"]), doc.get("spec_decode_acceptance_length"),
                               doc.get("spec_decode_acceptance_rate"), doc.get("spec_decode_per_position_acceptance_rates"))
    return run, spec
