"""Stray bytes in a log (issue 20): an echoed Latin-1 prompt, a NUL, crash padding. Whether a file
is binary is decided by the share of control bytes in its head, NUL padding left out; the log is
then read, and the metrics lines that held such bytes are counted in a notice."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Window
from speclens.parsers.records import SpecInterval, StrayBytes
from speclens.parsers.sniff import sniff
from speclens.parsers.vllm_log import read_vllm_log

from tests.conftest import RECORDED, ROOT

LOG = (RECORDED / "draft-greedy" / "vllm_server.log").read_bytes()
LATIN1 = b"(APIServer pid=1) INFO 11-22 21:52:00 [logger.py:43] Received request: prompt: 'un caf\xe9 au lait'\n"
FILLER = b"".join(b"(APIServer pid=1) INFO 11-22 21:52:00 [logger.py:43] GET /health HTTP/1.1 200 OK %06d\n" % i
                  for i in range(1000))  # 87 KB of plain lines, so that 70 KB is still before the spec lines


def at_line(data: bytes, offset: int, insert: bytes) -> bytes:
    """`insert` at the start of the first line that begins after `offset`."""
    start = data.index(b"\n", offset) + 1
    return data[:start] + insert + data[start:]


def totals(path: Path) -> tuple[int, int, int]:
    """(accepted, drafted, drafts) of the primary source of `speclens acceptance PATH`."""
    counts = build_report([str(path)], Window()).targets[0].sources[0].counts
    return counts.accepted_tokens, counts.draft_tokens, counts.drafts


# draft-greedy's three spec lines: accepted 354 + 474 + 509 = 1337, drafted 861 + 1515 + 1350 = 3726,
# drafts 3726 / k=3 = 1242 (a draft model drafts k tokens every time)
EXPECTED = (1337, 3726, 1242)


@pytest.mark.parametrize(("name", "damage"), [
    ("latin1-at-1k", lambda d: at_line(d, 1024, LATIN1)),
    ("nul-at-1k", lambda d: at_line(d, 1024, b"x\x00y\n")),
    ("latin1-at-70k", lambda d: at_line(FILLER + d, 70 * 1024, LATIN1)),
    ("crash-padding-4k", lambda d: at_line(d, len(d) // 2, b"\x00" * 4096)),
    ("leading-padding-100k", lambda d: b"\x00" * 100_000 + d),  # logrotate copytruncate leaves this
])
def test_a_log_with_stray_bytes_is_a_log_and_reads_whole(tmp_path: Path, name: str, damage) -> None:
    path = tmp_path / f"{name}.log"
    path.write_bytes(damage(LOG))
    assert sniff(str(path)).kind == "vllm_log"
    assert totals(path) == EXPECTED


def test_the_same_bytes_under_gzip_are_a_log_too(tmp_path: Path) -> None:
    path = tmp_path / "x.log.gz"
    path.write_bytes(gzip.compress(at_line(LOG, 1024, LATIN1 + b"\x00" * 4096 + b"\n")))
    assert sniff(str(path)).kind == "vllm_log"
    assert totals(path) == EXPECTED


def _elf() -> bytes:
    return Path(sys.executable).resolve().read_bytes()[: 1 << 17]


def _png() -> bytes:
    import matplotlib

    return next(Path(matplotlib.get_data_path()).rglob("*.png")).read_bytes()


def _floats() -> bytes:
    rng = random.Random(1)
    return b"".join(b"\x00" * 8 if rng.random() < 0.5 else rng.randbytes(8) for _ in range(9000))


@pytest.mark.parametrize(("name", "content", "looks_like"), [
    ("bytes.bin", bytes(range(256)) * 64, "binary data, not text"),
    ("random.bin", random.Random(0).randbytes(1 << 16), "binary data, not text"),
    ("python.elf", None, "an ELF executable or library"),
    ("image.png", None, "a PNG image"),
    ("zeros.bin", b"\x00" * (1 << 17), "only NUL bytes (padding), no text"),
    ("floats.bin", None, "binary data, not text"),  # 8-byte values, half of them 0.0
])
def test_real_binary_files_are_still_refused(tmp_path: Path, name: str, content: bytes | None, looks_like: str) -> None:
    path = tmp_path / name
    make = {"python.elf": _elf, "image.png": _png, "floats.bin": _floats}
    path.write_bytes(content if content is not None else make[name]())
    kind = sniff(str(path))
    assert (kind.kind, kind.description) == ("binary", looks_like)


def test_metrics_lines_holding_stray_bytes_are_counted_and_read(tmp_path: Path) -> None:
    lines = LOG.split(b"\n")
    # line 155: 4 KB of crash padding in front of the first spec line (the server wrote it after the gap);
    # line 165: a Latin-1 byte in the process tag of the second one; line 174 stays clean
    lines[154] = b"\x00" * 4096 + lines[154]
    lines[164] = lines[164].replace(b"(APIServer pid=12414)", b"(APIServer\xe9 pid=12414)")
    path = tmp_path / "x.log"
    path.write_bytes(b"\n".join(lines))
    records = list(read_vllm_log(str(path)))
    stray = [r for r in records if isinstance(r, StrayBytes)]
    assert [(r.lineno, r.nul_bytes, r.undecodable_bytes, r.has_record) for r in stray] == [
        (155, 4096, 0, True), (165, 0, 1, True)]
    spec = [(r.lineno, r.accepted, r.drafted, r.timestamp) for r in records if isinstance(r, SpecInterval)]
    assert spec == [(155, 354, 861, "11-22 21:52:53"), (165, 474, 1515, "11-22 21:53:03"),
                    (174, 509, 1350, "11-22 21:53:13")]
    target = build_report([str(path)], Window()).targets[0]
    assert (target.sources[0].counts.accepted_tokens, target.sources[0].counts.draft_tokens) == (1337, 3726)
    [notice] = [n for n in target.notices if n.code == "stray-bytes"]
    assert notice.location == f"{path}:155"
    assert notice.message == (
        "2 line(s) hold bytes that are not text: 4096 NUL byte(s) (crash padding?) and 1 byte(s) that are not UTF-8; "
        "2 of them are lines speclens reads, read with those bytes replaced (a line whose fields they hit is "
        "counted as unparsed)")


def test_a_stray_line_that_is_not_a_metrics_line_counts_its_nul_bytes_only(tmp_path: Path) -> None:
    # a Latin-1 prompt echo changes no number: not counted; a NUL block is (it may have swallowed a line)
    path = tmp_path / "x.log"
    path.write_bytes(at_line(at_line(LOG, 1024, LATIN1), 2048, b"\x00" * 512 + b"\n"))
    stray = [r for r in read_vllm_log(str(path)) if isinstance(r, StrayBytes)]
    assert [(r.nul_bytes, r.undecodable_bytes, r.has_record) for r in stray] == [(512, 0, False)]


def test_acceptance_reads_a_log_with_a_latin1_prompt_from_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "latin1.log"
    path.write_bytes(at_line(LOG, 1024, LATIN1))
    proc = subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "acceptance", str(path), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, "")
    counts = json.loads(proc.stdout)["targets"][0]["sources"][0]["counts"]
    assert (counts["accepted_tokens"], counts["draft_tokens"], counts["drafts"]) == EXPECTED
