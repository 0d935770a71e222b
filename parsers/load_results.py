"""Any load driver's result file as a `LoadRun`: guidellm JSON (every schema generation) or
`vllm bench serve` JSON, told apart by their keys."""

from __future__ import annotations

from parsers.guidellm import LoadRun, parse_guidellm
from parsers.json_file import read_json
from parsers.vllm_bench import is_vllm_bench, parse_vllm_bench


def read_load_results(path: str) -> LoadRun:
    """A guidellm result JSON (any generation) or a `vllm bench serve` result JSON."""
    doc = read_json(path)
    if is_vllm_bench(doc):
        return parse_vllm_bench(path, doc)[0]
    return parse_guidellm(path, doc)
