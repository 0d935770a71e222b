"""Is speculation faster than the target alone, at each load level? Paired runs → `SpeedupReport`.

- Levels pair by load: the same strategy and rate/streams. Constant-rate benchmarks of sweeps,
  whose rates differ between runs, pair by order but are "not comparable" (different offered load).
- Per level, six metrics (analyzers.speedup.metrics): `output_throughput` (system: Σ output
  tokens / benchmark window, what guidellm and vllm bench report), `request_output_tps` (mean
  per-request speed), and the request means of TTFT, TPOT, ITL and latency.
- The level's verdict is decided by `output_throughput` alone: faster when its 95% interval
  (analyzers.speedup.throughput_interval) lies above 1, slower below 1, else not distinguishable; n/a
  when there is no interval. The other metrics carry their own interval and verdict beside it.
- Runs that differ in a setting, a spec run that counted 0 drafts, or a level whose loads differ
  (the one verdict: analyzers.speedup.comparability.judge) get the verdict "not comparable" and no ratio,
  interval or per-metric verdict, unless forced (the reasons stay in the report either way).
- Measurement traps (analyzers.traps) are notices per side ("baseline: ..."); when a level's tokens
  arrived in one burst in either run (trap 12), TTFT, ITL and TPOT get no ratio, interval or verdict
  there: "n/a (streaming did not stream)", both runs' values kept.
"""

from __future__ import annotations

import os

from speclens.analyzers.acceptance.models import InputFile, Notice
from speclens.analyzers.speedup.comparability import RunContext, judge, judge_level
from speclens.analyzers.speedup.load_metrics import load_label
from speclens.analyzers.speedup.metrics import METRICS, Metric, compare_metric
from speclens.analyzers.speedup.models import Comparison, LoadLevel, RunInfo, SpeedupReport
from speclens.analyzers.speedup.throughput_interval import REQUEST_METHOD, TIME_METHOD
from speclens.analyzers.traps.pairs import pair_traps
from speclens.analyzers.traps.timing import NOT_STREAMED, did_not_stream
from speclens.analyzers.traps.wiring import side_traps
from speclens.parsers.guidellm import Benchmark, LoadRun

_ORDER = {"synchronous": 0, "concurrent": 1, "constant": 2, "poisson": 2, "async": 2, "throughput": 3}
OPEN_LOOP = ("constant", "poisson", "async")
# The full derivation, its assumptions and the measured coverage: analyzers.speedup.throughput_interval.
METHODS = {
    TIME_METHOD: "output_throughput: Σ output tokens / window per run; variance from overlapping batches of "
                 "L = 2 x mean request latency of the token-production curve (each request's tokens spread over "
                 "[start+TTFT, start+latency]), / (k-1); ratio interval exp(log R ± t·se), Welch df. Assumes "
                 "stationary production, correlation shorter than L, independent runs.",
    REQUEST_METHOD: "request means: batch means over requests in start order, batches of the mean number in flight "
                    "(Σ latency / window, Little's law); ratio interval on the log scale, Welch df.",
}


def pair_benchmarks(base: LoadRun, spec: LoadRun) -> tuple[list[tuple[Benchmark, Benchmark, list[str]]], list[str]]:
    """(pairs with each pair's load reasons, unpaired labels). Same (strategy, rate) first; leftover
    benchmarks of one strategy pair by order, marked as different loads."""
    pairs, left, unmatched = [], list(spec.benchmarks), []
    for b in base.benchmarks:
        match = next((s for s in left if s.strategy == b.strategy and s.rate == b.rate), None)
        if match is None:
            unmatched.append(b)
        else:
            left.remove(match)
            pairs.append((b, match, []))
    unpaired = []
    for b in unmatched:
        match = next((s for s in left if s.strategy == b.strategy), None)
        if match is None:
            unpaired.append(f"baseline {load_label(b)}")
            continue
        left.remove(match)
        pairs.append((b, match, [f"load differs: baseline {load_label(b)}, spec {load_label(match)} (paired by order)"]))
    unpaired += [f"spec {load_label(s)}" for s in left]
    return sorted(pairs, key=lambda p: (_ORDER.get(p[0].strategy, 2), p[0].rate or 0.0)), unpaired


def crossover(levels: list[LoadLevel]) -> str | None:
    """Where the level verdict stops being "faster", in load order."""
    verdicts = [lvl.verdict for lvl in levels]
    if "faster" not in verdicts:
        return None
    last_fast = max(i for i, v in enumerate(verdicts) if v == "faster")
    if last_fast == len(levels) - 1:
        return None
    return f"faster up to {levels[last_fast].label}; from {levels[last_fast + 1].label} on: {verdicts[last_fast + 1]}"


def _run_info(ctx: RunContext) -> RunInfo:
    return RunInfo(path=ctx.load.path, driver=ctx.load.schema if ctx.load.schema == "vllm-bench-serve"
                   else f"guidellm {ctx.load.schema}", levels=[load_label(b) for b in ctx.load.benchmarks],
                   speculation=ctx.speculation, speculation_evidence=ctx.speculation_evidence)


def _notices(base: RunContext, spec: RunContext, inputs: list[InputFile]) -> list[Notice]:
    notices = []
    same = os.path.realpath(base.load.path) == os.path.realpath(spec.load.path) or (
        len(inputs) == 2 and inputs[0].digest == inputs[1].digest)
    if same:
        notices.append(Notice(level="warning", code="same-input", message=(
            f"the same input was given twice ({spec.load.path}): every speedup is 1 by construction")))
    b, s = base.speculation, spec.speculation
    if b and s is False:
        notices.append(Notice(level="warning", code="swapped", message=(
            f"the baseline speculates ({base.speculation_evidence}) and the spec run does not "
            f"({spec.speculation_evidence}): were BASELINE and SPEC swapped? Speedups are spec/baseline as given")))
    elif b and s:
        notices.append(Notice(level="warning", code="baseline-speculates", message=(
            f"the baseline speculates too ({base.speculation_evidence}): this compares two speculative setups")))
    elif b is False and s is False:
        notices.append(Notice(level="warning", code="no-speculation", message="neither run speculates"))
    if (base.load.schema == "vllm-bench-serve") != (spec.load.schema == "vllm-bench-serve"):
        notices.append(Notice(level="warning", code="different-drivers", message=(
            "the runs were measured by different load drivers: TPOT and ITL are defined differently")))
    for ctx, name in ((base, "baseline"), (spec, "spec")):
        errored = sum(bm.totals.get("errored", 0) or 0 for bm in ctx.load.benchmarks)
        if errored:
            notices.append(Notice(level="warning", code="errored-requests", message=f"{name} has {errored} errored request(s)"))
    return notices


def _withheld(c: Comparison, why: str) -> Comparison:
    """A metric of a level without a verdict: both runs' values, no ratio, interval or verdict."""
    return c.model_copy(update={"speedup": None, "ci_low": None, "ci_high": None, "interval_method": None,
                                "interval_note": why, "verdict": "not comparable"})


STREAM_TIMED = ("mean_ttft_ms", "mean_itl_ms", "mean_tpot_ms")  # artefacts when tokens arrive in one burst (trap 12)


def _not_streamed(c: Comparison) -> Comparison:
    """A TTFT/ITL/TPOT comparison of a level where one run's tokens arrived in one burst
    (analyzers.traps.timing, trap 12): both values, no ratio, interval or verdict."""
    return c.model_copy(update={"speedup": None, "ci_low": None, "ci_high": None, "interval_method": None,
                                "interval_note": NOT_STREAMED, "verdict": "n/a"})


def build_speedup(base: RunContext | LoadRun, spec: RunContext | LoadRun, version: str, inputs: list[InputFile],
                  force: bool = False, metrics: tuple[Metric, ...] = METRICS) -> SpeedupReport:
    """The report; `metrics`: the ones to compare (the first, output_throughput, decides; compare
    needs only it)."""
    base = base if isinstance(base, RunContext) else RunContext(base)
    spec = spec if isinstance(spec, RunContext) else RunContext(spec)
    runs = judge(base, spec, force)
    notices = _notices(base, spec, inputs)
    notices += [n for ctx, name in ((base, "baseline"), (spec, "spec"))
                for n in side_traps(name, ctx.folder, ctx.load, ctx.hints)] + pair_traps(base.setup, spec.setup)
    pairs, unpaired = pair_benchmarks(base.load, spec.load)
    levels = []
    for b, s, load_reasons in pairs:
        comparisons = [compare_metric(m, b, s) for m in metrics]
        comparable, why = judge_level(runs, load_reasons)
        if not comparable and not force:
            comparisons = [_withheld(c, why or "") for c in comparisons]
        if did_not_stream(b) or did_not_stream(s):
            comparisons = [_not_streamed(c) if c.metric in STREAM_TIMED else c for c in comparisons]
        verdict = comparisons[0].verdict
        levels.append(LoadLevel(label=load_label(b), strategy=b.strategy, rate=b.rate, baseline_benchmark=b.index,
                                spec_benchmark=s.index, comparable=comparable, reasons=load_reasons, summary=why,
                                verdict=verdict, comparisons=comparisons))
        if b.strategy in OPEN_LOOP:
            notices.append(Notice(level="info", code="open-loop", message=(
                f"{load_label(b)} is an open loop: below saturation its output_throughput is the offered load in both "
                "runs; the request means (latency, TPOT) show the difference there")))
    return SpeedupReport(speclens_version=version, baseline=_run_info(base), spec=_run_info(spec), inputs=inputs,
                         methods=METHODS, comparability=runs,
                         levels=levels, unpaired=unpaired, crossover=crossover(levels), notices=notices)
