"""Ask a running server held-out generated problems; report accuracy and
speculative-decoding acceptance (``/metrics`` counter deltas around the load).

Standard library only, so any Python can run it:

    python launchers/tiny/probe.py --url http://127.0.0.1:8123 --model tiny --n 20 \
        --out run/arith.json

Greedy decoding (``temperature: 0``); the answer is the number after ``####``
in the reply (``corpus.extract_answer``).  Raw scrapes are kept in the output.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from launchers.tiny import corpus  # noqa: E402

_COUNTER = re.compile(
    r"^vllm:spec_decode_(num_drafts|num_draft_tokens|num_accepted_tokens)_total\{[^}]*\} (\S+)$")


def scrape(url: str) -> str:
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as r:
        return r.read().decode()


def spec_counters(text: str) -> dict[str, float]:
    """Sum the spec-decode counters over all engines."""
    out = {"num_drafts": 0.0, "num_draft_tokens": 0.0, "num_accepted_tokens": 0.0}
    for line in text.splitlines():
        m = _COUNTER.match(line)
        if m:
            out[m.group(1)] += float(m.group(2))
    return out


def delta(before: str, after: str) -> dict:
    b, a = spec_counters(before), spec_counters(after)
    d = {k: a[k] - b[k] for k in a}
    drafted = d["num_draft_tokens"]
    d["acceptance"] = None if drafted == 0 else round(d["num_accepted_tokens"] / drafted, 4)
    return d


def chat(url: str, model: str, question: str, max_tokens: int) -> dict:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": question}],
                       "max_tokens": max_tokens, "temperature": 0.0}).encode()
    req = urllib.request.Request(f"{url}/v1/chat/completions", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.load(r)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8123")
    ap.add_argument("--model", default="tiny")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7, help="held-out problem seed")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--settle", type=float, default=3.0,
                    help="seconds to wait before the last scrape (stats interval flush)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    problems = corpus.generate(args.seed, args.n, "heldout")
    before = scrape(args.url)
    rows, t0 = [], time.perf_counter()
    for p in problems:
        reply = chat(args.url, args.model, p.question, args.max_tokens)
        text = reply["choices"][0]["message"]["content"]
        got = corpus.extract_answer(text)
        rows.append({"question": p.question, "expected": p.answer, "got": got,
                     "correct": got == p.answer, "completion_tokens": reply["usage"]["completion_tokens"],
                     "text": text})
    seconds = time.perf_counter() - t0
    time.sleep(args.settle)
    after = scrape(args.url)
    correct = sum(r["correct"] for r in rows)
    result = {"n": len(rows), "correct": correct, "accuracy": round(correct / len(rows), 4),
              "seconds": round(seconds, 2), "spec_decode": delta(before, after),
              "rows": rows, "metrics_before": before, "metrics_after": after}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    sd = result["spec_decode"]
    print(f"accuracy {correct}/{len(rows)}  accepted/drafted "
          f"{sd['num_accepted_tokens']:.0f}/{sd['num_draft_tokens']:.0f} = {sd['acceptance']}  "
          f"({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
