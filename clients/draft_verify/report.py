"""The result JSON and console output of clients.gsm8k_draft_verify.

JSON (written through parsers/client_results/draft_verify.DraftVerifyResult, which declares every
key): `client`, `schema_version`, `config` (draft_model, target_model, num_samples, max_tokens,
temperature, then the other options; draft_model/target_model are what the servers load, the `root`
of their GET /v1/models card, and draft_served_model/target_served_model the names requests use),
`summary` (metrics.summarize), `definitions` (formula and weighting of every summary key), `results`
(one object per question), with --baseline `baseline` (the target alone) and `draft_alone`
({summary, results} each), then `speedup`, `speedup_interval` and `expected_speedup` (speedup.py;
null without --baseline); config.warmup_questions = untimed runs of a warm-up question through every
timed path before timing.

Console: one line per question as it finishes (`question_line`), then benchmark_gsm8k.py's summary block
with its labels (`print_summary`); each label is followed by what the number is.
"""

from __future__ import annotations

import argparse

from speclens.clients.draft_verify import metrics as dm
from speclens.clients.common.cli import fmt, pct, stdout_console
from speclens.clients.draft_verify.speedup import speedup_block, speedup_interval
from speclens.clients.common.stats import rounded
from speclens.parsers.client_results.draft_verify import DraftVerifyResult


def build_result(args: argparse.Namespace, models: dict[str, str], items: list[dm.ItemResult],
                 baseline: list[dm.ItemResult] | None, draft_alone: list[dm.ItemResult] | None) -> dict:
    """`models`: draft_model, target_model (real IDs/paths), draft_served_model, target_served_model."""
    config = {"draft_model": models["draft_model"], "target_model": models["target_model"],
              "num_samples": len(items), "max_tokens": args.max_tokens, "temperature": args.temperature,
              "strategy": args.strategy, "strategy_from": args.strategy_from,
              "num_draft_tokens": args.num_draft_tokens, "top_n": args.top_n,
              "dataset": args.dataset_file or args.dataset,
              "question_order": "seeded sample" if args.sample else "first N", "prompt_format": args.prompt_format,
              "seed": args.seed, "draft_url": args.draft_url, "target_url": args.target_url,
              "draft_served_model": models["draft_served_model"], "target_served_model": models["target_served_model"],
              "warmup_questions": args.warmup_questions}
    alone = {name: {"summary": dm.alone_summary(run), "results": [i.to_json() for i in run]}
             for name, run in (("baseline", baseline), ("draft_alone", draft_alone)) if run is not None}
    return DraftVerifyResult.written(config=config, summary=dm.summarize(items), definitions=dm.DEFINITIONS,
                                     results=[i.to_json() for i in items], **alone,
                                     speedup=rounded(dm.speedup(items, baseline)) if baseline else None,
                                     speedup_interval=speedup_interval(items, baseline),
                                     expected_speedup=speedup_block(items, baseline, draft_alone))


def _answer(item: dm.ItemResult) -> str:
    if item.ground_truth is None:
        return f"answer {item.predicted_answer or 'n/a'} (no reference)"
    if item.correct:
        return f"correct ({item.ground_truth})"
    return f"wrong (answered {item.predicted_answer or 'n/a'}, expected {item.ground_truth})"


def question_line(index: int, total: int, item: dm.ItemResult, label: str = "Question") -> str:
    """E.g. `Question 2/10: acceptance 85.7% (6/7), 45.2 tokens/sec, 2 rounds, correct (18)`; the
    runs of a model alone (--baseline) show no acceptance or rounds."""
    speed = f"{fmt(item.tokens_per_second, '.1f')} tokens/sec"
    if label != "Question":
        return f"{label} {index}/{total}: {item.tokens} tokens, {speed}, {_answer(item)}"
    return (f"{label} {index}/{total}: acceptance {pct(item.acceptance_rate)} "
            f"({item.draft_accepted}/{item.draft_generated}), {speed}, {item.rounds} rounds, {_answer(item)}")


def print_summary(result: dict, path: str) -> None:
    s, c = result["summary"], result["config"]
    out = stdout_console()
    out.print(f"\nGSM8K draft/verify: {c['draft_model']} drafts {c['num_draft_tokens']}, {c['target_model']} verifies "
              f"({c['strategy']}, T={c['temperature']}, {c['num_samples']} questions)")
    out.print("\n📈 Overall Performance:")
    out.print(f"   Average Acceptance Rate: {pct(s['avg_acceptance_rate'])} (mean over questions)")
    out.print(f"   Total Tokens Generated: {s['total_tokens']}")
    out.print(f"   Total Draft Generated: {s['total_draft_generated']}")
    out.print(f"   Total Draft Accepted: {s['total_draft_accepted']}")
    out.print(f"   Overall Acceptance: {pct(s['draft_efficiency'])} (pooled: accepted / generated draft tokens)")
    out.print(f"   Average Speed: {fmt(s['avg_speed'], '.1f')} tokens/sec (mean over questions; "
              f"pooled {fmt(s['pooled_speed'], '.1f')})")
    out.print(f"   Total Speculation Rounds: {s['speculation_rounds']} ({fmt(s['tokens_per_round'])} tokens/round = "
              "answer tokens / rounds)")
    out.print(f"   Mean Acceptance Length: {fmt(s['mean_acceptance_length'])} (1 + accepted / rounds, as speclens "
              "compare shows; it also counts the target token after an accepted stop token, which the answer drops)")
    out.print(f"   Accuracy: {pct(s['accuracy'])}")
    out.print("\n📉 Acceptance Rate Distribution:")
    for bucket in s["acceptance_distribution"].values():
        if bucket["count"] and bucket["fraction"] is not None:
            out.print(f"   {bucket['label']}: {bucket['count']} questions ({pct(bucket['fraction'])})")
    no_drafts = s["acceptance_distribution"]["n_a"]["count"]
    if no_drafts:
        out.print(f"   (not counted: {no_drafts} questions drafted nothing)")
    _print_speedup(out, result)
    out.print(f"\nResults: {path}")


def _print_speedup(out, result: dict) -> None:
    e = result["expected_speedup"]
    out.print("\n⚡ Speedup:")
    if result.get("baseline") is None:
        out.print("   measured: n/a; expected (benchmark_gsm8k.py's formula): n/a (pass --baseline to measure "
                  "the target and the draft alone)")
        return
    out.print(f"   Target alone: {fmt(e['speed_target'], '.1f')} tokens/sec, draft alone: "
              f"{fmt(e['speed_draft'], '.1f')} tokens/sec (pooled over questions)")
    ci = result.get("speedup_interval") or {}
    interval = (f"95% CI {fmt(ci['ci_low'])}-{fmt(ci['ci_high'])}x, {ci['note']}" if ci.get("ci_low") is not None
                else f"95% CI n/a: {ci.get('note') or 'not measured'}")
    out.print(f"   Measured speedup: {fmt(result['speedup'])}x (pooled tokens/sec with drafting / target alone; "
              f"{interval}; after {result['config'].get('warmup_questions')} warm-up questions through every "
              "timed path)")
    _print_differing(out, result)
    out.print("   Expected speedup (benchmark_gsm8k.py's formula 1 + acceptance × draft_speed_ratio): "
              f"{fmt(e['value'])}x = 1 + {fmt(e['acceptance'], '.3f')} × {fmt(e['draft_speed_ratio'], '.3f')}")
    out.print(f"   (the formula ignores {e['ignores']})")


def _print_differing(out, result: dict) -> None:
    """At temperature 0 the draft/verify answers should be the target alone's, text for text."""
    differing = result["summary"].get("outputs_differing_from_target_alone")
    if differing is None:
        return
    if not differing:
        out.print(f"   All {len(result['results'])} answers match the target alone's (temperature 0)")
        return
    first = next(n for n, q in enumerate(result["results"], 1) if q.get("matches_target_alone") is False)
    out.print(f"   ⚠ {differing} of {len(result['results'])} answers differ from the target alone's at temperature 0 "
              f"(first: question {first}; a near-tie in the target's logits, or a bug)")
