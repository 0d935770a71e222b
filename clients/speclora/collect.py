"""`speclora collect-data`: the target's greedy answers to the prompts, as training data for the draft,
with the places where the draft disagrees (format: clients/speclora/data.py).

Each prompt is one greedy /v1/chat/completions request (`return_token_ids`, so the labels are the
exact token ids the target produced; servers without it: re-tokenized through /tokenize, and the
provenance says so). The server is normally the speculative one (target + base draft, started by
launchers/speclora.sh with --per-request-spec-decode-metrics): its greedy output is the target's,
and its per-request acceptance counts (`spec_draft_tokens`, `spec_accepted_tokens`) come along.
The draft's disagreements are computed here with the draft model under teacher forcing (one
forward pass over prompt + target answer): position j disagrees when the draft's argmax differs
from the target's token j, which is exactly where a greedy draft token would be rejected.
"""

from __future__ import annotations

import json
import os
import time
from importlib.metadata import version

from speclens.clients.common.cli import UsageError, make_progress
from speclens.clients.common.http import OpenAIServer


class DraftJudge:
    """The draft model, loaded once, scoring target answers under teacher forcing."""

    def __init__(self, draft: str) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM
        except ImportError as err:
            raise UsageError(f"collect-data needs torch and transformers for the draft ({err.name} is not "
                             "installed); run ./setup.sh") from None
        self.torch = torch
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        if self.device == "cpu":
            torch.set_num_threads(1)  # fastest on a shared machine, where servers take the other cores
        try:
            self.model = AutoModelForCausalLM.from_pretrained(draft).eval().to(self.device)
        except (OSError, ValueError) as err:
            raise UsageError(f"--draft {draft}: cannot load the draft model ({str(err).splitlines()[0]})") from None

    def disagreements(self, prompt_ids: list[int], completion_ids: list[int]) -> list[int]:
        """Positions j (0-based, in the completion) where the draft's greedy token is not completion_ids[j]."""
        if not completion_ids:
            return []
        ids = self.torch.tensor([prompt_ids + completion_ids], device=self.device)
        with self.torch.no_grad():
            logits = self.model(input_ids=ids).logits[0]
        guesses = logits[len(prompt_ids) - 1:-1].argmax(-1).tolist()
        return [j for j, (g, t) in enumerate(zip(guesses, completion_ids)) if g != t]


async def _answer(server: OpenAIServer, model: str, prompt: str, max_tokens: int) -> tuple[dict, str]:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens,
            "temperature": 0.0, "return_token_ids": True}
    reply = await server.chat(body)
    choice = reply["choices"][0]
    text = choice["message"].get("content") or ""
    prompt_ids, completion_ids = reply.get("prompt_token_ids"), choice.get("token_ids")
    source = "server_token_ids"
    if not (isinstance(prompt_ids, list) and isinstance(completion_ids, list)):
        prompt_ids = await server.tokenize_chat(model, prompt)
        completion_ids = await server.tokenize_plain(model, text)
        source = "retokenized"
    spec = (reply.get("metrics") or {}).get("speculative_decoding") or {}
    return {"prompt": prompt, "prompt_token_ids": prompt_ids, "completion": text,
            "completion_token_ids": completion_ids, "finish_reason": choice.get("finish_reason"),
            "spec_draft_tokens": spec.get("num_draft_tokens"),
            "spec_accepted_tokens": spec.get("num_accepted_draft_tokens")}, source


async def collect(url: str, model: str | None, api_key: str | None, timeout: float, prompts: list[str],
                  max_tokens: int, draft: str, provenance: dict, out: str, overwrite: bool) -> dict:
    """Write the data file (atomically) and return a summary of what it holds."""
    if os.path.exists(out) and not overwrite:
        raise UsageError(f"{out} already exists; pass --overwrite or choose another --output")
    judge = DraftJudge(draft)
    lines, sources, failures, positions, disagree = [], set(), 0, 0, 0
    async with OpenAIServer(url, api_key, timeout) as server:
        model = await server.resolve_model(model)
        with make_progress() as progress:
            task = progress.add_task("collect-data", total=len(prompts), status="")
            for prompt in prompts:
                rec, source = await _answer(server, model, prompt, max_tokens)
                sources.add(source)
                wrong = judge.disagreements(rec["prompt_token_ids"], rec["completion_token_ids"])
                n = len(rec["completion_token_ids"])
                rec.update(draft_disagreements=len(wrong), disagreement_positions=wrong,
                           draft_agreement=round(1 - len(wrong) / n, 4) if n else None, failure_case=bool(wrong))
                failures += bool(wrong)
                positions += n
                disagree += len(wrong)
                lines.append(json.dumps({"record": "sample", **rec}))
                progress.update(task, advance=1, status=f"{failures} failure cases")
    head = {"record": "provenance", "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "server": url,
            "target_model": model, "draft_model": draft, "token_ids": sorted(sources),
            "speclens_version": version("speclens"), **provenance}
    _write(out, [json.dumps(head), *lines], overwrite)
    return {"output": out, "samples": len(prompts), "failure_cases": failures, "completion_tokens": positions,
            "draft_disagreements": disagree,
            "teacher_forced_agreement": round(1 - disagree / positions, 4) if positions else None}


def _write(path: str, lines: list[str], overwrite: bool) -> None:
    from speclens.base.atomic import OutputExists, write_atomic

    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    try:
        write_atomic(path, "\n".join(lines) + "\n", replace=overwrite)
    except OutputExists:
        raise UsageError(f"{path} already exists; pass --overwrite or choose another --output") from None
