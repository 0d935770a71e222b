"""The mean acceptance length's formula per source, in one place: the values of
`Metrics.mean_acceptance_length_formula`, which sources each is used for and what it counts. The
acceptance report's notes and JSON field descriptions, the compare footer and `speclens acceptance
--help` all print these words. Kept free of imports so the CLI's help can use it without loading
the report models. `analyzers.acceptance.metrics.mal_formula` decides which formula a source's counts get.

Why two formulas (vLLM's rejection samplers): in V1 a draft's accepted tokens are its accepted
prefix (verification stops at the first rejection), and each draft adds one token of the target's
own, so a draft yields 1 + accepted tokens. V0 counts a draft token as accepted wherever it
matched, also after an earlier rejected one (those tokens are thrown away), so 1 + accepted /
drafts would overstate it; V0's emitted count is what a draft yielded: its accepted prefix plus
the target's token, which is the bonus token only when all k draft tokens were accepted and
otherwise the target's token in place of the first rejected one. V0 has no drafts count: it is
draft tokens / k (V0 always proposes k tokens).
"""

from __future__ import annotations

MAL_V1 = "1 + accepted_tokens / drafts"
MAL_V0 = "emitted_tokens / drafts"

SOURCES = {  # (which sources, the inputs they are)
    MAL_V1: ("V1 sources", "SpecDecoding log lines, V1 /metrics counters, vllm bench serve"),
    MAL_V0: ("V0 sources", "Speculative metrics log lines, V0 /metrics with the emitted-tokens counter"),
}
MEANING = {
    MAL_V1: ("accepted is each draft's accepted prefix; the 1 is the target's own token per draft (the bonus "
             "token when all k draft tokens were accepted, else its token in place of the first rejected one)"),
    MAL_V0: ("drafts = draft tokens / k; emitted is each draft's accepted prefix plus the target's own token (the "
             "bonus token only when all k draft tokens were accepted, else its token in place of the first rejected "
             "one); not 1 + accepted / drafts: V0's accepted also counts draft tokens matched after a rejected one"),
}


def short(formula: str) -> str:
    """The formula as prose prints it: `1 + accepted / drafts`, `emitted / drafts`."""
    return formula.replace("_tokens", "")


def explained(formula: str) -> str:
    """One formula with its sources and what it counts (a report's note on the sources using it)."""
    kind, inputs = SOURCES[formula]
    return f"{short(formula)} ({kind}: {inputs}; {MEANING[formula]}); range 1..k+1"


def described() -> str:
    """Both formulas as `mean_acceptance_length_formula` holds them, with their sources and meaning
    (the JSON field description)."""
    return "; ".join(f"'{formula}' for {SOURCES[formula][0]} ({SOURCES[formula][1]}): {MEANING[formula]}"
                     for formula in (MAL_V1, MAL_V0))


def per_source() -> str:
    """Both formulas with the sources each is used for (for texts that cover every source)."""
    (v1, v1_inputs), (v0, v0_inputs) = SOURCES[MAL_V1], SOURCES[MAL_V0]
    return (f"mean acceptance length = {short(MAL_V1)} for {v1} ({v1_inputs}), {short(MAL_V0)} for {v0} "
            f"({v0_inputs}; drafts = draft tokens / k; V0's accepted also counts draft tokens matched after a "
            "rejected one, emitted only what each draft yielded)")
