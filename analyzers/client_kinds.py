"""Which analyzers module renders each client result kind: `speclens compare` fills a row with its
`fill_row(row, result)`, `speclens report` shows its `tables(result)`, METHOD names it in both."""

from __future__ import annotations

from types import ModuleType

from speclens.analyzers import (
    client_kind_accuracy,
    client_kind_draft_verify,
    client_kind_losslessness,
    client_kind_spec_thinking,
    client_kind_three_mode,
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
    DraftVerifyResult: client_kind_draft_verify,
    AccuracyResult: client_kind_accuracy,
    SpecThinkingResult: client_kind_spec_thinking,
    ThreeModeResult: client_kind_three_mode,
    LosslessnessResult: client_kind_losslessness,
}


def view(result: ClientResult) -> ModuleType:
    return VIEWS[type(result)]
