"""Properties of parsers.vllm_log.read_vllm_log over generated files (hypothesis).

Function-scoped fixtures such as tmp_path are not reset between hypothesis examples, so every
example writes its own temporary file.
"""

from __future__ import annotations

import math
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from speclens.parsers.log_line import _FAST_SPEC, _FAST_STATS, _parse_general, parse_line
from speclens.parsers.records import SpecInterval, StrayBytes, UnparsedSpecLine
from speclens.parsers.spec_line import V1SpecLine
from speclens.parsers.throughput_line import StatsLine
from speclens.parsers.vllm_log import read_vllm_log

from .lines import V1_0_10_2, api, rates, write_bytes_tmp

FAST = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# pieces that steer generated text towards the reader's markers and fields
FRAGMENTS = [
    "SpecDecoding metrics:", "Speculative metrics:", " metrics:", "Accepted: ", "Drafted: ", " tokens", ", ", ": ",
    "Per-position acceptance rate: ", "Mean acceptance length: ", "Avg Draft acceptance rate: ", "nan", "%", "-", ".",
    "Number of speculative tokens: ", "Number of accepted tokens: ", "Number of draft tokens tokens: ",
    "Engine 001: ", "2 Engines Aggregated: ", "Avg prompt throughput: ", "disabling stats logging",
    "Initializing a V1 LLM engine (v0.32.0) with config: model='m', ",
    "speculative_config=SpeculativeConfig(method='ngram', model=None, num_spec_tokens=3)",
    "(APIServer pid=1) ", "INFO 12-31 23:59:59 [metrics.py:120] ", "INFO 99-99 99:99:99 [a.py:1] ", "\x1b[1;36m",
    "\x00", "\r", "\xff", "0", "1", "354", "1e999", "0.500",
]

text_line = st.one_of(
    st.text(max_size=120).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=120),
    st.lists(st.sampled_from(FRAGMENTS), max_size=14).map(lambda parts: "".join(parts).encode("utf-8")),
)


def read_bytes(data: bytes) -> list:
    path = write_bytes_tmp(data)
    try:
        return list(read_vllm_log(path))
    finally:
        os.unlink(path)


def no_newline(line: bytes) -> bytes:
    return line.replace(b"\n", b" ")


# (a) -------------------------------------------------------------------------------------------------

@FAST
@given(st.lists(text_line, max_size=12), st.booleans())
def test_any_lines_never_crash_the_reader(lines: list[bytes], trailing_newline: bool) -> None:
    # the first line keeps the file from starting with the gzip magic (a corrupt gzip is another test)
    data = b"boot\n" + b"\n".join(lines) + (b"\n" if trailing_newline else b"")
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    for record in read_bytes(data):
        assert 2 <= record.lineno <= n_lines


# (b) -------------------------------------------------------------------------------------------------

@st.composite
def well_formed(draw: st.DrawFn) -> tuple[str, int, int, tuple[float, ...]]:
    """A 0.10.2 line with random integers and k random per-position rates, and what it must parse to."""
    drafted = draw(st.integers(0, 10**9 - 1))
    accepted = draw(st.integers(0, drafted))
    k = draw(st.integers(1, 16))
    positions = draw(st.lists(st.floats(0, 1), min_size=k, max_size=k))
    mal = draw(st.floats(1, k + 1))
    throughput = draw(st.floats(0, 1e6))
    rate = accepted / drafted * 100 if drafted else math.nan
    accepted_tp = throughput * accepted / max(drafted, 1)
    message = V1_0_10_2 % (mal, accepted_tp, throughput, accepted, drafted, rates(positions), rate)
    expected_positions = tuple(float(f"{p:.3f}") for p in positions)
    return api(message), accepted, drafted, expected_positions


@FAST
@given(st.lists(text_line.map(no_newline), max_size=8), well_formed(), st.lists(text_line.map(no_newline), max_size=8))
def test_well_formed_line_among_junk_is_always_read(before: list[bytes], line: tuple, after: list[bytes]) -> None:
    text, accepted, drafted, positions = line
    data = b"\n".join([b"boot", *before, text.encode(), *after]) + b"\n"
    lineno = 2 + len(before)  # "boot" is line 1
    found = [r for r in read_bytes(data) if r.lineno == lineno]
    assert len(found) == 1
    (record,) = found
    assert isinstance(record, SpecInterval)
    assert (record.accepted, record.drafted, record.per_position) == (accepted, drafted, positions)
    assert (record.fmt, record.timestamp) == ("v1-0.10.2", "11-22 21:52:53")


# (c) -------------------------------------------------------------------------------------------------

@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A well-formed line truncated at a random byte, or with one byte replaced by another."""
    text, *_ = draw(well_formed())
    data = text.encode()
    at = draw(st.integers(0, len(data) - 1))
    if draw(st.booleans()):
        return data[:at]
    new = draw(st.integers(0, 255).filter(lambda b: b != data[at]))
    return data[:at] + bytes([new]) + data[at + 1 :]


@FAST
@given(mutated(), well_formed())
def test_mutated_line_never_loses_the_next_good_line(bad: bytes, good: tuple) -> None:
    text, accepted, drafted, positions = good
    data = b"boot\n" + bad + b"\n" + text.encode() + b"\n"
    good_lineno = 3 + bad.count(b"\n")  # a byte flipped to "\n" splits the bad line in two
    records = read_bytes(data)
    for record in records:
        if record.lineno < good_lineno:
            assert isinstance(record, (SpecInterval, UnparsedSpecLine, StrayBytes))  # StrayBytes: a NUL or non-UTF-8 byte
            if isinstance(record, SpecInterval):
                assert record.accepted <= record.drafted
    found = [r for r in records if r.lineno == good_lineno]
    assert len(found) == 1
    assert isinstance(found[0], SpecInterval)
    assert (found[0].accepted, found[0].drafted, found[0].per_position) == (accepted, drafted, positions)
    assert max(r.lineno for r in records) == good_lineno


# (d) the fast path for the default 0.10.2+ shapes never disagrees with the general path -------------

CANONICAL = [
    b"(APIServer pid=56672) INFO 03-02 19:47:40 [metrics.py:120] SpecDecoding metrics: Mean acceptance length: 3.43, "
    b"Accepted throughput: 579.20 tokens/s, Drafted throughput: 707.80 tokens/s, Accepted: 5792 tokens, Drafted: 7078 "
    b"tokens, Per-position acceptance rate: 0.928, 0.818, 0.686, Avg Draft acceptance rate: 81.8%",
    b"(APIServer pid=56672) INFO 03-02 19:47:40 [loggers.py:335] Engine 000: Avg prompt throughput: 96.2 tokens/s, "
    b"Avg generation throughput: 454.4 tokens/s, Running: 6 reqs, Waiting: 1 reqs, CPU KV cache usage: 29.7%, "
    b"Prefix cache hit rate: 69.7%",
]
MUTATION_BYTES = [b"", b"0", b"9", b".", b",", b" ", b":", b"-", b"(", b")", b"[", b"]", b"\r", b"\t", b"\x1b[0m",
                  b"\xc3\xa9", b"\xff", b"nan", b"1.2.3", b" metrics:", b"SpecDecoding metrics:", b"INFO 01-01 00:00:00 [a.py:1] ",
                  b"Engine 7: ", b"2 Engines Aggregated: ", b"Avg prompt throughput: ", b"%", b"\x1c"]


@settings(max_examples=600, deadline=None, database=None)
@given(st.sampled_from(CANONICAL), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 6),
                                                      st.sampled_from(MUTATION_BYTES)), max_size=3))
def test_fast_path_equals_general_path(line: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    # each edit replaces `cut` bytes at `at` (clamped to the line) with a fragment
    for at, cut, fragment in edits:
        at = min(at, len(line))
        line = line[:at] + fragment + line[at + cut:]
    assert repr(parse_line(line)) == repr(_parse_general(line))  # repr: two nan values never compare equal


def test_fast_path_takes_the_canonical_lines() -> None:
    # the shapes the fast path exists for really match it (else the test above compares general to general)
    assert _FAST_SPEC.fullmatch(CANONICAL[0]) is not None
    assert _FAST_STATS.fullmatch(CANONICAL[1]) is not None
    seconds = (61 * 24 + 19) * 3600 + 47 * 60 + 40  # 03-02 19:47:40: 31 + 29 + 1 whole days before it
    assert parse_line(CANONICAL[0]) == V1SpecLine("v1-0.10.2", 5792, 7078, 3.43, (0.928, 0.818, 0.686), 81.8,
                                                  "03-02 19:47:40", seconds)
    assert parse_line(CANONICAL[1]) == StatsLine(0, None, CANONICAL[1][CANONICAL[1].index(b"Avg"):].decode(),
                                                 "03-02 19:47:40", seconds)
