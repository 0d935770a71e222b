"""Issue 25, round 1: every trap fires on a fixture (recorded where it can be, constructed from the
real summary-sync run where it cannot: fixtures/constructed/traps/), and no trap warns or errs on the
clean recorded runs in fixtures/ and ../shared/recordings (zero false positives; info notes that are
true of them, such as synthetic prompts, are fine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.report import build_report
from speclens.parsers.run_dir import detect

from tests.conftest import CONSTRUCTED, ROOT

RECORDED_ROOTS = [ROOT / "fixtures" / "recorded", ROOT.parent / "shared" / "recordings"]
TRAPS = CONSTRUCTED / "traps"
# Recorded runs on which a trap warns because the trap is TRUE of them (checked by hand): their concurrent
# CPU runs delivered most tokens in one burst (detailed-c2: 9 of 12 requests with TTFT >= 90% of latency and
# ITL p50 0.006 ms; draft-c4: 20 of 40).
TRUE_WARNINGS = {"per-request/detailed-c2": {"trap-not-streamed"}, "speclens-run_eval/draft-c4": {"trap-not-streamed"},
                 "sweep-k1-4/run/cells/baseline-concurrent2": {"trap-not-streamed"}}  # issue 24's sweep: 8 of 8 bursts


def trap_notices(path: Path) -> list[tuple[str, str]]:
    target = build_report([str(path)], Window()).targets[0]
    return [(n.level, n.code) for n in target.notices if n.code.startswith("trap-")]


def recorded_run_dirs() -> list[Path]:
    found = []
    for root in RECORDED_ROOTS:
        for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
            here = detect(str(folder))
            if here.kind == "run_dir" and here.has_server_data:
                found.append(folder)
    return found


def test_recorded_run_dirs_are_found() -> None:
    dirs = recorded_run_dirs()
    # 14 vllm-cpu copies in fixtures + 14 in shared, 3 run_eval runs + 3 baselines, 2 per-request, the load drivers
    assert len(dirs) >= 36, [str(d) for d in dirs]


@pytest.mark.parametrize("folder", recorded_run_dirs(), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_no_false_warning_on_clean_recorded_runs(folder: Path) -> None:
    key = next((k for k in TRUE_WARNINGS if str(folder).endswith(k)), None)
    loud = {code for level, code in trap_notices(folder) if level != "info"}
    assert loud == TRUE_WARNINGS.get(key, set()), folder


@pytest.mark.parametrize(("folder", "expected"), [
    # recorded
    (ROOT / "fixtures/recorded/per-request/summary-sync", ("info", "trap-synthetic-prompts")),  # data kind=synthetic_text
    (ROOT / "fixtures/recorded/per-request/summary-sync", ("info", "trap-ignore-eos")),  # output_tokens=128 -> ignore_eos
    (ROOT / "fixtures/recorded/per-request/summary-sync", ("info", "trap-few-requests")),  # 12 requests < 100 for p99
    (ROOT / "fixtures/recorded/per-request/summary-sync", ("info", "trap-short-run")),  # 3.5 s < 10 s, delta present
    (ROOT / "fixtures/recorded/per-request/detailed-c2", ("warning", "trap-not-streamed")),  # 9 of 12 bursts
    # constructed (fixtures/constructed/traps/make_traps.py)
    (TRAPS / "3-greedy-drafting", ("info", "trap-greedy-drafting")),  # T 0.7, draft_model, no draft_sample_method
    (TRAPS / "3-synthetic-acceptance", ("error", "trap-synthetic-acceptance")),
    (TRAPS / "6-sampled-requests", ("warning", "trap-sampled-requests")),  # 5 rows of 12 successful
    (TRAPS / "10-short-run-no-delta", ("warning", "trap-short-run")),  # 3.5 s and no before-scrape
])
def test_each_trap_fires_on_its_fixture(folder: Path, expected: tuple[str, str]) -> None:
    assert expected in trap_notices(folder)


def test_greedy_drafting_is_not_said_at_temperature_zero() -> None:
    # summary-sync is 3-greedy-drafting with run.json temperature 0.0
    codes = [code for _, code in trap_notices(ROOT / "fixtures/recorded/per-request/summary-sync")]
    assert "trap-greedy-drafting" not in codes


def test_constructed_trap_fixtures_equal_the_generator_output(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_traps", TRAPS / "make_traps.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.main(str(tmp_path))
    made = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    kept = sorted(str(p.relative_to(TRAPS)) for p in TRAPS.rglob("*") if p.is_file() and p.name != "make_traps.py"
                  and "__pycache__" not in p.parts)
    assert made == kept
    assert all((tmp_path / name).read_bytes() == (TRAPS / name).read_bytes() for name in made)
    listed = (ROOT / "fixtures" / "README.md").read_text(encoding="utf-8")
    assert all(folder.name in listed for folder in TRAPS.iterdir() if folder.is_dir())
