"""Builders for vLLM log lines, made only from vLLM's own format strings.

Every constant below is copied verbatim from the vLLM wheels (see
/work/shared/reference/formats.md sections 1.1-1.4) and filled with Python %-formatting, the way
vLLM's logger does, so a test line is byte-for-byte what that vLLM version prints.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable

# --- V1 `SpecDecoding metrics:` (vllm/v1/spec_decode/metrics.py) -------------------------------
V1_0_8_3 = "SpecDecoding metrics: " "Draft acceptance rate: %.1f%%, " "Accepted: %d tokens, " "Drafted: %d tokens"
V1_0_8_5 = (
    "SpecDecoding metrics: "
    "Draft acceptance rate: %.1f%%, "
    "Mean acceptance length: %.2f, "
    "Accepted: %d tokens, "
    "Drafted: %d tokens, "
    "Per-position acceptance rate: %s"
)
V1_0_10_2 = (
    "SpecDecoding metrics: "
    "Mean acceptance length: %.2f, "
    "Accepted throughput: %.2f tokens/s, "
    "Drafted throughput: %.2f tokens/s, "
    "Accepted: %d tokens, "
    "Drafted: %d tokens, "
    "Per-position acceptance rate: %s, "
    "Avg Draft acceptance rate: %.1f%%"
)

# --- V1 stats line (vllm/v1/metrics/loggers.py, 0.8.x - 0.11.0) --------------------------------
THROUGHPUT_V1 = (
    "Engine %03d: "
    "Avg prompt throughput: %.1f tokens/s, "
    "Avg generation throughput: %.1f tokens/s, "
    "Running: %d reqs, Waiting: %d reqs, "
    "GPU KV cache usage: %.1f%%, "
    "Prefix cache hit rate: %.1f%%"
)
# --- V0 stats line (vllm/engine/metrics.py) -----------------------------------------------------
THROUGHPUT_V0 = (
    "Avg prompt throughput: %.1f tokens/s, Avg generation throughput: %.1f tokens/s, Running: %d reqs, "
    "Swapped: %d reqs, Pending: %d reqs, GPU KV cache usage: %.1f%%, CPU KV cache usage: %.1f%%."
)

STATS_DISABLED = (
    "AsyncLLM created with api_server_count more than 1; disabling stats logging to avoid incomplete stats."
)

# --- prefixes (vllm/logger.py `_FORMAT`, `_DATE_FORMAT = "%m-%d %H:%M:%S"`) ------------------------
PREFIX_OLD = "%s %s %s:%d] "  # <= ~0.7: no opening bracket
PREFIX = "%s %s [%s:%d] "  # 0.8.2 - 0.26: levelname asctime [fileinfo:lineno]
PROCESS_TAG = "(%s pid=%d) "  # decorate_logs() from 0.10.1; part of _FORMAT in 0.33
CYAN, RESET = "\033[1;36m", "\033[0;0m"


def rates(values: Iterable[float]) -> str:
    """The per-position list exactly as vLLM renders it: `", ".join(f"{p:.3f}" ...)`."""
    return ", ".join(f"{p:.3f}" for p in values)


def v0_line(rate: float, eff: float, k: int, accepted: int, draft: int, emitted: int, *, old: bool = False) -> str:
    """V0 `_format_spec_decode_metrics_str` (an f-string with a trailing period); `old=True` gives
    the vLLM ~0.4-0.5 labels `Number of draft tokens tokens:` / `Number of emitted tokens tokens:`."""
    tok = " tokens" if old else ""
    return (
        "Speculative metrics: "
        f"Draft acceptance rate: {rate:.3f}, "
        f"System efficiency: {eff:.3f}, "
        f"Number of speculative tokens: {k}, "
        f"Number of accepted tokens: {accepted}, "
        f"Number of draft tokens{tok}: {draft}, "
        f"Number of emitted tokens{tok}: {emitted}."
    )


def api(message: str, ts: str = "11-22 21:52:53", *, pid: int = 12414, src: str = "metrics.py", line: int = 120,
        level: str = "INFO", proc: str = "APIServer") -> str:
    """`message` behind the prefix vLLM 0.33 writes: `(APIServer pid=N) INFO MM-DD HH:MM:SS [file:NN] `."""
    return PROCESS_TAG % (proc, pid) + PREFIX % (level, ts, src, line) + message


# The fixture's first interval (draft-greedy line 155), used as the canonical well-formed line:
# 287 drafts of k=3 -> 861 drafted; 354 accepted = 119 + 118 + 117 per position.
# MAL = 1 + 354/287 = 2.2334 -> "2.23"; rate = 354/861*100 = 41.11 -> "41.1";
# per position 119/287 = 0.4146 -> "0.415", 118/287 = 0.4111 -> "0.411", 117/287 = 0.4077 -> "0.408".
SPEC_155 = V1_0_10_2 % (2.2334, 17.0, 41.34, 354, 861, rates([119 / 287, 118 / 287, 117 / 287]), 354 / 861 * 100)


def write_bytes_tmp(data: bytes, suffix: str = ".log") -> str:
    """A temp file holding `data` (for hypothesis examples, where function fixtures do not reset)."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


# --- a 4 MiB log whose every line is exactly 500 bytes (499 + "\n"), so byte offsets are known --
WIDTH = 500


def padded(line: str) -> str:
    """`line` behind a VLLM_LOGGING_PREFIX-style literal (`===… `) so that it is WIDTH-1 characters."""
    n = WIDTH - 1 - len(line)
    assert n == 0 or n >= 2, n
    return ("=" * (n - 1) + " " if n else "") + line


def filler(n: int) -> str:
    return f"(EngineCore pid=7) DEBUG 11-22 21:52:50 [core.py:1] filler line {n} ".ljust(WIDTH - 1, ".")


# Spec line C: k=6, 1000 drafts; 600+500+450+400+300+150 = 2400 accepted of 6000 drafted ->
# MAL 1 + 2400/1000 = 3.40, rate 2400/6000*100 = 40.0.
SPEC_C = V1_0_10_2 % (3.40, 240.00, 600.00, 2400, 6000, rates([0.6, 0.5, 0.45, 0.4, 0.3, 0.15]), 40.0)
# Spec line D: fixture line 165 numbers (474 accepted of 1515 drafted).
SPEC_D = V1_0_10_2 % (1.94, 47.40, 151.48, 474, 1515, rates([0.327, 0.311, 0.301]), 31.3)
# Spec line E: the 0.8.3 form, 66 of 66.
SPEC_E = V1_0_8_3 % (100.0, 66, 66)
# Spec line B: the 0.8.5 form, 1836 of 3000.
SPEC_B = V1_0_8_5 % (61.2, 2.84, 1836, 3000, rates([0.797, 0.592, 0.447]))
ENGINE_1 = THROUGHPUT_V1 % (1, 60.8, 97.1, 1, 0, 0.2, 0.0)

# line number -> content (1-based). 1 MiB = 2097 lines x 500 + 76, so line 2098 holds byte 1_048_576;
# 3 MiB = 6291 x 500 + 228 -> line 6292; 4 MiB = 8388 x 500 + 304 -> line 8389 (the last, no "\n").
BIG_MARKED = {
    1: api(SPEC_155, "11-22 21:52:53"),
    2: api(SPEC_B, "11-22 21:52:54"),
    2098: api(ENGINE_1, "11-22 21:53:03", src="loggers.py", line=335),  # straddles 1 MiB
    2099: api(SPEC_D, "11-22 21:53:03"),
    6292: api(SPEC_C, "11-22 21:53:13"),  # its marker straddles 3 MiB
    8389: api(SPEC_E, "11-22 21:53:23"),  # straddles 4 MiB, no trailing newline
}
BIG_LINES = 8389


def big_log() -> bytes:
    """Lines 1..8389 as above, filler elsewhere; every line 500 bytes; no newline after the last."""
    out = [padded(BIG_MARKED[n]) if n in BIG_MARKED else filler(n) for n in range(1, BIG_LINES + 1)]
    return "\n".join(out).encode("utf-8")
