"""The `speclens` command as a user runs it: exit codes, one-line errors, clean pipes, -o."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONSTRUCTED, RECORDED, ROOT, write_log

SPECLENS = [sys.executable, "-m", "speclens.analyzers.cli"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SPECLENS, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], expected: str) -> None:
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr == f"speclens: error: {expected}\n"


def test_piped_text_has_no_escape_codes() -> None:
    proc = run("acceptance", str(RECORDED / "draft-greedy"))
    assert proc.returncode == 0 and proc.stderr == ""
    assert "\x1b" not in proc.stdout
    assert "log:0 *" in proc.stdout and "1337" in proc.stdout


def test_terminal_gets_rich_tables() -> None:
    primary, secondary = pty.openpty()
    proc = subprocess.run([*SPECLENS, "acceptance", str(RECORDED / "draft-greedy")], stdout=secondary,
                          stderr=subprocess.PIPE, cwd=ROOT, timeout=60, env={**os.environ, "COLUMNS": "250"})
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    screen = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert "┃" in screen or "│" in screen  # rich box drawing, absent from the plain renderer


def test_missing_path() -> None:
    assert_one_line_error(run("acceptance", "no/such/dir"), "no/such/dir: no such file or directory; check the path")


def test_empty_directory(tmp_path: Path) -> None:
    assert_one_line_error(run("acceptance", str(tmp_path)), (
        f"{tmp_path}: expected a run directory holding vllm_server.log and/or metrics_after.prom; "
        "point at a speclens run directory, a vLLM log file or .prom scrapes"))


def test_prom_file_that_is_not_prometheus_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "m.prom"
    bad.write_text("# HELP x y\nvllm:spec_decode_num_drafts_total 3\nthis is not prometheus\n")
    proc = run("acceptance", str(bad))
    assert proc.returncode == 2 and proc.stderr.startswith(f"speclens: error: {bad}:3: expected Prometheus text")
    assert proc.stderr.count("\n") == 1


def test_bad_since() -> None:
    assert_one_line_error(run("acceptance", str(RECORDED / "draft-greedy"), "--since", "yesterday"),
                          ("--since 'yesterday': expected a time as vLLM prints it, 'MM-DD HH:MM:SS' (e.g. '11-22 21:52:53'), or "
                           "ISO 8601 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]' (e.g. '2026-11-22T21:52:53Z')"))


def test_legacy_needs_log_intervals() -> None:
    assert_one_line_error(run("acceptance", str(RECORDED / "base-greedy"), "--format", "legacy"), (
        f"{RECORDED / 'base-greedy'}: no SpecDecoding log intervals to compute the legacy layout from "
        "(it needs a vLLM V1 log); use --format text"))


def test_output_file_written_atomically_and_inputs_protected(tmp_path: Path) -> None:
    out = tmp_path / "acceptance_analysis.txt"
    proc = run("acceptance", str(RECORDED / "ngram-greedy"), "--format", "legacy", "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    assert out.read_text().splitlines()[4] == "Total samples: 2"
    assert [p.name for p in tmp_path.iterdir()] == ["acceptance_analysis.txt"]  # no temp file left
    log = tmp_path / "vllm_server.log"
    log.write_bytes((RECORDED / "ngram-greedy" / "vllm_server.log").read_bytes())
    proc = run("acceptance", str(log), "-o", str(log), "--format", "text")  # .log names no format
    assert_one_line_error(proc, f"{log}: refusing to overwrite an input file; choose another -o path")
    assert log.read_bytes() == (RECORDED / "ngram-greedy" / "vllm_server.log").read_bytes()


def test_unparsed_lines_warn_and_strict_fails(tmp_path: Path) -> None:
    log = write_log(tmp_path / "x.log", [
        "INFO 01-02 03:04:05 [m.py:1] SpecDecoding metrics: Accepted: 5 tokens, Drafted: 10 tokens",
        "INFO 01-02 03:04:15 [m.py:1] SpecDecoding metrics: Accepted: 7 tokens",
    ])
    warning = (f"speclens: warning: 1 spec-metrics line(s) could not be read; first at {log}:2: "
               "expected 'Accepted: N tokens' and 'Drafted: N tokens' fields\n")
    loose = run("acceptance", str(log), "--format", "json")
    assert (loose.returncode, loose.stderr) == (0, warning)
    strict = run("acceptance", str(log), "--format", "json", "--strict")
    assert (strict.returncode, strict.stderr) == (2, warning)
    assert strict.stdout == loose.stdout != ""


@pytest.mark.parametrize("fmt", ["text", "md", "json", "csv", "legacy"])
def test_every_format_on_a_constructed_log(fmt: str) -> None:
    proc = run("acceptance", str(CONSTRUCTED / "vllm-0.11.0-eagle3-ansi.log"), "--format", fmt)
    assert proc.returncode == 0 and proc.stderr == "" and "\x1b" not in proc.stdout
    # 2 intervals: accepted (80+60+40+20) + (150+100+50+25) = 525 of 400 + 800 = 1200 drafted
    wanted = ["Total drafted tokens: 1200"] if fmt == "legacy" else ["525", "1200"]
    assert all(w in proc.stdout for w in wanted)


def test_no_arguments_prints_help() -> None:
    proc = run()
    assert "acceptance" in proc.stdout + proc.stderr and "Traceback" not in proc.stderr


def test_symlink_loop_is_one_clear_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.log"
    loop.symlink_to(loop)
    assert_one_line_error(run("acceptance", str(loop)), f"{loop}: no such file or directory; check the path")


def test_unknown_guidellm_schema_is_one_clear_line(tmp_path: Path) -> None:
    results = tmp_path / "g.json"
    results.write_text('{"metadata": {"version": 7}, "benchmarks": []}')
    assert_one_line_error(run("speedup", str(results), str(results)), (
        f"{results}: unknown guidellm JSON schema metadata.version=7 (known: 1, 2); "
        "upgrade speclens, or export the run with a supported guidellm"))
