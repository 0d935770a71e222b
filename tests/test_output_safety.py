"""-o never destroys anything (issue 20): streams are written into, not replaced; raw run data and
files that are not an earlier output of the same kind are refused (--overwrite for the latter);
extensions of no format (and .gz) are refused; a closed or full stdout is one line, exit 2.

Device nodes are never put at risk: /dev/stdout is tested in a private mount namespace whose /dev
is an empty tmpfs, everything else on twins made in tmp_path (a FIFO, a symlink to
/proc/self/fd/1, a character device 1:3 like /dev/null, a block device of no driver)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import RECORDED, ROOT
from tests.test_cli import SPECLENS, assert_one_line_error, run

RUN_EVAL = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"  # a run with its baseline/
DRAFT = str(RECORDED / "draft-greedy")
TEXT_HEAD = "speclens 0.1.0 acceptance report (schema 3)\n"
CLIENT_JSON = ROOT / "tests" / "data" / "seed002_example.json"


def speclens(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("cwd", ROOT)
    return subprocess.run([*SPECLENS, *args], text=True, timeout=120, **kwargs)  # type: ignore[call-overload]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run_dir = tmp_path / "run"
    shutil.copytree(RUN_EVAL, run_dir)
    return run_dir


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# 1. special files are written into, never replaced

def test_a_fifo_is_written_into(tmp_path: Path) -> None:
    fifo = tmp_path / "out-pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)  # `cat out-pipe`
    reader.start()
    proc = speclens("acceptance", DRAFT, "-o", str(fifo), capture_output=True)
    reader.join(timeout=10)  # had the FIFO been replaced, the reader would wait forever (daemon: not the test run)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert got and got[0].decode().startswith(TEXT_HEAD)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO (it was renamed over before)


@pytest.mark.parametrize("name", ["link-to-fd1", "/dev/fd/1", "-"])
def test_stdout_by_any_name_goes_into_the_pipe(tmp_path: Path, name: str) -> None:
    link = tmp_path / "link-to-fd1"
    link.symlink_to("/proc/self/fd/1")  # what /dev/stdout is
    target = str(link) if name == "link-to-fd1" else name
    proc = speclens("acceptance", DRAFT, "-o", target, capture_output=True, cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith(TEXT_HEAD)
    assert os.readlink(link) == "/proc/self/fd/1"  # the link is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link-to-fd1"]  # no file named "-", no temp file


def test_dev_stdout_appends_where_the_shell_appends(tmp_path: Path) -> None:
    out = tmp_path / "log.txt"
    out.write_text("earlier\n")
    with out.open("ab") as handle:  # `>> log.txt`
        proc = speclens("acceptance", DRAFT, "-o", "/dev/fd/1", stdout=handle, stderr=subprocess.PIPE)
    assert (proc.returncode, proc.stderr) == (0, "")
    text = out.read_text()
    assert text.startswith("earlier\n" + TEXT_HEAD)  # written through the descriptor: not truncated


def test_dev_stdout_itself_in_a_private_dev(tmp_path: Path) -> None:
    # /dev here is an empty tmpfs of a private mount namespace: the real /dev/stdout cannot be touched
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs tmpfs {tmp_path}"], capture_output=True,
                           text=True, check=False) if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        pytest.skip(f"no private mount namespace here (needs unshare and root): {probe and probe.stderr.strip()}")
    script = ('mount -t tmpfs tmpfs /dev && ln -s /proc/self/fd/1 /dev/stdout && "$@" -o /dev/stdout && '
              'test -L /dev/stdout && echo "still a symlink" >&2')
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *SPECLENS, "acceptance", DRAFT],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, "still a symlink\n")
    assert proc.stdout.startswith(TEXT_HEAD)


def test_a_character_device_is_written_into(tmp_path: Path) -> None:
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a twin of /dev/null
    except PermissionError:
        pytest.skip("mknod needs root")
    proc = speclens("acceptance", DRAFT, "-o", str(null), capture_output=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == os.makedev(1, 3)


def test_a_block_device_is_refused(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    try:
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(240, 0))  # a major of no driver: harmless if opened
    except PermissionError:
        pytest.skip("mknod needs root")
    assert_one_line_error(run("acceptance", DRAFT, "-o", str(disk)),
                          f"{disk}: is a block device; -o writes regular files, pipes and terminals; "
                          "choose another -o path")
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


def test_a_symlink_to_a_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text(TEXT_HEAD + "an earlier report\n")
    link = tmp_path / "latest.txt"
    link.symlink_to(real.name)
    assert run("acceptance", DRAFT, "-o", str(link)).returncode == 0
    assert os.readlink(link) == "real.txt" and real.read_text().startswith(TEXT_HEAD + "\n")
    assert "an earlier report" not in real.read_text()


# 2. raw run data and files of another kind are not overwritten

RAW = "refusing to overwrite a file of the run directory RUN, an input of this command (only speclens outputs there " \
      "are replaced); choose another -o path"
READ = "refusing to overwrite an input file; choose another -o path"  # the command opened that file itself
REFUSED_IN_RUN = [
    (("acceptance", "RUN", "-o", "RUN/guidellm_results.json"), READ),  # read for its per-request metrics
    (("acceptance", "RUN", "-o", "RUN/baseline/vllm_server.log", "-f", "text"), RAW),
    (("compare", "RUN", "-o", "RUN/baseline/vllm_server.log", "-f", "text"), READ),
    (("speedup", "RUN/baseline", "RUN", "-o", "RUN/baseline/metrics_after.prom", "-f", "text"), RAW),
    (("report", "RUN", "-o", "RUN/baseline/metrics_before.prom", "-f", "md"), RAW),  # refused before reading
    (("report", "RUN", "-o", "RUN/guidellm_output.log", "-f", "md"), RAW),
]


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
@pytest.mark.parametrize(("args", "why"), REFUSED_IN_RUN, ids=lambda a: a[0] + ":" + a[a.index("-o") + 1]
                         if isinstance(a, tuple) else "")
def test_raw_data_of_an_input_run_directory_is_never_overwritten(run_dir: Path, args: tuple[str, ...], why: str,
                                                                  overwrite: list[str]) -> None:
    argv = [a.replace("RUN", str(run_dir)) for a in args]
    target = argv[argv.index("-o") + 1]
    before = snapshot(run_dir)
    assert_one_line_error(run(*argv, *overwrite), f"{target}: {why.replace('RUN', str(run_dir))}")
    assert snapshot(run_dir) == before


def test_the_outputs_run_eval_writes_are_rewritten(run_dir: Path) -> None:
    commands = [("acceptance", str(run_dir), "--format", "legacy", "-o", str(run_dir / "acceptance_analysis.txt")),
                ("speedup", str(run_dir / "baseline"), str(run_dir), "--format", "md", "-o", str(run_dir / "speedup.md")),
                ("report", str(run_dir))]  # RUN/report.md and RUN/report_plots/*.png
    for _ in range(2):  # the second time each file exists: an earlier output of the same kind
        for command in commands:
            proc = run(*command)
            assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (run_dir / "report_plots").iterdir()) == [
        "advice.png", "intervals.png", "positions.png", "speedup.png"]


def test_a_file_that_is_no_speclens_output_needs_overwrite(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    assert_one_line_error(run("acceptance", DRAFT, "-o", str(notes)), (
        f"{notes}: already exists and is not a speclens output; pass --overwrite to replace it, or choose another "
        "-o path"))
    assert notes.read_text() == "my notes\n"
    assert run("acceptance", DRAFT, "-o", str(notes), "--overwrite").returncode == 0
    assert notes.read_text().startswith(TEXT_HEAD)


def test_an_output_of_another_kind_needs_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run("acceptance", DRAFT, "-o", str(out)).returncode == 0
    assert run("acceptance", DRAFT, "-o", str(out)).returncode == 0  # the same kind: replaced
    earlier = out.read_bytes()
    assert_one_line_error(run("compare", DRAFT, "-o", str(out)), (
        f"{out}: already exists and holds a `speclens acceptance --format json` output, not `speclens compare "
        "--format json`; pass --overwrite to replace it, or choose another -o path"))
    assert out.read_bytes() == earlier
    assert run("compare", DRAFT, "-o", str(out), "--overwrite").returncode == 0


def test_every_command_and_format_has_its_own_kind(tmp_path: Path) -> None:
    from speclens.analyzers.output_kinds import existing_kind, output_kind

    cases = [("acceptance", f, [DRAFT]) for f in ("text", "md", "json", "csv", "legacy")]
    cases += [("speedup", f, [str(RUN_EVAL / "baseline"), str(RUN_EVAL)]) for f in ("text", "md", "json", "csv")]
    cases += [("compare", f, [DRAFT]) for f in ("text", "md", "json", "csv")]
    cases += [("report", f, [str(RUN_EVAL)]) for f in ("md", "text", "json")]
    cases += [("report", f, [str(CLIENT_JSON)]) for f in ("md", "text")]  # a client result: the same kinds
    for command, fmt, paths in cases:
        proc = run(command, *paths, "--format", fmt, "-o", "-", cwd=tmp_path)  # were '-' a file, it would land here
        assert proc.returncode == 0, proc.stderr
        assert output_kind(proc.stdout) == f"speclens {command} --format {fmt}", (command, fmt, proc.stdout[:200])
    saved = tmp_path / "c.json"
    assert run("compare", DRAFT, "-o", str(saved)).returncode == 0
    assert output_kind(run("render", str(saved), "--format", "md").stdout) == "speclens compare --format md"
    assert run("report", DRAFT, "-o", str(tmp_path / "r.md")).returncode == 0
    assert existing_kind(str(tmp_path / "r_plots" / "positions.png")) == "speclens report plot (PNG)"
    raw = [RUN_EVAL / n for n in ("vllm_server.log", "metrics_after.prom", "guidellm_results.json", "run.json",
                                  "guidellm_output.log")]
    assert [existing_kind(str(p)) for p in raw] == [None] * len(raw)


# 3. extensions: inferred, or refused

@pytest.mark.parametrize(("name", "expected"), [
    ("a.json.gz", "-o {out}: speclens does not compress its output; write {plain} and compress it, or pipe it: "
                  "-o - | gzip > {out}"),
    ("a.tsv", "-o {out}: no format has the extension .tsv; use .json, .md, .markdown, .csv, .txt, .text (or give "
              "--format to write that format under this name)"),
    ("a.html", "-o {out}: no format has the extension .html; use .json, .md, .markdown, .csv, .txt, .text (or give "
               "--format to write that format under this name)"),
])
def test_an_extension_of_no_format_is_refused(tmp_path: Path, name: str, expected: str) -> None:
    out = tmp_path / name
    assert_one_line_error(run("acceptance", DRAFT, "-o", str(out)),
                          expected.format(out=out, plain=str(out)[: -len(".gz")]))
    assert list(tmp_path.iterdir()) == []


def test_an_extension_with_format_or_of_another_command(tmp_path: Path) -> None:
    tsv = tmp_path / "a.tsv"
    assert run("acceptance", DRAFT, "-o", str(tsv), "--format", "csv").returncode == 0  # asked for: written
    assert tsv.read_text().startswith("path,source,kind,primary,")
    plain = tmp_path / "report"
    assert run("acceptance", DRAFT, "-o", str(plain)).returncode == 0  # no extension: the default format
    assert plain.read_text().startswith(TEXT_HEAD)
    csv = tmp_path / "r.csv"
    assert_one_line_error(run("report", str(RUN_EVAL), "-o", str(csv)), (
        f"-o {csv}: the extension .csv means --format csv, which this command does not write (its formats: md, "
        "text, json); use .json, .md, .markdown, .txt, .text"))


# 4. a closed or full stdout

COMMANDS = [("acceptance", DRAFT), ("speedup", str(RUN_EVAL / "baseline"), str(RUN_EVAL)), ("compare", DRAFT),
            ("report", str(RUN_EVAL), "--format", "text"), ("render", str(ROOT / "tests" / "golden" / "draft-greedy.json")),
            ("--version",), ("acceptance", "-h"), ("compare", DRAFT, "--sort", "help")]
IDS = ["acceptance", "speedup", "compare", "report", "render", "version", "help", "sort-help"]


@pytest.mark.parametrize("args", COMMANDS, ids=IDS)
def test_a_full_stdout_is_one_line(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        proc = speclens(*args, stdout=full, stderr=subprocess.PIPE)
    assert (proc.returncode, proc.stderr) == (2, "speclens: error: cannot write to standard output "
                                                 "(No space left on device)\n")


@pytest.mark.parametrize("args", COMMANDS, ids=IDS)
def test_a_closed_stdout_is_one_line(args: tuple[str, ...]) -> None:
    proc = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *SPECLENS, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert (proc.returncode, proc.stderr) == (2, "speclens: error: cannot write to standard output (it is closed)\n")


def test_a_closed_stdout_does_not_matter_with_o(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *SPECLENS, "acceptance", DRAFT, "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert out.read_text().startswith('{\n  "schema_version": 3,\n  "tool": "speclens"')


def test_a_reader_that_went_away_is_silent() -> None:
    proc = subprocess.Popen([*SPECLENS, "acceptance", DRAFT, "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head -0`: the first write gets EPIPE
    assert (proc.wait(timeout=120), proc.stderr.read()) == (141, b"")  # as the shell shows `yes | head`


def test_guarded_stdout_keeps_the_python_in_process_capture(capsys: pytest.CaptureFixture[str]) -> None:
    from speclens.analyzers.render.console import guard_stdout

    guard_stdout()  # a test's captured stdout is left alone
    print("captured")
    assert capsys.readouterr().out == "captured\n" and sys.stdout is not sys.__stdout__
