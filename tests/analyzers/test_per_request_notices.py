"""The per-request section's notices: how to turn the metrics on (named once per report), and the
prompt-length fall naming the drafter's max_model_len read from the server log."""

from __future__ import annotations

from speclens.analyzers.acceptance.per_request import per_request_section
from speclens.analyzers.acceptance.per_request_bins import by_length, sharp_falls
from speclens.parsers.startup import DraftMaxModelLen
from tests.analyzers.test_per_request_math import spec, spec_set
from tests.conftest import ROOT
from tests.test_cli import run

C4 = ROOT / "fixtures" / "recorded" / "speclens-run_eval" / "draft-c4"
ENABLE = ("run_eval.sh and the launchers turn them on by default for vLLM >= 0.29: --per-request-metrics "
          "summary|detailed; by hand, serve with vLLM's --per-request-spec-decode-metrics summary|detailed")
SHORT = [spec(f"s{i}", (0, 0, 0, 2), prompt=100 + i) for i in range(5)]  # 1 + 30/10 = 4.0 per bin
LONG = [spec(f"l{i}", (2, 2, 0, 0), prompt=2000 + i) for i in range(5)]  # 1 + 10/20 = 1.5: 62.5% lower


def test_no_records_names_our_option_and_vllms_flag() -> None:
    s = per_request_section(spec_set([], seen=3))
    assert [n.code for n in s.notices] == ["no-per-request-metrics"]
    assert ENABLE in s.notices[0].message


def test_a_run_directory_without_data_names_them_once() -> None:
    proc = run("acceptance", str(C4))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("--per-request-metrics summary|detailed") == 1  # once per report
    assert proc.stdout.count("--per-request-spec-decode-metrics summary|detailed") == 1


def test_fall_names_the_drafters_max_model_len_and_the_bin_past_it() -> None:
    binned = by_length(SHORT + LONG, "prompt_tokens", "prompt tokens")  # bins 100–104 and 2000–2004
    drafter = DraftMaxModelLen(value=1024, target=4096, native=None, line=15)
    [fall] = sharp_falls(binned, drafter)
    assert fall.message.endswith("prompts longer than the drafter's max_model_len are one known cause: it is 1024 "
                                 "tokens (server log line 15), passed by prompts in bin 2000–2004")


def test_fall_with_an_overridden_drafter_no_prompt_passes() -> None:
    binned = by_length(SHORT + LONG, "prompt_tokens", "prompt tokens")
    [fall] = sharp_falls(binned, DraftMaxModelLen(value=4096, target=4096, native=8192, line=16))
    assert fall.message.endswith("but no prompt here passes it: it is 4096 tokens (server log line 16, lowered "
                                 "from the draft model's 8192 to the target's), the longest prompt 2004 tokens")


def test_fall_without_a_printed_value_says_unknown() -> None:
    [fall] = sharp_falls(by_length(SHORT + LONG, "prompt_tokens", "prompt tokens"))
    assert fall.message.endswith("(the drafter's max_model_len: unknown, no server log line prints it)")


def test_run_directory_reads_its_log(monkeypatch) -> None:  # noqa: ANN001
    # the recorded per-request run: its section is built with the drafter of vllm_server.log line 16
    # ("Overriding draft model max model len from 2048 to 1024")
    from speclens.analyzers.acceptance import per_request_wiring as wiring
    from speclens.analyzers.acceptance.models import TargetReport

    seen = []
    real = wiring.per_request_section
    monkeypatch.setattr(wiring, "per_request_section", lambda s, c, d=None: seen.append(d) or real(s, c, d))
    path = str(ROOT / "fixtures" / "recorded" / "per-request" / "summary-sync")
    report = TargetReport(path=path, kind="run_dir")
    assert wiring.attach_per_request(report, wiring.run_load_results(path), lambda p: None) is not None
    assert seen == [DraftMaxModelLen(value=1024, target=1024, native=2048, line=16)]
