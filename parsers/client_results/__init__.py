"""Result JSONs of the clients in clients/ read back into their typed models, offline.

`read_client_result(path)` returns the model of one client kind (parsers/client_results/<kind>.py,
each a `base.ClientResultModel`, the same model the client writes through). The kind is the
top-level "client" field; files without it (written by the original tools) are recognised by their
top-level keys (each model's SIGNATURE), tried in KINDS order. Numbers written as null stay None.
Bad input raises ParseError (lineno only for JSON syntax errors).
"""

from __future__ import annotations

import json
from typing import Any

from speclens.parsers.client_results.accuracy import AccuracyResult
from speclens.parsers.client_results.base import ClientResultModel
from speclens.parsers.client_results.draft_verify import DraftVerifyResult
from speclens.parsers.client_results.losslessness import LosslessnessResult
from speclens.parsers.client_results.spec_thinking import SpecThinkingResult
from speclens.parsers.client_results.three_mode import ThreeModeResult
from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input

__all__ = ["AccuracyResult", "ClientResult", "DraftVerifyResult", "LosslessnessResult", "SpecThinkingResult",
           "ThreeModeResult", "parse_client_result", "read_client_result"]

ClientResult = DraftVerifyResult | AccuracyResult | SpecThinkingResult | ThreeModeResult | LosslessnessResult

# order matters for files without "client": the first whose looks_like() holds wins
KINDS: dict[str, type[ClientResultModel]] = {
    m.kind(): m for m in (SpecThinkingResult, ThreeModeResult, AccuracyResult, DraftVerifyResult, LosslessnessResult)}


def _kind(data: dict) -> str | None:
    if isinstance(data.get("client"), str):
        return data["client"]
    keys = set(data)
    return next((kind for kind, model in KINDS.items() if model.looks_like(keys)), None)


def parse_client_result(path: str, data: Any) -> ClientResult:
    if not isinstance(data, dict):
        raise ParseError(path, None, "expected a JSON object at the top level")
    model = KINDS.get(_kind(data) or "")
    if model is not None:
        return model.read(path, data)
    raise ParseError(path, None, "expected a speclens client result (a 'client' field, or config+summary+results, "
                     "config+metrics+results, metadata+per_prompt, large_model/speculative_thinking)",
                     f"found keys {sorted(data)[:8]}")


def read_client_result(path: str) -> ClientResult:
    """Read and type one client result file."""
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except UnicodeDecodeError:
        raise ParseError(path, None, "expected UTF-8 JSON") from None
    except json.JSONDecodeError as err:
        raise ParseError(path, err.lineno, f"expected JSON ({err.msg})") from None
    return parse_client_result(path, data)
