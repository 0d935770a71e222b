"""parsers.log_prefix: the timestamp of every prefix style vLLM (and what wraps it) has printed."""

from __future__ import annotations

import pytest
from speclens.parsers.log_prefix import stamp_of, strip_ansi

from .lines import CYAN, PREFIX, PREFIX_OLD, PROCESS_TAG, RESET


def head_of(line: str, marker: str = "SpecDecoding metrics:") -> str:
    """The text before the marker, as the reader passes it."""
    return line[: line.index(marker)]


def test_ansi_coloured_process_tag_0_10_1_to_0_11() -> None:
    # decorate_logs(): f"{CYAN}({worker_name} pid={pid}){RESET} " written even into files
    prefix = PREFIX % ("INFO", "05-01 14:24:50", "metrics.py", 101)
    line = f"{CYAN}(APIServer pid=1){RESET} " + prefix + "SpecDecoding metrics: x"
    assert line.startswith("\x1b[1;36m(APIServer pid=1)\x1b[0;0m INFO 05-01 14:24:50 [metrics.py:101] ")
    plain = strip_ansi(line)
    assert plain == "(APIServer pid=1) INFO 05-01 14:24:50 [metrics.py:101] SpecDecoding metrics: x"
    assert stamp_of(head_of(plain)) == "05-01 14:24:50"


def test_strip_ansi_leaves_plain_text_alone() -> None:
    assert strip_ansi("(APIServer pid=1) INFO") == "(APIServer pid=1) INFO"


def test_process_name_with_a_space() -> None:
    head = PROCESS_TAG % ("VllmWorker rank=0", 2120280) + PREFIX % ("INFO", "07-28 10:11:12", "gpu_worker.py", 85)
    assert head == "(VllmWorker rank=0 pid=2120280) INFO 07-28 10:11:12 [gpu_worker.py:85] "
    assert stamp_of(head) == "07-28 10:11:12"


@pytest.mark.parametrize("name", ["ApiServer_3", "EngineCore_DP0", "MainProcess"])
def test_other_process_names(name: str) -> None:
    head = PROCESS_TAG % (name, 42) + PREFIX % ("WARNING", "01-04 14:48:03", "loggers.py", 1277)
    assert stamp_of(head) == "01-04 14:48:03"


def test_old_no_bracket_prefix() -> None:
    head = PREFIX_OLD % ("INFO", "02-06 03:05:53", "metrics.py", 475)
    assert head == "INFO 02-06 03:05:53 metrics.py:475] "
    assert stamp_of(head) == "02-06 03:05:53"


def test_0_8_prefix_without_process_tag() -> None:
    assert stamp_of("INFO 09-09 11:51:35 [metrics.py:96] ") == "09-09 11:51:35"


def test_relative_source_path_under_debug() -> None:
    head = PROCESS_TAG % ("APIServer", 7) + PREFIX % ("DEBUG", "09-09 11:51:35", "vllm/v1/metrics/loggers.py", 120)
    assert "[vllm/v1/metrics/loggers.py:120] " in head
    assert stamp_of(head) == "09-09 11:51:35"


def test_journald_prefix() -> None:
    head = "Aug 19 18:34:30 vllm vllm[8707]: (APIServer pid=8707) INFO 08-19 18:34:30 [loggers.py:123] "
    assert stamp_of(head) == "08-19 18:34:30"


def test_vllm_logging_prefix_literal_in_front() -> None:
    # 0.33: f"{VLLM_LOGGING_PREFIX}(%(vllm_process_name)s pid=%(process)d) %(levelname)s ..."
    head = "[speclens-run-7] " + PROCESS_TAG % ("APIServer", 3) + PREFIX % ("ERROR", "12-31 23:59:59", "metrics.py", 1)
    assert stamp_of(head) == "12-31 23:59:59"


def test_prefix_lookalike_literal_does_not_shadow_the_real_prefix() -> None:
    # the literal itself looks like a vLLM prefix; the one next to the message wins
    head = "INFO 01-01 00:00:00 [fake.py:1] " + PREFIX % ("CRITICAL", "06-15 08:00:01", "metrics.py", 2)
    assert stamp_of(head) == "06-15 08:00:01"


@pytest.mark.parametrize(
    "head",
    ["", "no prefix at all ", "INFO 1-06 03:05:53 [a.py:1] ", "NOTICE 02-06 03:05:53 [a.py:1] ",
     "INFO 02-06 03:05:53 [a.py] ", "INFO 02-06 03:05 [a.py:1] "],
    ids=["empty", "text", "short-month", "bad-level", "no-lineno", "no-seconds"],
)
def test_no_prefix(head: str) -> None:
    assert stamp_of(head) is None


def test_absurd_pid_does_not_raise() -> None:
    head = "(APIServer pid=" + "9" * 5000 + ") INFO 01-01 00:00:00 [a.py:1] "
    assert stamp_of(head) == "01-01 00:00:00"
