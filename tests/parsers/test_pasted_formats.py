"""Small formats users paste or keep logs in (issue 20): `vllm bench serve` console rows without
their header, spec lines pasted into Markdown (bold), and Docker's json-file log format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.parsers.records import SpecCumulative, SpecInterval
from speclens.parsers.sniff import sniff
from speclens.parsers.vllm_bench_console import parse_bench_console
from speclens.parsers.vllm_log import read_vllm_log

from tests.conftest import CONSTRUCTED, RECORDED

# --- vllm bench serve console rows without their header ------------------------------------------

# 7 positions accepted 245000 + 230000 + 215000 + 195000 + 180000 + 150000 + 133650 = 1348650 of 255426 drafts
# (k = 7: 255426 x 7 = 1787982 draft tokens); printed as vLLM does: 100 * a_i / drafts with 2 decimals,
# acceptance rate 100 * 1348650 / 1787982 = 75.43, acceptance length 1 + 1348650 / 255426 = 6.28
ROWS = ["Acceptance rate (%):                     75.43",
        "Acceptance length:                       6.28",
        "Drafts:                                  255426",
        "Draft tokens:                            1787982",
        "Accepted tokens:                         1348650",
        "Per-position acceptance (%):",
        *(f"  Position {i}:                            {p}" for i, p in
          enumerate(["95.92", "90.05", "84.17", "76.34", "70.47", "58.73", "52.32"]))]


@pytest.mark.parametrize(("name", "text"), [
    ("rows only", "\n".join(ROWS) + "\n"),
    ("rows pasted into prose", "our run on the 8xH100 box:\n\n" + "\n".join(ROWS) + "\n\nnot bad\n"),
    ("block header, no result header", "---------------Speculative Decoding---------------\n" + "\n".join(ROWS) + "\n"),
    ("thousands separators", "\n".join(ROWS).replace("255426", "255,426").replace("1787982", "1,787,982")
     .replace("1348650", "1,348,650") + "\n"),
])
def test_console_rows_without_their_header_are_read(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / "bench.txt"
    path.write_text(text)
    assert sniff(str(path)).kind == "vllm_bench_console"
    [run] = parse_bench_console(str(path), text)
    assert run.spec is not None
    assert (run.spec.drafts, run.spec.draft_tokens, run.spec.accepted_tokens, run.spec.acceptance_length) == (
        255426, 1787982, 1348650, 6.28)
    source = build_report([str(path)], Window()).targets[0].sources[0]
    counts = source.counts
    assert (counts.k, counts.drafts, counts.draft_tokens, counts.accepted_tokens) == (7, 255426, 1787982, 1348650)
    # a rate printed with 2 decimals of a percent fits any count within 0.005% x 255426 = 12.8 of the true one:
    # several vectors add up to 1348650, so the per-position counts are an estimate, and they say so
    assert counts.per_position_from == "estimated" and sum(counts.accepted_per_position) == 1348650
    assert source.metrics.mean_acceptance_length == pytest.approx(1 + 1348650 / 255426)  # 6.28


def test_rows_of_the_other_blocks_alone_are_not_a_spec_block() -> None:
    # the throughput rows of a result, without the result header: no Speculative Decoding rows, no block
    assert parse_bench_console("x.txt", "Successful requests:   3\nMean TTFT (ms):   12.5\n") == []


# --- spec lines pasted into Markdown -------------------------------------------------------------

V0 = ("INFO 02-06 03:05:53 metrics.py:475] Speculative metrics: Draft acceptance rate: 0.200, "
      "System efficiency: 0.167, Number of speculative tokens: 5, Number of accepted tokens: 100, "
      "Number of draft tokens: 500, Number of emitted tokens: 161.")
V1 = ("(APIServer pid=12414) INFO 11-22 21:52:53 [metrics.py:120] SpecDecoding metrics: Mean acceptance length: 2.23, "
      "Accepted throughput: 17.00 tokens/s, Drafted throughput: 41.34 tokens/s, Accepted: 354 tokens, Drafted: 861 "
      "tokens, Per-position acceptance rate: 0.415, 0.411, 0.408, Avg Draft acceptance rate: 41.1%")


@pytest.mark.parametrize("line", [
    f"**{V0}**",  # the whole line bold: the V0 line then ends in "161.**"
    f"- `{V0}`",  # a list item in inline code
    V0.replace("Speculative metrics:", "**Speculative metrics:**").replace("161.", "**161**."),
])
def test_a_v0_line_in_markdown_is_read(tmp_path: Path, line: str) -> None:
    path = tmp_path / "notes.md"
    path.write_text(f"# our run\n\n{line}\n")
    [rec] = [r for r in read_vllm_log(str(path)) if isinstance(r, SpecCumulative)]
    assert (rec.num_spec_tokens, rec.accepted, rec.draft_tokens, rec.emitted, rec.timestamp) == (
        5, 100, 500, 161, "02-06 03:05:53")


@pytest.mark.parametrize("line", [
    f"**{V1}**",
    V1.replace("[metrics.py:120] ", "[metrics.py:120]** ").replace("(APIServer", "**(APIServer"),
    V1.replace("SpecDecoding metrics:", "**SpecDecoding metrics:**").replace("354", "**354**").replace("861", "*861*"),
])
def test_a_v1_line_in_markdown_is_read_and_the_file_is_a_log(tmp_path: Path, line: str) -> None:
    path = tmp_path / "notes.md"
    path.write_text(f"# our run\n\nThe server printed:\n\n{line}\n")
    assert sniff(str(path)).kind == "vllm_log"
    [rec] = [r for r in read_vllm_log(str(path)) if isinstance(r, SpecInterval)]
    assert (rec.accepted, rec.drafted, rec.per_position, rec.timestamp) == (354, 861, (0.415, 0.411, 0.408),
                                                                              "11-22 21:52:53")


# --- Docker's json-file log format ---------------------------------------------------------------

def docker(log: Path, tmp_path: Path) -> Path:
    """`log` as Docker's json-file driver writes a container's stdout: one JSON object per line."""
    path = tmp_path / "container-json.log"
    with path.open("w", encoding="utf-8") as out:
        for i, line in enumerate(log.read_text(encoding="utf-8").splitlines()):
            out.write(json.dumps({"log": line + "\n", "stream": "stdout",
                                  "time": f"2026-11-22T21:52:{i % 60:02d}.123456789Z"}) + "\n")
    return path


@pytest.mark.parametrize("log", [RECORDED / "draft-greedy" / "vllm_server.log",
                                 CONSTRUCTED / "vllm-0.11.0-eagle3-ansi.log"])  # ANSI codes become \u001b escapes
def test_a_docker_json_file_log_reads_like_the_log_itself(tmp_path: Path, log: Path) -> None:
    path = docker(log, tmp_path)
    kind = sniff(str(path))
    assert (kind.kind, kind.description) == ("vllm_log", "a vLLM server log in Docker's json-file format")
    [mine] = build_report([str(path)], Window()).targets
    [plain] = build_report([str(log)], Window()).targets
    assert mine.sources[0].counts == plain.sources[0].counts
    assert [s.model_dump() for s in mine.segments] == [s.model_dump() for s in plain.segments]


def test_a_docker_log_of_another_program_is_not_called_a_vllm_log(tmp_path: Path) -> None:
    path = tmp_path / "nginx-json.log"
    path.write_text(json.dumps({"log": "GET / 200\n", "stream": "stdout", "time": "2026-06-18T17:27:30Z"}) + "\n")
    kind = sniff(str(path))
    assert (kind.kind, kind.description) == ("unknown_text", "a Docker json-file log with no vLLM log lines")
