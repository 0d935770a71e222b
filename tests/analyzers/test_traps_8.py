"""Issue 25, trap 8: the achieved load below the requested (sending drifted, requests queued at the
end, the server fell behind), open-loop levels only."""

from __future__ import annotations

from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.traps.evidence import Evidence
from speclens.analyzers.traps.load import load_below_requested, rates, tolerance
from speclens.parsers.guidellm import Benchmark, LoadRun, RequestRow

from tests.conftest import CONSTRUCTED


def row(start: float, latency: float) -> RequestRow:
    return RequestRow(status="successful", start=start, latency_s=latency, ttft_ms=10.0, itl_ms=None, tpot_ms=None,
                      prompt_tokens=64, output_tokens=64, output_tps=None, tokens_per_iteration=None)


def fired(strategy: str, rate: float, rows: list[RequestRow], incomplete: int = 0) -> list[str]:
    b = Benchmark(index=0, strategy=strategy, rate=rate, duration_s=10.0,
                  totals={"successful": len(rows), "incomplete": incomplete}, requests=rows)
    ev = Evidence(where="d", load=LoadRun(path="g.json", schema="0.8", tool_version="0.8.1", model="m", benchmarks=[b]))
    return [n.message for n in load_below_requested(ev)]


def test_tolerance() -> None:
    assert tolerance(12, "constant") == 0.10
    assert round(tolerance(12, "poisson"), 4) == 0.9045  # 3 / sqrt(11)
    assert tolerance(1000, "poisson") == 0.10  # 3 / sqrt(999) = 0.0949 < 0.10


def test_constant_rate_sent_too_slowly() -> None:
    # 11 requests, one every 0.25 s: 10 gaps over 2.5 s = 4.0/s; asked 5/s: 4.0 < 5·0.9 = 4.5
    rows = [row(0.25 * i, 0.1) for i in range(11)]
    assert rates(Benchmark(0, "constant", 5.0, 10.0, {}, rows))[:2] == (4.0, 4.0)
    [message] = fired("constant", 5.0, rows)
    assert "sent at 4.00/s of the 5/s requested" in message
    assert fired("constant", 4.4, rows) == []  # 4.0 >= 4.4·0.9 = 3.96


def test_queued_at_the_end() -> None:
    rows = [row(0.25 * i, 0.1) for i in range(11)]
    assert "3 request(s) were still queued" in fired("constant", 4.0, rows, incomplete=3)[0]


def test_server_fell_behind() -> None:
    # 11 requests sent every 0.25 s (4.0/s); latency grows 0.1 + 0.25·i: ends at 0.1 + 0.5·i, 10 gaps over 5 s = 2.0/s
    rows = [row(0.25 * i, 0.1 + 0.25 * i) for i in range(11)]
    # tolerance(11) = max(0.1, 3/sqrt(10) = 0.949): 2.0 >= 4.0·0.051, quiet with 11 requests
    assert fired("constant", 4.0, rows) == []
    # 401 requests the same way: tolerance 3/sqrt(400) = 0.15; 2.0 < 4.0·0.85 = 3.4
    rows = [row(0.25 * i, 0.1 + 0.25 * i) for i in range(401)]
    assert "finished at 2.00/s while they were sent at 4.00/s" in fired("poisson", 4.0, rows)[0]


def test_closed_loops_claim_no_rate() -> None:
    rows = [row(0.25 * i, 0.1) for i in range(11)]
    assert fired("concurrent", 8.0, rows) == [] and fired("synchronous", 0.0, rows) == []


def test_fires_on_its_fixture() -> None:
    # rate4-chat's 12 requests were sent over 2.896 s: 11 / 2.896 = 3.80/s; the fixture asks 50/s;
    # poisson tolerance 3/sqrt(11) = 0.905: 3.80 < 50·0.095 = 4.77
    target = build_report([str(CONSTRUCTED / "traps" / "8-load-below-requested")], Window()).targets[0]
    [notice] = [n for n in target.notices if n.code == "trap-load-below-requested"]
    assert "sent at 3.80/s of the 50/s requested" in notice.message
