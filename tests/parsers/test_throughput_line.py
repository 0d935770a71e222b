"""parsers.throughput_line: engine identity and key/value fields of the periodic stats line."""

from __future__ import annotations

from speclens.parsers.throughput_line import MARKER, parse_throughput

from .lines import THROUGHPUT_V0, THROUGHPUT_V1, api


def split(line: str):
    at = line.index(MARKER)
    return parse_throughput(line[:at], line[at:])


def test_engine_001_is_engine_1() -> None:
    line = api(THROUGHPUT_V1 % (1, 10.0, 0.1, 1, 0, 0.1, 0.0), src="loggers.py", line=259)
    assert "] Engine 001: Avg prompt throughput: 10.0 tokens/s," in line
    f = split(line)
    assert (f.engine, f.aggregated_engines) == (1, None)
    assert f.fields == {
        "avg prompt throughput": "10.0 tokens/s",
        "avg generation throughput": "0.1 tokens/s",
        "running": "1 reqs",
        "waiting": "0 reqs",
        "gpu kv cache usage": "0.1%",
        "prefix cache hit rate": "0.0%",
    }


def test_engine_000_is_engine_0_not_none() -> None:
    f = split(api(THROUGHPUT_V1 % (0, 38.0, 63.8, 1, 0, 0.1, 0.0)))
    assert (f.engine, f.aggregated_engines) == (0, None)


def test_engine_012() -> None:
    assert split(api(THROUGHPUT_V1 % (12, 0, 0, 0, 0, 0, 0))).engine == 12


def test_aggregated_engines() -> None:
    # 0.14+: log_prefix "{} Engines Aggregated: " + ", ".join(parts)
    line = api("2 Engines Aggregated: Avg prompt throughput: 5.0 tokens/s, Avg generation throughput: 7.5 tokens/s, "
               "Running: 2 reqs, Waiting: 0 reqs, Preemptions: 0, GPU KV cache usage: 1.2%")
    f = split(line)
    assert (f.engine, f.aggregated_engines) == (None, 2)
    assert f.fields["preemptions"] == "0"
    assert f.fields["gpu kv cache usage"] == "1.2%"


def test_v0_form_has_no_engine() -> None:
    line = "INFO 02-06 03:05:53 metrics.py:455] " + THROUGHPUT_V0 % (0.0, 12.3, 1, 0, 0, 0.4, 0.0)
    f = split(line)
    assert (f.engine, f.aggregated_engines) == (None, None)
    assert f.fields["swapped"] == "0 reqs"
    assert f.fields["cpu kv cache usage"] == "0.0%"  # trailing period of the V0 format stripped


def test_0_33_cpu_kv_line_from_fixture() -> None:
    # draft-greedy vllm_server.log line 154
    line = ("(APIServer pid=12414) INFO 11-22 21:52:53 [loggers.py:335] "
            "Engine 000: Avg prompt throughput: 38.0 tokens/s, "
            "Avg generation throughput: 63.8 tokens/s, Running: 1 reqs, Waiting: 0 reqs, CPU KV cache usage: 0.1%, "
            "Prefix cache hit rate: 0.0%")
    f = split(line)
    assert f.engine == 0
    assert f.fields["cpu kv cache usage"] == "0.1%"
    assert len(f.fields) == 6
