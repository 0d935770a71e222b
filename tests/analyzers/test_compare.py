"""`speclens compare`: rows, columns, sorting, folders as users have them, and the output guard."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from speclens.analyzers.compare import table as compare_module
from speclens.analyzers.compare.table import SORT_KEYS, CompareRow, compare_runs, expand_run_dirs, run_compare, sort_rows

from tests.conftest import RECORDED, ROOT

RUN_EVAL = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-baseline"
LOAD_DRIVERS = ROOT / "fixtures" / "recorded" / "load-drivers"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "speclens.analyzers.cli", "compare", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def rows_of(*paths: Path) -> list[CompareRow]:
    candidates, _ = expand_run_dirs([str(p) for p in paths])
    return compare_runs(candidates)[0]


def test_rows_for_recorded_runs_sorted_by_acceptance_length() -> None:
    rows = sort_rows(rows_of(*(RECORDED / n for n in ("draft-greedy", "ngram-greedy", "base-greedy"))),
                     "-mean_acceptance_length")
    # ngram 1 + 1831/630 = 3.906 > draft 1 + 1337/1242 = 2.076; the baseline has none and goes last
    assert [Path(r.run).name for r in rows] == ["ngram-greedy", "draft-greedy", "base-greedy"]
    assert rows[0].mean_acceptance_length == pytest.approx(1 + 1831 / 630)
    assert (rows[1].method, rows[1].k, rows[1].load, rows[1].source) == ("draft_model", 3, "synchronous", "log:0")
    assert rows[2].mean_acceptance_length is None and rows[2].output_throughput is not None


def test_acceptance_rate_column_is_filled_for_run_directories() -> None:
    [row] = rows_of(RECORDED / "draft-greedy")
    # `speclens acceptance` on the same folder: 1337 accepted of 3726 draft tokens (1242 drafts x k=3)
    assert row.draft_acceptance_rate == pytest.approx(1337 / 3726)


def test_output_throughput_is_system_tokens_over_the_benchmark_duration() -> None:
    [row] = rows_of(RECORDED / "ngram-greedy")
    # guidellm 0.8.1: 20 successful requests x 128 output tokens = 2560 over benchmarks[0].duration 12.551360845565796 s
    assert row.output_throughput == pytest.approx(2560 / 12.551360845565796)
    assert row.request_output_tps is not None and row.request_output_tps != row.output_throughput


def test_speedup_is_the_ratio_of_output_throughputs_and_dataset_comes_from_run_json() -> None:
    [row] = rows_of(RUN_EVAL)
    # spec: 8 x 64 = 512 tokens in 4.050978899002075 s; baseline/: 512 tokens in 5.126745700836182 s
    assert row.speedup == pytest.approx((512 / 4.050978899002075) / (512 / 5.126745700836182))
    assert (row.dataset, row.source) == ("emulated", "metrics_delta")


def test_speedup_uses_the_benchmark_duration_not_the_span_of_request_timings(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(LOAD_DRIVERS / "guidellm-0.4.0-synchronous", run)
    shutil.copytree(LOAD_DRIVERS / "guidellm-0.3.1-synchronous", run / "baseline")
    # the two recordings used different endpoints (speedup: not comparable), so the ratio needs --force
    [row] = compare_runs(expand_run_dirs([str(run)])[0], force=True)[0]
    # both 10 requests x 64 tokens = 640: (640 / 9.51711893081665) / (640 / 9.295096158981323); guidellm 0.4.0's
    # duration is longer than its first-start-to-last-end span, which gave 67.260 / 68.854 = 0.97686 instead
    assert row.speedup == pytest.approx(9.295096158981323 / 9.51711893081665)
    assert row.speedup_verdict == "not distinguishable (forced; not comparable: endpoint differs)"


def _legacy_client_json(tmp_path: Path) -> Path:
    """A draft/verify client result in the old scripts' JSON layout (OPT-350m -> OPT-1.3b)."""
    legacy = {"config": {"draft_model": "facebook/opt-350m", "target_model": "facebook/opt-1.3b"},
              "summary": {"avg_acceptance_rate": 0.852, "avg_speed": 66.1, "total_tokens": 5120,
                          "total_draft_generated": 5733, "total_draft_accepted": 4845}, "results": []}
    path = tmp_path / "dv.json"
    path.write_text(json.dumps(legacy))
    return path


def test_client_result_json_gets_a_row(tmp_path: Path) -> None:
    [row] = rows_of(_legacy_client_json(tmp_path))
    # pooled like server runs: 4845 accepted / 5733 drafted (not the per-question mean 0.852);
    # avg_speed is a mean of per-question tok/s, so it is the per-request column
    assert (row.method, row.model, row.request_output_tps, row.output_throughput) == (
        "client draft/verify", "facebook/opt-1.3b", 66.1, None)
    assert row.draft_acceptance_rate == pytest.approx(4845 / 5733)


def test_unknown_sort_column_lists_every_key() -> None:
    with pytest.raises(ValueError) as err:
        sort_rows([], "nope")
    assert str(err.value) == f"--sort 'nope': expected one of {', '.join(SORT_KEYS)} (prefix - for descending)"


def test_sort_keys_are_every_rendered_column() -> None:
    from speclens.analyzers.render.compare import HEADERS

    fields = [n for n, info in CompareRow.model_fields.items() if not info.exclude and n != "notes"]
    assert list(SORT_KEYS) == fields and len(HEADERS) == len(SORT_KEYS)


def test_lists_with_na_cells_sort_element_by_element_na_last() -> None:
    rows = [CompareRow(run="a", per_position=[0.5, None]), CompareRow(run="b"),
            CompareRow(run="c", per_position=[0.5, 0.2]), CompareRow(run="d", per_position=[0.7, 0.1]),
            CompareRow(run="e", per_position=[None, None])]
    # ascending: [0.5 0.2] < [0.5 n/a] (n/a after any number) < [0.7 0.1] < [n/a n/a]; no list at all: last
    assert [r.run for r in sort_rows(rows, "per_position")] == ["c", "a", "d", "e", "b"]
    # descending: [0.7 ...] first; n/a elements and the missing list still last
    assert [r.run for r in sort_rows(rows, "-per_position")] == ["d", "c", "a", "e", "b"]


def test_sort_by_per_position_on_recorded_runs() -> None:
    proc = cli(str(RECORDED / "ngram-t1"), str(RECORDED / "draft-greedy"), str(RECORDED / "eagle-greedy"),
               "--sort", "-per_position", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    # draft [0.366 ...] > eagle [0.000 0.000 0.000] > ngram-t1 [n/a n/a n/a] (no spec lines at temperature 1)
    names = [Path(r["run"]).name for r in json.loads(proc.stdout)["rows"]]
    assert names == ["draft-greedy", "eagle-greedy", "ngram-t1"]


def test_sort_help_lists_the_keys() -> None:
    proc = cli(str(RECORDED), "--sort", "help")
    assert proc.returncode == 0 and proc.stdout.split()[-len(SORT_KEYS):] == list(SORT_KEYS)


@pytest.mark.parametrize("name", ["guidellm_results.json", "vllm_server.log", "metrics_after.prom",
                                  "metrics_before.prom", "run.json", "baseline/guidellm_results.json"])
def test_output_onto_any_file_read_is_refused(tmp_path: Path, name: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(RUN_EVAL, run)
    target = run / name
    before = target.read_bytes()
    proc = cli(str(run), "-o", str(target), "--format", "json")  # .log/.prom name no format
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"speclens: error: {target}: refusing to overwrite an input file; choose another -o path\n"
    assert target.read_bytes() == before


def test_files_read_in_worker_processes_are_protected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(3):
        shutil.copytree(RECORDED / "draft-greedy", tmp_path / f"run{i}")
    monkeypatch.setattr(compare_module, "PARALLEL_FROM", 1)  # summarize in the process pool
    monkeypatch.setattr(compare_module.os, "cpu_count", lambda: 2)
    target = tmp_path / "run2" / "metrics_after.prom"
    before = target.read_bytes()
    assert run_compare([str(tmp_path)], "text", str(target), None) == 2
    refused = f"speclens: error: {target}: refusing to overwrite an input file; choose another -o path\n"
    assert capsys.readouterr().err == refused
    assert target.read_bytes() == before


def test_a_folder_with_nothing_readable_is_listed_once_as_skipped(tmp_path: Path) -> None:
    shutil.copytree(RECORDED / "draft-greedy", tmp_path / "draft-greedy")
    (tmp_path / "_tools" / "__pycache__").mkdir(parents=True)
    (tmp_path / "_tools" / "plot.py").write_text("print('plot')\n")
    text = cli(str(tmp_path))
    assert text.returncode == 0 and text.stderr == ""
    assert "1 run\n" in text.stdout and text.stdout.count("_tools") == 1
    assert "Skipped: 1 folder with nothing to compare" in text.stdout
    report = json.loads(cli(str(tmp_path), "--format", "json").stdout)
    assert [Path(r["run"]).name for r in report["rows"]] == ["draft-greedy"]
    assert report["skipped"] == [{"path": str(tmp_path / "_tools"), "reason": (
        "no vLLM log, /metrics scrape, run.json or JSON file, here or in its subfolders")}]
    csv = cli(str(tmp_path), "--format", "csv")  # CSV holds rows only; the skipped folder is told on stderr
    assert csv.returncode == 0 and len(csv.stdout.splitlines()) == 2 and "_tools" not in csv.stdout
    assert csv.stderr == f"speclens: warning: skipped {tmp_path / '_tools'}: {report['skipped'][0]['reason']}\n"


def test_nothing_to_compare_at_all_is_one_clear_error(tmp_path: Path) -> None:
    proc = cli(str(tmp_path))
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"speclens: error: no run directories found: {tmp_path}: no vLLM log, /metrics scrape, "
                           "run.json or JSON file, here or in its subfolders; pass run directories, a folder of them, "
                           "or client result / load-driver JSON files\n")


def test_a_folder_with_run_folders_and_its_own_log_looks_inside() -> None:
    rows = rows_of(LOAD_DRIVERS)
    # the folder's own server log, then its 10 run folders (fixtures/README.md, load-drivers table)
    assert len(rows) == 11 and rows[0].run == str(LOAD_DRIVERS) and rows[0].source == "log:0"
    assert rows[0].notes == ["this row is the folder's own files; the run folders inside it are rows of their own"]
    by_name = {Path(r.run).name: r for r in rows}
    g = by_name["guidellm-0.8.1-concurrent2"]
    # 12 requests x 64 output tokens = 768 over duration 9.24440312385559 s; /metrics delta 3 accepted of 2259
    assert (g.load, g.source) == ("concurrent streams=2", "metrics_delta")
    assert g.output_throughput == pytest.approx(768 / 9.24440312385559)
    assert g.draft_acceptance_rate == pytest.approx(3 / 2259)
    v = by_name["vllm-bench-0.32.0-rate4-chat"]  # no guidellm_results.json: found by content
    assert v.load_file == str(LOAD_DRIVERS / "vllm-bench-0.32.0-rate4-chat" / "vllm_bench_result.json")
    assert v.load == "poisson rate=4"
    assert v.output_throughput == pytest.approx(768 / 5.491777365999951)  # 12 x 64 tokens / duration


@pytest.mark.parametrize("name", ["guidellm.json", "benchmarks.json"])
def test_load_driver_json_is_found_by_content_whatever_its_name(tmp_path: Path, name: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(RECORDED / "ngram-greedy", run)
    (run / "guidellm_results.json").rename(run / name)
    (run / "a_client.json").write_text(_legacy_client_json(tmp_path).read_text())  # JSON, but not load results
    (run / "run.json").write_text(json.dumps({"config": {"dataset": "gsm8k", "benchmarks": []}}))
    [row] = rows_of(run)
    assert (row.load_file, row.dataset, row.error) == (str(run / name), "gsm8k", None)
    assert row.output_throughput == pytest.approx(2560 / 12.551360845565796)  # as with its usual name


def test_vllm_bench_json_renamed_and_guidellm_results_preferred(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(RECORDED / "ngram-greedy", run)
    bench = LOAD_DRIVERS / "vllm-bench-0.32.0-rate4-chat" / "vllm_bench_result.json"
    shutil.copy(bench, run / "vllm-bench-serve.json")
    [row] = rows_of(run)
    assert row.load_file == str(run / "guidellm_results.json") and row.load == "synchronous"
    (run / "guidellm_results.json").unlink()
    [row] = rows_of(run)
    assert (row.load_file, row.load) == (str(run / "vllm-bench-serve.json"), "poisson rate=4")


def test_one_corrupt_input_among_good_runs_is_reported_and_the_rest_printed(tmp_path: Path) -> None:
    for name in ("draft-greedy", "ngram-greedy"):
        shutil.copytree(RECORDED / name, tmp_path / name)
    bad = tmp_path / "ngram-greedy" / "guidellm_results.json"
    bad.write_text('{"benchmarks": [\n')
    proc = cli(str(tmp_path), str(tmp_path / "missing"), "--format", "json")
    assert proc.returncode == 2
    rows = {Path(r["run"]).name: r for r in json.loads(proc.stdout)["rows"]}
    assert rows["draft-greedy"]["error"] is None and rows["draft-greedy"]["output_throughput"] is not None
    # the log of the broken run is still read: 1 + 1831/630
    assert rows["ngram-greedy"]["mean_acceptance_length"] == pytest.approx(1 + 1831 / 630)
    error = f"{bad}:2: invalid JSON (Expecting value); the file is truncated or not JSON"
    assert rows["ngram-greedy"]["error"] == error
    missing = f"{tmp_path / 'missing'}: no such file or directory; check the path"
    assert rows["missing"]["error"] == missing
    assert proc.stderr == f"speclens: error: {error}\nspeclens: error: {missing}\n"


def test_text_has_every_column_and_no_python_none() -> None:
    proc = cli(str(RUN_EVAL), str(RECORDED / "base-greedy"))
    assert proc.returncode == 0 and "None" not in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if line.startswith("run "))
    for column in ("source", "acceptance rate", "output throughput tok/s", "per-request tok/s", "speedup", "load file"):
        assert f"  {column}  " in header + "  "
    row = next(line for line in proc.stdout.splitlines() if line.startswith(str(RUN_EVAL)))
    assert "  emulated  " in row and "  metrics_delta  " in row and "  1.266  " in row  # 5.1267 / 4.0510


def test_csv_has_every_column_and_na_inside_lists() -> None:
    proc = cli(str(RECORDED / "eagle-greedy"), "--format", "csv")
    header, line = proc.stdout.splitlines()
    assert header.split(",") == [*SORT_KEYS[:-1], "notes", "error"]
    assert ",0.0 n/a n/a," in line  # conditional: 0/0 after a first position of 0


def test_report_renders_a_client_result_json(tmp_path: Path) -> None:
    from speclens.analyzers.client_results.report import client_markdown

    path = _legacy_client_json(tmp_path)
    text = client_markdown(str(path))
    assert "| total_draft_accepted | 4845 |" in text and "| avg_acceptance_rate | 0.852 |" in text
    assert "| target_model | facebook/opt-1.3b |" in text and "| speedup | n/a |" in text
