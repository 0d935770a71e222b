"""The speculative-thinking benchmark's numbers and console summary (the original benchmark's layout).

Per mode, over the completed runs (every (problem, run) pair weighs 1; timed-out runs are listed in
the results but left out): latency (s, wall time of one generation), throughput (total_tokens /
latency, tok/s of one generation, not a system throughput), total_tokens (tokens in the answer,
small + large, inserted words excluded), large_model_ratio (large_tokens / total_tokens; 1 for the
large model alone), each as n/mean/median/std (population)/min/max. accuracy = correct / all runs
of the mode (a timed-out run or one without an answer counts as wrong).

comparison: speedup = mean latency (large) / mean latency (spec); throughput_improvement = mean
throughput (spec) / mean throughput (large); large_model_reduction = 1 − mean large_model_ratio
(spec). Each null unless both modes have completed runs.
"""

from __future__ import annotations

from speclens.clients.common import cli as cc
from speclens.clients.spec_thinking.loop import Trace
from speclens.clients.common.stats import describe, ratio, rounded

KINDS = ("begin", "cue", "recap", "verify")
RULE, THIN = "=" * 80, "-" * 80


def run_row(run: int, trace: Trace, text: str, predicted: str | None, source: str | None, correct: bool) -> dict:
    by_kind = {k: {"calls": 0, "tokens": 0} for k in KINDS}
    for call in trace.calls:
        by_kind[call.kind]["calls"] += 1
        by_kind[call.kind]["tokens"] += call.tokens
    return {"run": run, "finish": trace.finish, "timed_out": trace.finish == "time_out",
            "latency": round(trace.latency, 4), "total_tokens": trace.total_tokens,
            "small_tokens": trace.small_tokens, "large_tokens": trace.large_tokens,
            "inserted_tokens": trace.inserted_tokens, "small_tokens_discarded": trace.small_tokens_discarded,
            "large_tokens_discarded": trace.large_tokens_discarded,
            "large_model_ratio": rounded(trace.large_ratio), "throughput": rounded(trace.throughput, 3),
            "triggers": trace.triggers, "cues": trace.cues, "large_calls_by_kind": by_kind,
            "large_calls": [vars(c) for c in trace.calls],
            "predicted_answer": predicted, "answer_source": source, "correct": correct, "text": text}


def statistics(rows: list[dict]) -> dict:
    done = [r for r in rows if not r["timed_out"]]
    out = {key: describe([r[key] for r in done]) for key in ("latency", "throughput", "total_tokens",
                                                              "large_model_ratio", "large_tokens")}
    out["large_model_ratio_pooled"] = rounded(ratio(sum(r["large_tokens"] for r in done),
                                                    sum(r["total_tokens"] for r in done)))
    return out


def accuracy(rows: list[dict]) -> dict:
    correct = sum(r["correct"] for r in rows)
    return {"correct": correct, "runs": len(rows), "accuracy": rounded(ratio(correct, len(rows))),
            "timed_out": sum(r["timed_out"] for r in rows),
            "no_answer": sum(r["answer_source"] is None for r in rows)}


def calls_summary(rows: list[dict]) -> dict:
    """Sums over the mode's runs: triggers reached, cues fired, large calls and tokens per kind."""
    out = {"triggers": sum(r["triggers"] for r in rows), "cues": sum(r["cues"] for r in rows),
           "small_tokens_discarded": sum(r["small_tokens_discarded"] for r in rows)}
    for kind in KINDS:
        out[kind] = {f: sum(r["large_calls_by_kind"][kind][f] for r in rows) for f in ("calls", "tokens")}
    return out


def comparison(large: dict | None, spec: dict | None) -> dict:
    mean = lambda s, k: None if s is None else s[k]["mean"]
    reduction = mean(spec, "large_model_ratio") if large else None
    return {"speedup": rounded(ratio(mean(large, "latency"), mean(spec, "latency"))),
            "throughput_improvement": rounded(ratio(mean(spec, "throughput"), mean(large, "throughput"))),
            "large_model_reduction": None if reduction is None or spec is None else rounded(1 - reduction)}


def _interval(ci: dict | None) -> str:
    """`  95% CI [0.07x, 0.11x], paired over 10 prompts` (or why there is none); '' without both modes."""
    if not ci:
        return ""
    if ci.get("ci_low") is None:
        return f"  95% CI n/a: {ci.get('note')}"
    return f"  95% CI [{cc.fmt(ci['ci_low'], '.2f', 'x')}, {cc.fmt(ci['ci_high'], '.2f', 'x')}], {ci['note']}"


def _table(out, title: str, key: str, third: str | None, unit: str, spec_fmt: str, inverse: bool,
           large: dict | None, spec: dict | None) -> None:
    out.print(f"\n{title}\n{THIN}")
    out.print(f"{'Metric':<21}{'Large Model':<21}{'Spec Thinking':<21}{third or ''}".rstrip())
    out.print(THIN)
    for stat in ("mean", "median", "std", "min", "max"):
        a, b = (None if s is None else s["statistics"][key][stat] for s in (large, spec))
        cells = [cc.pct(v) if unit == "%" else cc.fmt(v, spec_fmt, unit) for v in (a, b)]
        label = stat.capitalize() + (" Ratio" if unit == "%" else "")
        line = f"{label:<21}{cells[0]:>11}{cells[1]:>21}"
        if third:
            r = None if stat == "std" else (ratio(a, b) if inverse else ratio(b, a))
            line += f"{cc.fmt(r, '.2f', 'x'):>21}"
        out.print(line)


def print_summary(result: dict, path: str) -> None:
    out = cc.stdout_console()
    large, spec = result["large_model"], result["speculative_thinking"]
    out.print(f"{RULE}\nBENCHMARK RESULTS SUMMARY\n{RULE}")
    _table(out, "1. LATENCY (seconds)", "latency", "Speedup", "s", ".2f", True, large, spec)
    _table(out, "2. THROUGHPUT (tokens/second)", "throughput", "Improvement", " t/s", ".2f", False, large, spec)
    _table(out, "3. TOKEN GENERATION (tokens per answer)", "total_tokens", "Ratio", "", ".1f", False, large, spec)
    _table(out, "4. LARGE MODEL USAGE RATIO", "large_model_ratio", None, "%", "", False, large, spec)
    out.print(f"\n5. ACCURACY (correct / runs; timed-out runs count as wrong)\n{THIN}")
    for name, sec in (("Large Model", large), ("Spec Thinking", spec)):
        if sec:
            a = sec["accuracy"]
            out.print(f"{name:<21}{cc.pct(a['accuracy']):>11}  ({a['correct']}/{a['runs']}; "
                      f"timed out {a['timed_out']}, no answer {a['no_answer']})")
    if spec:
        c = spec["large_model_calls"]
        out.print(f"\n6. LARGE MODEL CALLS (speculative thinking, all runs)\n{THIN}")
        out.print(f"triggers reached {c['triggers']}, cues fired {c['cues']}, "
                  f"small lookahead tokens thrown away {c['small_tokens_discarded']}")
        for kind in KINDS:
            out.print(f"{kind:<21}{c[kind]['calls']:>6} calls {c[kind]['tokens']:>8} tokens")
    comp = result["comparison"]
    out.print(f"\n{RULE}")
    out.print(f"OVERALL SPEEDUP: {cc.fmt(comp['speedup'], '.2f', 'x')}  (mean latency large / spec)"
              f"{_interval(comp.get('speedup_interval'))}")
    out.print(f"THROUGHPUT IMPROVEMENT: {cc.fmt(comp['throughput_improvement'], '.2f', 'x')}"
              f"{_interval(comp.get('throughput_improvement_interval'))}")
    out.print(f"LARGE MODEL TOKEN REDUCTION: {cc.pct(comp['large_model_reduction'])}")
    acc = [f"{n} {cc.pct(s['accuracy']['accuracy'])}" for n, s in (("large", large), ("spec", spec)) if s]
    out.print(f"ACCURACY: {', '.join(acc)}")
    out.print(RULE)
    out.print(f"Results: {path}")
