"""Losslessness check: at temperature 0, the same prompts on a server without speculation
(--reference-url) and one with it (--candidate-url) must give the same tokens and the same
accuracy. Prompts are rendered with the reference's chat template (/tokenize) and sent as token
ids to /v1/completions with return_token_ids, so the comparison is token for token.

    launchers/baseline.sh --port 8000 -- launchers/qwen3.sh --port 8001 -- \\
        .venv/bin/python -m speclens.clients.losslessness --reference-url http://127.0.0.1:8000 \\
        --candidate-url http://127.0.0.1:8001 --num-samples 20
"""

from __future__ import annotations

import argparse
import os

from speclens.clients.common import cli as cc
from speclens.clients.common.answers import answers_match, extract_answer
from speclens.clients.common.http import OpenAIServer, api_key_from
from speclens.clients.common.problems import generated, gsm8k
from speclens.clients.common.stats import ratio, rounded
from speclens.parsers.client_results.losslessness import LosslessnessResult

def first_divergence(a: list[int], b: list[int]) -> int | None:
    """Index of the first differing token (the shorter length when one is a prefix of the other);
    None when identical. E.g. [1,2,3] vs [1,2,4] → 2; [1,2] vs [1,2,3] → 2."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def summarize(rows: list[dict]) -> dict:
    """identity_rate = prompts with identical token sequences / prompts (each prompt weighs 1);
    token_agreement = Σ common-prefix tokens / Σ max(len_ref, len_cand) (pooled over prompts);
    accuracy_* = correct / prompts with a known answer; accuracy_equal compares the two counts."""
    identical = sum(r["identical"] for r in rows)
    prefix = sum(r["common_prefix"] for r in rows)
    longest = sum(max(r["reference_tokens"], r["candidate_tokens"]) for r in rows)
    known = [r for r in rows if r["ground_truth"] is not None]
    ref_ok = sum(r["reference_correct"] for r in known)
    cand_ok = sum(r["candidate_correct"] for r in known)
    return {"prompts": len(rows), "identical": identical, "identity_rate": rounded(ratio(identical, len(rows))),
            "token_agreement": rounded(ratio(prefix, longest)),
            "reference_accuracy": rounded(ratio(ref_ok, len(known))),
            "candidate_accuracy": rounded(ratio(cand_ok, len(known))), "accuracy_equal": ref_ok == cand_ok,
            "lossless": identical == len(rows)}


async def compare_one(ref: OpenAIServer, cand: OpenAIServer, models: tuple[str, str],
                      problem, args) -> dict:  # noqa: ANN001
    prompt = await ref.tokenize_chat(models[0], problem.question)
    outs, texts = [], []
    for server, model in ((ref, models[0]), (cand, models[1])):
        body = {"model": model, "prompt": prompt, "max_tokens": args.max_tokens, "temperature": 0.0,
                "return_token_ids": True}
        choice = (await server.completion(body))["choices"][0]
        outs.append(list(choice.get("token_ids") or []))
        texts.append(choice.get("text") or "")
    at = first_divergence(outs[0], outs[1])
    row = {"question": problem.question, "ground_truth": problem.answer, "identical": at is None,
           "first_divergence": at, "common_prefix": min(len(outs[0]), len(outs[1])) if at is None else at,
           "reference_tokens": len(outs[0]), "candidate_tokens": len(outs[1]),
           "reference_text": texts[0], "candidate_text": texts[1]}
    for side, text in (("reference", texts[0]), ("candidate", texts[1])):
        predicted = extract_answer(text)
        row[f"{side}_answer"] = predicted
        row[f"{side}_correct"] = answers_match(predicted, problem.answer)
    if at is not None:
        lo = max(0, at - 5)
        row["divergence_context"] = await ref.detokenize(models[0], outs[0][lo:at]) if at > lo else ""
        row["reference_next"] = await ref.detokenize(models[0], outs[0][at:at + 5]) if at < len(outs[0]) else ""
        row["candidate_next"] = await ref.detokenize(models[0], outs[1][at:at + 5]) if at < len(outs[1]) else ""
    return row


async def work(args: argparse.Namespace) -> int:
    path = cc.output_path(args.output, "losslessness")
    cc.check_output(path, args.overwrite)
    problems = gsm8k(args.num_samples, args.seed) if args.dataset == "gsm8k" else generated(args.seed, args.num_samples)
    key = api_key_from(args.api_key)
    rows = []
    async with OpenAIServer(args.reference_url, key, args.timeout) as ref, \
            OpenAIServer(args.candidate_url, key, args.timeout) as cand:
        models = (await ref.resolve_model(args.reference_model), await cand.resolve_model(args.candidate_model))
        with cc.make_progress() as progress:
            task = progress.add_task("losslessness", total=len(problems), status="")
            for problem in problems:
                rows.append(await compare_one(ref, cand, models, problem, args))
                progress.update(task, advance=1, status=f"identical {sum(r['identical'] for r in rows)}/{len(rows)}")
    config = {"reference_url": args.reference_url, "candidate_url": args.candidate_url, "reference_model": models[0],
              "candidate_model": models[1], "num_samples": len(problems), "max_tokens": args.max_tokens,
              "temperature": 0.0, "dataset": args.dataset, "seed": args.seed}
    result = LosslessnessResult.written(config=config, summary=summarize(rows), results=rows)
    cc.write_result(path, result, args.overwrite)
    s = result["summary"]
    out = cc.stdout_console()
    out.print(f"Losslessness (T=0): {s['identical']}/{s['prompts']} identical "
              f"(identity rate {cc.pct(s['identity_rate'])}, "
              f"token agreement {cc.pct(s['token_agreement'])})")
    out.print(f"Accuracy: reference {cc.pct(s['reference_accuracy'])}, candidate {cc.pct(s['candidate_accuracy'])}, "
              f"equal: {s['accuracy_equal']}")
    for r in rows:
        if not r["identical"]:
            out.print(f"  first divergence at token {r['first_divergence']}: ...{r['divergence_context']!r} then "
                      f"reference {r['reference_next']!r} vs candidate {r['candidate_next']!r}")
            break
    out.print(f"Results: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.losslessness", description=__doc__.split("\n\n")[0])
    p.add_argument("--reference-url", default=os.environ.get("SPECLENS_TARGET_URL"),
                   help="server without speculation (default $SPECLENS_TARGET_URL)")
    p.add_argument("--candidate-url", default=os.environ.get("SPECLENS_URL"),
                   help="server with speculation (default $SPECLENS_URL)")
    p.add_argument("--reference-model")
    p.add_argument("--candidate-model")
    p.add_argument("--num-samples", "--limit", type=cc.positive_int, default=10)
    p.add_argument("--dataset", choices=["generated", "gsm8k"], default="generated")
    p.add_argument("--max-tokens", type=cc.positive_int, default=256)
    cc.add_common_flags(p, "losslessness")
    return p


def main(argv: list[str] | None = None) -> int:
    return cc.run_main(work, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
