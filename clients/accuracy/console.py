"""What the GSM8K client prints, as the SDAR benchmark's README shows it: the configuration summary,
tqdm's progress line, verbose per-example logs and the FINAL RESULTS block.

The progress line (`progress_line`) is tqdm's meter plus the accuracy: `GSM8K Eval:  45%|████▌     |
56/124 [01:23<01:40,  0.67q/s] Acc: 51.8% | 1.5s/q`: done/total, elapsed<remaining (remaining =
(total − done) / rate), questions per wall second, the accuracy so far, and wall seconds per question.
On a terminal it is redrawn in place on stderr; otherwise `Progress` prints it as a plain line about
every 5% (and at the end), so a log gets 20 lines instead of tqdm's carriage-return frames.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

RULE = "=" * 80
BAR_FORMAT = "{l_bar}{bar:10}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_noinv_fmt}]"


def progress_line(done: int, total: int, elapsed: float, correct: int) -> str:
    """tqdm's own meter (`tqdm.format_meter`, what the SDAR benchmark's tqdm bar prints: percent, a
    10-cell bar, done/total, elapsed<remaining with remaining = (total − done) / rate, questions per
    second), then the accuracy so far and wall seconds per question."""
    from tqdm import tqdm

    acc = f"{100 * correct / done:.1f}%" if done else "n/a"
    per_q = f"{elapsed / done:.1f}s/q" if done else "n/a s/q"
    meter = tqdm.format_meter(done, total, elapsed, prefix="GSM8K Eval", unit="q", bar_format=BAR_FORMAT)
    return f"{meter} Acc: {acc} | {per_q}"


class Progress:
    """The progress line on `stream`: redrawn in place on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.stream = total, stream or sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self.step = max(1, total // 20)
        self.shown = False

    def update(self, done: int, correct: int) -> None:
        line = progress_line(done, self.total, time.perf_counter() - self.started, correct)
        if self.live:
            self.stream.write("\r" + line)
            self.shown = True
        elif done % self.step == 0 or done == self.total:
            self.stream.write(line + "\n")
        self.stream.flush()

    def pause(self) -> None:
        """End the in-place line before other output (verbose logs)."""
        if self.live and self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

    def close(self) -> None:
        self.pause()


def config_summary(config: dict, source: str, sent: dict, unsent: dict[str, str], diffusion_note: str) -> list[str]:
    """The start-of-run block: every knob, what was sent for it, and (once) what could not be."""
    lines = [RULE, "GSM8K benchmark", RULE, f"Server: {config['url']}", f"Model: {config['model_name']}",
             f"Dataset: {source}", f"Samples: {config['num_samples']}"]
    lines.append(f"Block length: {config['block_length']}" + _sent(sent, "diffusion_canvas_length"))
    lines.append(f"Denoising steps: {config['denoising_steps']}" + _sent(sent, "diffusion_max_steps", ", a cap per canvas"))
    temperature = config["temperature"]
    lines.append(f"Temperature: {temperature}" + (" (greedy)" if temperature == 0 else f" (request seed = {config['seed']} "
                                                                                      "+ question index)"))
    lines.append(f"Confidence threshold: {config['confidence_threshold']}")
    lines.append(f"Remasking strategy: {config['remasking_strategy']}")
    lines.append(f"Max generation length: {config['max_gen_length']} tokens")
    lines.append(f"Output file: {config['output_file']}")
    lines += [f"Not sent: {knob}: {why}" for knob, why in unsent.items()]
    if diffusion_note:
        lines.append(diffusion_note)
    return [*lines, RULE]


def _sent(sent: dict, key: str, extra: str = "") -> str:
    return f" (sent as vllm_xargs.{key}{extra})" if key in sent else " (not sent: --no-diffusion-params)"


def example_log(i: int, total: int, row: dict, diffusion_server: bool = False) -> list[str]:
    """The verbose log of one question, after its answer arrived; the denoising line when the reply
    carries the request's own steps, or (once per question) that it does not on a diffusion server.
    Block and step figures come only from the server's reply, never computed from the requested knobs."""
    tokens, seconds = row.get("completion_tokens"), row["generation_time"]
    lines = [RULE, f"Example {i + 1}/{total}", RULE, f"Question: {row['question']}", ""]
    prompt = row.get("prompt_tokens")
    lines.append(f"    [Generation] Prompt length: {'n/a' if prompt is None else prompt} tokens")
    if tokens is not None:
        lines.append(f"    [Generation] Total length: {tokens} tokens, time {seconds:.2f}s")
    server = row.get("server_denoising")
    if server:
        lines.append(f"    [Denoising] server: {server['denoising_steps']} denoising steps, {server['committed_tokens']} "
                     f"tokens committed, {server['canvas_positions']} canvas positions evaluated")
        per_step = server.get("per_step_committed")
        if per_step:
            lines.append("    [Denoising] committed per step: " + " ".join(map(str, per_step)))
    elif diffusion_server:
        lines.append("    [Denoising] the server reports no per-request denoising steps (its counters are summed at the "
                     "end)")
    tps = row.get("tokens_per_second")
    speed = f"{'n/a' if tokens is None else tokens} tokens in {seconds:.2f}s = " + (
        "n/a tok/s" if tps is None else f"{tps:.1f} tok/s")
    lines += ["", "[Result]", f"  Generated ({speed}):"]
    lines += ["  " + text for text in (row["generated_text"] or "").splitlines() or [""]]
    lines += [f"  Predicted: {_text(row['predicted_answer'])}", f"  Ground Truth: {_text(row.get('ground_truth_answer'))}",
              f"  Correct: {'✓' if row['correct'] else '✗'}"]
    return lines


def _text(value: str | None) -> str:
    return "n/a" if value is None else value


def _one(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def final_block(m: dict, server: dict | None, knobs: dict | None = None) -> list[str]:
    """FINAL RESULTS: accuracy, then the request means and the pooled rate, each named; the server's
    diffusion counters, and whether the diffusion knobs had an effect (clients/accuracy/diffusion_params.py)."""
    avg, tps, pooled, total = (m["avg_generation_time"], m["avg_tokens_per_second"], m["pooled_tokens_per_second"],
                               m["total_generation_time"])
    lines = [RULE, "FINAL RESULTS", RULE, f"Accuracy: {m['percentage']} ({m['correct']}/{m['total']})", "",
             "Performance:",
             f"  Average generation time: {'n/a' if avg is None else f'{avg:.2f}s'} per question",
             f"  Average throughput: {_one(tps)} tokens/second (mean of per-question tokens/s)",
             f"  Pooled throughput: {_one(pooled)} tokens/second (Σ tokens / Σ generation time)",
             f"  Total generation time: {total:.1f}s ({total / 60:.1f} minutes)"]
    if server is not None:
        per_step, per_canvas = server["committed_per_step"], server["steps_per_canvas"]
        lines += ["", "Diffusion (server /metrics, after − before):",
                  (f"  Committed: {server['committed_tokens']} tokens in {server['denoising_steps']} denoising steps, "
                   f"{server['canvas_positions']} canvas positions evaluated"),
                  (f"  Tokens committed per denoising step: {'n/a' if per_step is None else f'{per_step:.2f}'}; "
                   f"steps per canvas (positions / committed): {'n/a' if per_canvas is None else f'{per_canvas:.2f}'}")]
    if knobs is not None:
        req, applied = knobs["requested"], {True: "yes", False: "no", None: "unknown"}[knobs["applied"]]
        lines += ["", f"Diffusion knobs: block_length {req['block_length']}, denoising_steps {req['denoising_steps']} "
                      f"requested; applied: {applied} ({knobs['evidence']})"]
    return [*lines, RULE]
