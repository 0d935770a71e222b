"""Which analyzers module renders each client result kind: `speclens compare` fills a row with its
`fill_row(row, result)`, `speclens report` shows its `tables(result)`, METHOD names it in both."""

from __future__ import annotations

from types import ModuleType

from speclens.analyzers.client_results import (
    accuracy,
    draft_verify,
    losslessness,
    spec_thinking,
    three_mode,
)
from speclens.parsers.client_results import (
    AccuracyResult,
    ClientResult,
    DraftVerifyResult,
    LosslessnessResult,
    SpecThinkingResult,
    ThreeModeResult,
)

VIEWS: dict[type, ModuleType] = {
    DraftVerifyResult: draft_verify,
    AccuracyResult: accuracy,
    SpecThinkingResult: spec_thinking,
    ThreeModeResult: three_mode,
    LosslessnessResult: losslessness,
}


def view(result: ClientResult) -> ModuleType:
    return VIEWS[type(result)]
