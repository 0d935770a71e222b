"""One comparability verdict for `speedup`, `compare` and `report` (analyzers.speedup.comparability.judge):
an incomparable pair, or a spec run that never speculated, gets no bare ratio and no faster/slower
word in any of them, unless --force."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from speclens.analyzers.compare.table import compare_runs, expand_run_dirs, run_compare
from speclens.analyzers.render.run_dir import RUN_DIR_RENDERERS
from speclens.analyzers.render.speedup import SPEEDUP_RENDERERS
from speclens.analyzers.run_dir_report import build_run_dir_report
from speclens.analyzers.speedup.command import run_speedup

from tests.conftest import RECORDED

# output_throughput = 20 requests x 128 tokens = 2560 tokens / benchmarks[0].duration:
# ngram-greedy 12.551360845565796 s, base-t1 15.602752447128296 s, base-greedy 16.18153214454651 s
NGRAM_OVER_T1 = 15.602752447128296 / 12.551360845565796  # 1.2431
VERDICT_WORDS = re.compile(r"\b(faster|slower|not distinguishable)\b")


def run_with_baseline(tmp_path: Path, spec: str, baseline: str) -> Path:
    run = tmp_path / "run"
    shutil.copytree(RECORDED / spec, run)
    shutil.copytree(RECORDED / baseline, run / "baseline")
    return run


def compare_row(run: Path, force: bool = False):  # noqa: ANN201
    candidates, _ = expand_run_dirs([str(run)])
    [row] = compare_runs(candidates, force=force)[0]
    return row


def speedup_json(run: Path, capsys: pytest.CaptureFixture[str], *, force: bool = False) -> dict:
    assert run_speedup(str(run / "baseline"), str(run), "json", None, force) == 0
    return json.loads(capsys.readouterr().out)


def test_temperature_differs_no_ratio_in_any_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # base-t1 ran at the server's default temperature, ngram-greedy at 0: speedup refuses, and so
    # must compare (it printed 1.243) and report
    run = run_with_baseline(tmp_path, "ngram-greedy", "base-t1")
    doc = speedup_json(run, capsys)
    [level] = doc["levels"]
    assert (level["verdict"], level["summary"]) == ("not comparable", "not comparable: temperature differs")
    assert {c["speedup"] for c in level["comparisons"]} == {None}
    row = compare_row(run)
    assert (row.speedup, row.speedup_verdict) == (None, "not comparable: temperature differs")
    report = build_run_dir_report(str(run), None)
    assert report.speedup is not None and report.speedup.levels[0].summary == "not comparable: temperature differs"
    assert report.speedup.levels[0].comparisons[0].speedup is None
    assert "1.243" not in RUN_DIR_RENDERERS["text"](report)
    # --force: the same ratio everywhere, the reason kept
    forced = compare_row(run, force=True)
    assert forced.speedup == pytest.approx(NGRAM_OVER_T1)
    assert forced.speedup_verdict == "not distinguishable (forced; not comparable: temperature differs)"
    assert speedup_json(run, capsys, force=True)["levels"][0]["comparisons"][0]["speedup"] == pytest.approx(NGRAM_OVER_T1)


def test_compare_text_shows_na_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_with_baseline(tmp_path, "ngram-greedy", "base-t1")
    assert run_compare([str(run)], "text", None, None) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith(str(run)))
    assert re.search(r"  n/a +not comparable: temperature differs  ", line) and "1.243" not in out


def test_model_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_with_baseline(tmp_path, "ngram-greedy", "base-greedy")
    log = run / "baseline" / "vllm_server.log"
    log.write_text(log.read_text().replace("model='/srv/models/tiny-target'", "model='/srv/models/other-target'"))
    assert speedup_json(run, capsys)["levels"][0]["summary"] == "not comparable: model differs"
    row = compare_row(run)
    assert (row.speedup, row.speedup_verdict) == (None, "not comparable: model differs")
    assert any("model (target) differs: baseline /srv/models/other-target" in n for n in row.notes)


def test_another_load_shape_is_no_ratio_in_compare(tmp_path: Path) -> None:
    # base-greedy-c4 ran concurrent streams=4 on /v1/completions; ngram-greedy synchronous on chat:
    # compare printed 0.610 (= 12.551/15.313 x 5120/2560) with a footnote; no level pairs up
    run = run_with_baseline(tmp_path, "ngram-greedy", "base-greedy-c4")
    row = compare_row(run)
    assert (row.speedup, row.speedup_verdict) == (None, "not comparable: endpoint differs, load differs")
    assert any("it has no synchronous level (it ran concurrent streams=4)" in n for n in row.notes)
    report = build_run_dir_report(str(run), None)
    assert report.advice is not None and report.advice.cost_ratio is None


def zero_draft_run(tmp_path: Path) -> Path:
    """ngram-greedy whose server never drafted: no SpecDecoding lines, every spec_decode counter 0."""
    run = run_with_baseline(tmp_path, "ngram-greedy", "base-greedy")
    log = run / "vllm_server.log"
    log.write_text("".join(line for line in log.read_text().splitlines(True) if "SpecDecoding metrics" not in line))
    prom = run / "metrics_after.prom"
    prom.write_text(re.sub(r"^(vllm:spec_decode_num_\w+_total\{[^}]*\}) \S+$", r"\1 0.0", prom.read_text(),
                           flags=re.MULTILINE))
    return run


def test_a_spec_run_with_zero_drafts_gets_no_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = zero_draft_run(tmp_path)
    doc = speedup_json(run, capsys)
    [level] = doc["levels"]
    assert (level["verdict"], level["summary"]) == ("not comparable", "spec run never speculated: 0 drafts")
    assert doc["comparability"]["reasons"] == [
        f"the spec run never speculated: {run}/metrics_after.prom: vllm:spec_decode_num_drafts 0"]
    assert level["comparisons"][0]["speedup"] is None  # was 16.1815 / 12.5514 = 1.289x
    row = compare_row(run)
    assert (row.speedup, row.speedup_verdict) == (None, "spec run never speculated: 0 drafts")
    report = build_run_dir_report(str(run), None)
    assert report.speedup is not None and report.speedup.levels[0].summary == "spec run never speculated: 0 drafts"
    assert "spec run never speculated: 0 drafts" in RUN_DIR_RENDERERS["text"](report)


def test_a_not_comparable_level_prints_no_verdict_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # output_throughput's interval [0.824, 1.875] is "not distinguishable", request_output_tps [1.374, 1.769]
    # "faster": neither word belongs under "no verdict"
    run = run_with_baseline(tmp_path, "ngram-greedy", "base-t1")
    assert run_speedup(str(run / "baseline"), str(run), "text", None) == 0
    text = capsys.readouterr().out
    assert "no verdict for these" in text and VERDICT_WORDS.search(text.split("Notices")[0]) is None
    assert run_speedup(str(run / "baseline"), str(run), "csv", None) == 0
    assert VERDICT_WORDS.search(capsys.readouterr().out) is None
    report = build_run_dir_report(str(run), None)
    assert report.speedup is not None
    assert VERDICT_WORDS.search(SPEEDUP_RENDERERS["md"](report.speedup)) is None
    assert run_speedup(str(run / "baseline"), str(run), "text", None, True) == 0  # --force: the words are back
    assert "not distinguishable" in capsys.readouterr().out


def test_a_vllm_bench_spec_run_with_zero_drafts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the same verdict from vllm bench's own counter: spec_decode_num_drafts 0 in the spec JSON
    drivers = RECORDED.parent / "load-drivers"
    base = drivers / "vllm-bench-0.32.0-concurrency2" / "vllm_bench_result.json"
    doc = json.loads((drivers / "vllm-bench-0.32.0-concurrency2-detailed" / "vllm_bench_result.json").read_text())
    doc.update({key: 0 for key in doc if key.startswith("spec_decode_num") or key in (
        "spec_decode_draft_tokens", "spec_decode_accepted_tokens")})
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(doc))
    assert doc["spec_decode_num_drafts"] == 0 and run_speedup(str(base), str(spec), "json", None) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["levels"][0]["summary"] == "spec run never speculated: 0 drafts"
    assert out["comparability"]["reasons"][-1] == f"the spec run never speculated: {spec}: spec_decode_num_drafts 0"
