"""Every measurement-trap check with its reason: the one list (`CHECKS`). The README's
"Measurement traps" section is `readme_list()`, tested equal (tests/analyzers/test_traps_registry.py).

`run_traps(ev)`: every run check's notices, in trap order. A check that cannot tell (no run.json, no
load results) says nothing; it never guesses. Traps 4 and 11 judge a pair (`run` None here): they are
part of the comparability verdict (analyzers.traps.pairs, called by analyzers.speedup.comparability).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from speclens.analyzers.acceptance.notice import Notice
from speclens.analyzers.traps.evidence import Evidence
from speclens.analyzers.traps.load import load_below_requested
from speclens.analyzers.traps.prompts import chat_template_twice, ignore_eos, synthetic_prompts
from speclens.analyzers.traps.samples import few_counts, sampled_requests
from speclens.analyzers.traps.sampling import drafting_method
from speclens.analyzers.traps.server import partial_engines, prefix_cache_hits
from speclens.analyzers.traps.timing import not_streamed, short_run


@dataclass(frozen=True)
class Check:
    trap: int  # the trap's number in issue 25
    codes: tuple[str, ...]  # the notice codes it can fire (level in brackets)
    reads: str  # what fires it
    reason: str  # why it matters, and what the user is told
    run: Callable[[Evidence], list[Notice]] | None  # None: a pair check (analyzers.traps.pairs)


CHECKS: tuple[Check, ...] = (
    Check(1, ("trap-synthetic-prompts (info)",), "synthetic data in the load results' data spec or run.json",
          "acceptance on random tokens is not that of real text (about 23% overestimated throughput, SPEED-Bench)",
          synthetic_prompts),
    Check(2, ("trap-ignore-eos (info)",), "guidellm data with fixed output tokens (it sends ignore_eos), "
          "--ignore-eos or vllm bench random data in run.json",
          "tokens past the natural end are generated and drafted, which changes acceptance", ignore_eos),
    Check(3, ("trap-greedy-drafting (info)", "trap-synthetic-acceptance (error)", "trap-lossy-verification (warning)"),
          "temperature > 0 with a draft model; run.json's speculative_config (draft_sample_method, "
          "rejection_sample_method, synthetic_acceptance_*)",
          "an argmax drafter accepts less at T > 0; synthetic acceptance is not a measurement; fly is lossy",
          drafting_method),
    Check(4, ("trap-version-boundary (warning)",), "a baseline/spec pair whose run.json vLLM versions straddle 0.34",
          "0.34 removed Model Runner V1, changed suffix decoding's default k (24 -> min(8, max_tree_depth)) and stopped "
          "filtering grammar-invalid drafts: the numbers change with the version, not with speculation; "
          "speedup/compare give no verdict without --force", None),
    Check(5, ("trap-partial-engines (warning)",), "a log whose SpecDecoding lines come from fewer engines than the "
          "/metrics delta counted drafts on", "the log holds part of a data-parallel server: its totals are not the "
          "run's; the /metrics delta is", partial_engines),
    Check(6, ("trap-sampled-requests (warning)",), "fewer per-request rows than successful requests (guidellm sample_size)",
          "the rows are a sample: sums over them are not totals", sampled_requests),
    Check(7, ("trap-few-requests (info)", "trap-few-drafts (warning)"),
          "fewer than 100 requests in a benchmark; a draft acceptance rate whose 95% interval is wider than ±0.10",
          "says how many requests a percentile needs and how many draft tokens the rate needs", few_counts),
    Check(8, ("trap-load-below-requested (warning)",), "an open-loop level (constant, poisson, vllm bench "
          "--request-rate) sent below its rate, ended with queued requests, or finished requests slower than it "
          "sent them (beyond 10% or 3/sqrt(n-1))", "the level's speedup is not at the load it claims", load_below_requested),
    Check(9, ("trap-prefix-cache-hits (warning)",), "vllm:prefix_cache_hits / queries >= 50% over the run's scrapes",
          "repeated prompts make prefill cheap and inflate throughput and TTFT, not alike for both runs", prefix_cache_hits),
    Check(10, ("trap-short-run (info with a /metrics delta, else warning)",),
          "a run directory whose load ran less than one stats interval (run.json's log_stats_interval_s, else vLLM's default 10 s)",
          "the log cannot be scoped to the run: the /metrics delta is the only truth", short_run),
    Check(11, ("trap-different-setup (warning)",), "a baseline/spec pair whose run.json records different vLLM "
          "versions, hardware, tensor-parallel sizes or max-num-seqs", "the speedup mixes the setup's difference with "
          "speculation's: part of the comparability verdict (no verdict without --force)", None),
    Check(12, ("trap-not-streamed (warning)",), "a benchmark where half or more of the requests got their first "
          "token in the last 10% of their latency", "TTFT/ITL/TPOT are artefacts: speedup gives them no verdict", not_streamed),
    Check(13, ("trap-chat-template-twice (warning; info without a recorded version)",), "run.json's load_command: "
          "vllm bench serve --backend openai-chat on custom/hf/spec_bench/speed_bench data, vLLM before 0.34, no "
          "--skip-chat-template", "the chat template was applied twice: prompts and acceptance are suspect",
          chat_template_twice),
)


def run_traps(ev: Evidence) -> list[Notice]:
    return [n for check in CHECKS if check.run is not None for n in check.run(ev)]


def trap_codes(notices: list[Notice]) -> list[str]:
    """The distinct trap codes among `notices`, in order (compare's flags column)."""
    return list(dict.fromkeys(n.code for n in notices if n.code.startswith("trap-")))


def readme_list() -> str:
    """The README's list of checks (generated; tested equal)."""
    return "".join(f"- **Trap {c.trap}** ({', '.join(f'`{code.split()[0]}`' + code[len(code.split()[0]):] for code in c.codes)}): "
                   f"fires on {c.reads}. Why: {c.reason}.\n" for c in CHECKS)
