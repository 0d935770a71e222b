"""Issue 25, trap 13: vllm bench serve --backend openai-chat on custom/hf/spec_bench/speed_bench data
before vLLM 0.34 applied the chat template twice (0.32.0 CustomDataset renders it unless
--skip-chat-template; the chat endpoint applies it again)."""

from __future__ import annotations

from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.traps.evidence import Evidence
from speclens.analyzers.traps.prompts import chat_template_twice
from speclens.parsers.run_dir import RunConfig

from tests.conftest import CONSTRUCTED

COMMAND = "vllm bench serve --backend openai-chat --dataset-name {} --dataset-path p.jsonl"


def fired(command: str, version: str | None = "0.32.0") -> list[tuple[str, str]]:
    ev = Evidence(where="d", config=RunConfig(load_command=command, vllm_version=version))
    return [(n.level, n.code) for n in chat_template_twice(ev)]


def test_fires_before_034_on_templated_data() -> None:
    for data in ("custom", "hf", "spec_bench", "speed_bench"):
        assert fired(COMMAND.format(data)) == [("warning", "trap-chat-template-twice")]
    assert fired(COMMAND.format("custom"), None) == [("info", "trap-chat-template-twice")]  # version unknown


def test_quiet_where_the_template_is_applied_once() -> None:
    assert fired(COMMAND.format("custom"), "0.34.0") == []  # fixed in 0.34
    assert fired(COMMAND.format("random")) == []  # random data has no template
    assert fired(COMMAND.format("custom") + " --skip-chat-template") == []
    assert fired(COMMAND.format("custom").replace("openai-chat", "openai")) == []  # completions: applied once
    assert fired("guidellm run --backend openai-chat --dataset-name custom") == []  # not vllm bench


def test_fires_on_its_fixture() -> None:
    target = build_report([str(CONSTRUCTED / "traps" / "13-chat-template-twice")], Window()).targets[0]
    assert ("warning", "trap-chat-template-twice") in [(n.level, n.code) for n in target.notices]
