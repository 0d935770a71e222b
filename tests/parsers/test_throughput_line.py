"""parsers.throughput_line: the engine identity of the periodic stats line."""

from __future__ import annotations

from speclens.parsers.throughput_line import MARKER, engine_of

from .lines import THROUGHPUT_V0, THROUGHPUT_V1, api


def engine(line: str) -> tuple[int | None, int | None]:
    """(engine, aggregated engines) from the text before the marker, as the reader passes it."""
    return engine_of(line[: line.index(MARKER)])


def test_engine_001_is_engine_1() -> None:
    line = api(THROUGHPUT_V1 % (1, 10.0, 0.1, 1, 0, 0.1, 0.0), src="loggers.py", line=259)
    assert "] Engine 001: Avg prompt throughput: 10.0 tokens/s," in line
    assert engine(line) == (1, None)


def test_engine_000_is_engine_0_not_none() -> None:
    assert engine(api(THROUGHPUT_V1 % (0, 38.0, 63.8, 1, 0, 0.1, 0.0))) == (0, None)


def test_engine_012() -> None:
    assert engine(api(THROUGHPUT_V1 % (12, 0, 0, 0, 0, 0, 0))) == (12, None)


def test_aggregated_engines() -> None:
    # 0.14+: log_prefix "{} Engines Aggregated: " + ", ".join(parts)
    line = api("2 Engines Aggregated: Avg prompt throughput: 5.0 tokens/s, Avg generation throughput: 7.5 tokens/s, "
               "Running: 2 reqs, Waiting: 0 reqs, Preemptions: 0, GPU KV cache usage: 1.2%")
    assert engine(line) == (None, 2)


def test_v0_form_has_no_engine() -> None:
    line = "INFO 02-06 03:05:53 metrics.py:455] " + THROUGHPUT_V0 % (0.0, 12.3, 1, 0, 0, 0.4, 0.0)
    assert engine(line) == (None, None)


def test_0_33_cpu_kv_line_from_fixture() -> None:
    # draft-greedy vllm_server.log line 154
    line = ("(APIServer pid=12414) INFO 11-22 21:52:53 [loggers.py:335] "
            "Engine 000: Avg prompt throughput: 38.0 tokens/s, "
            "Avg generation throughput: 63.8 tokens/s, Running: 1 reqs, Waiting: 0 reqs, CPU KV cache usage: 0.1%, "
            "Prefix cache hit rate: 0.0%")
    assert engine(line) == (0, None)
