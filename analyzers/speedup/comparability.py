"""Did the baseline and the spec run see the same workload, and which of them speculates?

Each run is described by what is on disk next to its load-driver JSON (`RunContext`): the run
directory's `run.json` (parsers.run_manifest: its settings), the head of its `vllm_server.log`
(parsers.server_hints), its `metrics_before/after.prom`, and the driver JSON itself
(parsers.load_config). For each key the first source in this order that BOTH runs have is
compared, and the source is reported; a key neither source pair covers is "unknown" (reported,
never a refusal):

| key | sources, in order |
|---|---|
| model (the target) | run.json server command / target; server log engine line `model=`; driver JSON model name |
| temperature | the request bodies' `temperature`; run.json `--override-generation-config`; server log non-default args |
| prompt_tokens, output_tokens | run.json `--data`; driver JSON data config; else the measured mean per request (5% tolerance) |
| max_tokens | the request bodies' `max_tokens` / `max_completion_tokens` |
| endpoint | run.json `--backend request_format`; driver JSON (request format, request type or body) |
| vllm version, hardware, tensor_parallel_size, max_num_seqs | run.json (analyzers.traps.pairs, traps 4 and 11): listed only when both runs record them and they differ |

Load shape is compared per load level (analyzers.speedup.report). Speculation: the server log's engine
line (`speculative_config=...`), the /metrics counters, run.json's `--speculative-config`,
`SpecDecoding metrics:` lines, a vllm bench JSON's `spec_decode_*` keys: the first that tells.
Drafts counted during the run: the /metrics `vllm:spec_decode_num_drafts` counter (after − before,
else since server start), else a vllm bench JSON's `spec_decode_num_drafts`; a log alone counts none.

`judge(base, spec)` is the one verdict on a pair, used by `speedup`, `compare` and `report` (all
through analyzers.speedup.report.build_speedup): the pair is not comparable when a key differs, and the
spec run says nothing about speculation when it counted 0 drafts; a level is not comparable also
when its loads differ. Each reason has a detail line and a short form ("temperature differs").
"""

from __future__ import annotations

from dataclasses import dataclass

from speclens.analyzers.speedup.models import Comparability, KeyCheck
from speclens.analyzers.traps.pairs import Setup, run_setup, setup_checks
from speclens.parsers.guidellm import LoadRun
from speclens.parsers.prometheus import diff_scrapes, read_scrape
from speclens.parsers.run_dir import MANIFEST, METRICS_AFTER, METRICS_BEFORE, Detected, detect, read_manifest
from speclens.parsers.run_manifest import RunSettings, run_settings
from speclens.parsers.server_hints import ServerHints, read_server_hints

TOLERANCE = 0.05


@dataclass
class RunContext:
    load: LoadRun
    folder: str | None = None
    settings: RunSettings | None = None  # from run.json
    setup: Setup | None = None  # the server's setup, from run.json (traps 4 and 11)
    hints: ServerHints | None = None
    speculation: bool | None = None
    speculation_evidence: str = "no evidence found (no run.json, server log, /metrics scrape or spec_decode keys)"
    drafts: int | None = None  # drafts counted during the run (None: no counter says)
    drafts_evidence: str = ""
    files_read: tuple[str, ...] = ()  # besides the load file


def _scrape_evidence(here: Detected) -> tuple[bool | None, str, int | None]:
    after, before = here.file(METRICS_AFTER), here.file(METRICS_BEFORE)
    if after is None:
        return None, "", None
    scrape = read_scrape(after)
    if not scrape.engines:
        return False, f"{after} has no vllm:spec_decode_* counters", None
    drafts = scrape.total().drafts
    if before is not None:
        delta, _ = diff_scrapes(read_scrape(before), scrape)
        drafts = delta.total().drafts
    return True, f"{after}: vllm:spec_decode_* counters, {drafts or 0} drafts during the run", drafts


def gather_context(load: LoadRun, folder: str | None, bench_drafts: int | None) -> RunContext:
    """Read what describes the run next to its load file (`folder`: its run directory, if any)."""
    ctx = RunContext(load, folder)
    evidence: list[tuple[bool | None, str]] = []
    if folder:
        here = detect(folder)
        manifest = here.file(MANIFEST)
        ctx.files_read = tuple(p for p in map(here.file, (MANIFEST, METRICS_BEFORE, METRICS_AFTER)) if p) + (
            (here.log,) if here.log else ())
        parsed = read_manifest(manifest) if manifest else None
        ctx.settings = run_settings(manifest, parsed) if manifest and parsed is not None else None
        ctx.setup = run_setup(parsed)
        log = here.log
        ctx.hints = read_server_hints(log) if log else None
        if ctx.hints and ctx.hints.spec_configured is not None:
            evidence.append((ctx.hints.spec_configured, f"{log} engine line: " + (
                f"speculative_config method={ctx.hints.spec_method}" if ctx.hints.spec_configured else "speculative_config=None")))
        if not (ctx.hints and ctx.hints.spec_configured is False):  # no speculative_config: no drafts to count
            counters, why, drafts = _scrape_evidence(here)
            evidence.append((counters, why))
            if drafts is not None:
                ctx.drafts, ctx.drafts_evidence = drafts, f"{here.file(METRICS_AFTER)}: vllm:spec_decode_num_drafts {drafts}"
        if ctx.settings and ctx.settings.has_server_command:
            evidence.append((ctx.settings.speculative_config is not None, f"{manifest} server_command " + (
                "has --speculative-config" if ctx.settings.speculative_config else "has no --speculative-config")))
        if ctx.hints and ctx.hints.spec_lines:
            evidence.append((True, f"{log} has SpecDecoding metrics lines"))
    if bench_drafts is not None:
        evidence.append((True, f"{load.path}: spec_decode_num_drafts {bench_drafts}"))
        if ctx.drafts is None:
            ctx.drafts, ctx.drafts_evidence = bench_drafts, f"{load.path}: spec_decode_num_drafts {bench_drafts}"
    found = next(((v, why) for v, why in evidence if v is not None), None)
    if found:
        ctx.speculation, ctx.speculation_evidence = found
    return ctx


def run_context(load: LoadRun, folder: str | None) -> RunContext:
    """`gather_context`, with a vllm bench JSON's own draft count read from its file: how every
    command (speedup, compare, report) describes a run."""
    from speclens.parsers.json_file import read_json
    from speclens.parsers.load_results import VLLM_BENCH
    from speclens.parsers.vllm_bench import parse_vllm_bench

    drafts = None
    if load.schema == VLLM_BENCH:
        counts = parse_vllm_bench(load.path, read_json(load.path))[1]
        drafts = counts.num_drafts if counts else None
    return gather_context(load, folder, drafts)


def _fmt(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        if not value:
            return None
        return ", ".join(map(_fmt, value)) if len(value) <= 4 else f"{len(value)} values, {value[0]}..{value[-1]}"  # type: ignore[arg-type]
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check(key: str, candidates: list[tuple[str, object, object]], note: str | None = None) -> KeyCheck:
    """`candidates`: (source, baseline value, spec value) in priority order; the first with both."""
    both = next(((src, b, s) for src, b, s in candidates if _fmt(b) is not None and _fmt(s) is not None), None)
    if both is None:
        b = next(((src, v) for src, v, _ in candidates if _fmt(v) is not None), (None, None))
        s = next(((src, v) for src, _, v in candidates if _fmt(v) is not None), (None, None))
        return KeyCheck(key=key, baseline=_fmt(b[1]), spec=_fmt(s[1]), source_baseline=b[0], source_spec=s[0],
                        status="unknown", note=note or "no source records it for both runs")
    src, b, s = both
    if isinstance(b, float) and isinstance(s, float) and src.startswith("measured"):
        same = abs(b - s) <= TOLERANCE * max(abs(b), abs(s))
        note = note or f"measured means; same within {TOLERANCE:.0%}"
    else:
        same = b == s
    return KeyCheck(key=key, baseline=_fmt(b), spec=_fmt(s), source_baseline=src, source_spec=src,
                    status="same" if same else "differs", note=note)


def _measured(run: LoadRun, attr: str, total: str) -> float | None:
    values = [getattr(r, attr) for b in run.benchmarks for r in b.requests
              if r.status == "successful" and getattr(r, attr) is not None]
    if values:
        return sum(values) / len(values)
    aggs = [b.aggregates for b in run.benchmarks if b.aggregates and getattr(b.aggregates, total) is not None]
    count = sum(a.successful or 0 for a in aggs)
    return sum(getattr(a, total) for a in aggs) / count if aggs and count else None


def _temperature(ctx: RunContext) -> tuple[str | None, object]:
    if ctx.load.config.temperatures:
        return "request bodies (temperature)", ctx.load.config.temperatures
    if ctx.settings and ctx.settings.temperature is not None:
        return f"{MANIFEST} server_command / temperature", ctx.settings.temperature
    if ctx.hints and ctx.hints.temperature is not None:
        return "server log non-default args", ctx.hints.temperature
    return None, None


def key_checks(base: RunContext, spec: RunContext) -> list[KeyCheck]:
    bm, sm, bl, sl = base.settings, spec.settings, base.load, spec.load
    checks = [_check("model (target)", [(f"{MANIFEST} server_command / target", bm and bm.target, sm and sm.target),
                                        ("server log engine line", base.hints and base.hints.model, spec.hints and spec.hints.model),
                                        ("driver JSON model", bl.model, sl.model)])]
    (tb_src, tb), (ts_src, ts) = _temperature(base), _temperature(spec)
    if tb is not None and ts is not None:
        src = tb_src if tb_src == ts_src else f"{tb_src} / {ts_src}"
        checks.append(KeyCheck(key="temperature", baseline=_fmt(tb), spec=_fmt(ts), source_baseline=tb_src,
                               source_spec=ts_src, status="same" if _fmt(tb) == _fmt(ts) else "differs",
                               note=None if tb_src == ts_src else f"compared across sources ({src})"))
    else:
        checks.append(_check("temperature", [(tb_src or ts_src or "none", tb, ts)]))
    for key, total in (("prompt_tokens", "prompt_tokens"), ("output_tokens", "output_tokens")):
        checks.append(_check(key, [(f"{MANIFEST} --data / data_spec", bm and getattr(bm, key), sm and getattr(sm, key)),
                                   ("driver JSON data config", getattr(bl.config, key), getattr(sl.config, key)),
                                   ("measured mean per request", _measured(bl, key, total), _measured(sl, key, total))]))
    checks.append(_check("max_tokens", [("request bodies (max_tokens)", bl.config.max_tokens, sl.config.max_tokens)]))
    checks.append(_check("endpoint", [(f"{MANIFEST} --backend request_format", bm and bm.endpoint, sm and sm.endpoint),
                                      ("driver JSON", bl.config.endpoint, sl.config.endpoint)]))
    return checks + setup_checks(base.setup, spec.setup)


NEVER_SPECULATED = "spec run never speculated: 0 drafts"
LOAD_DIFFERS = "load differs"


def judge(base: RunContext, spec: RunContext, force: bool = False) -> Comparability:
    """The one verdict on a pair of runs (see the module docstring): the keys, each reason in
    full, and its short form."""
    checks = key_checks(base, spec)
    differ = [c for c in checks if c.status == "differs"]
    reasons = [f"{c.key} differs: baseline {c.baseline} ({c.source_baseline}), spec {c.spec} ({c.source_spec})"
               for c in differ]
    short = [f"{c.key.split(' (')[0]} differs" for c in differ]
    if spec.drafts == 0:
        reasons.append(f"the spec run never speculated: {spec.drafts_evidence}")
        short.append(NEVER_SPECULATED)
    return Comparability(comparable=not reasons, forced=force, reasons=reasons, keys=checks, short_reasons=short)


def summary(short_reasons: list[str]) -> str | None:
    """The few words every command shows for a refused pair or level: "not comparable: model
    differs, load differs", "spec run never speculated: 0 drafts" (None: nothing refuses)."""
    differ = [r for r in short_reasons if r != NEVER_SPECULATED]
    parts = ([f"not comparable: {', '.join(differ)}"] if differ else []) + (
        [NEVER_SPECULATED] if NEVER_SPECULATED in short_reasons else [])
    return "; ".join(parts) or None


def judge_level(runs: Comparability, load_reasons: list[str]) -> tuple[bool, str | None]:
    """(comparable, summary) of one load level: the runs' verdict and whether its loads differ."""
    short = runs.short_reasons + ([LOAD_DIFFERS] if load_reasons else [])
    return not short, summary(short)
