"""Issue 25, trap 5: data parallel. Since vLLM 0.10 each engine's SpecDecoding line follows its
`Engine 00N:` stats line with no prefix of its own (0.32.0 vllm/v1/metrics/loggers.py); the log fold
attributes and sums per engine, and a log holding only some engines' lines is flagged against the
/metrics delta. Logs: fixtures/constructed/vllm-dp2.log (exact format strings) and the trap fixture
fixtures/constructed/traps/5-partial-engines (the same without Engine 001's lines)."""

from __future__ import annotations

import shutil
from pathlib import Path

from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.traps.evidence import Evidence
from speclens.analyzers.traps.server import partial_engines

from tests.conftest import CONSTRUCTED

FIXTURE = CONSTRUCTED / "traps" / "5-partial-engines"


def whole_dp2(tmp_path: Path) -> Path:
    run = tmp_path / "dp2"
    run.mkdir()
    shutil.copyfile(CONSTRUCTED / "vllm-dp2.log", run / "vllm_server.log")
    for name in ("metrics_before.prom", "metrics_after.prom"):
        shutil.copyfile(CONSTRUCTED / f"vllm-dp2-{name}", run / name)
    return run


def test_whole_log_attributes_and_sums_per_engine(tmp_path: Path) -> None:
    target = build_report([str(whole_dp2(tmp_path))], Window()).targets[0]
    log = next(s for s in target.sources if s.kind == "log_intervals")
    # Engine 000: Accepted 14 of Drafted 30; Engine 001: 15 of 60; total 29 of 90
    assert {k: (c.accepted_tokens, c.draft_tokens) for k, c in log.per_engine.items()} == {"0": (14, 30), "1": (15, 60)}
    assert (log.counts.accepted_tokens, log.counts.draft_tokens) == (29, 90)
    delta = next(s for s in target.sources if s.kind == "metrics_delta")
    assert (delta.counts.accepted_tokens, delta.counts.draft_tokens) == (29, 90)  # the scrapes agree
    assert not [n for n in target.notices if n.code == "trap-partial-engines"]


def test_a_log_with_one_engine_of_two_is_flagged() -> None:
    target = build_report([str(FIXTURE)], Window()).targets[0]
    log = next(s for s in target.sources if s.kind == "log_intervals")
    assert (log.counts.accepted_tokens, log.counts.draft_tokens) == (14, 30)  # Engine 000 only
    [notice] = [n for n in target.notices if n.code == "trap-partial-engines"]
    assert notice.level == "warning" and "from 1 engine(s)" in notice.message and "2 engines (0, 1)" in notice.message


def test_rule() -> None:
    assert partial_engines(Evidence(where="d", log_engines=1, counter_engines=("0", "1")))
    assert partial_engines(Evidence(where="d", log_engines=2, counter_engines=("0", "1"))) == []
    assert partial_engines(Evidence(where="d", log_engines=1, counter_engines=("0",))) == []  # one engine
    assert partial_engines(Evidence(where="d", log_engines=None, counter_engines=("0", "1"))) == []  # no log source
