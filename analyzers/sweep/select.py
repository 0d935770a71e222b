"""Best k per load and the break-even load, from the cells' speedups (pure; no files).

- Best k at one load (and category): among the comparable spec cells with a speedup of the primary
  metric, the highest speedup. Each other k whose 95% interval overlaps the best's is a tie (not
  distinguishable from it at this confidence): ties are reported as ties, never broken by the point
  estimate. A candidate without an interval makes the choice undecidable: best_k null, said why.
- Break-even (per category), in load order: speculation pays at a load when its best k's verdict
  is "faster" (interval above 1). It stops paying between the last paying load and the next load,
  "between L_i and L_(i+1)", with both verdicts; "never within the measured range" when every load
  pays; "already not paying at the lowest load" when the lowest does not; n/a when no load has a
  best k.
"""

from __future__ import annotations

from speclens.analyzers.sweep.models import BestK, BreakEven, CellSpeedup


def _loads(cells: list[CellSpeedup]) -> list[tuple[str | None, str]]:
    """(category, load) in category then load order."""
    seen: dict[tuple[str | None, str], list[float]] = {}
    for c in cells:
        seen.setdefault((c.category, c.load), c.load_rank)
    return sorted(seen, key=lambda key: (key[0] or "", seen[key]))


def best_k_at(cells: list[CellSpeedup], primary: str, load: str, category: str | None) -> BestK:
    here = [c for c in cells if c.load == load and c.category == category]
    scored = [(c, m) for c in here if c.comparable and (m := c.metric(primary)) is not None and m.speedup is not None]
    if not scored:
        why = "; ".join(sorted({c.summary or "no speedup" for c in here})) or "no spec cell"
        return BestK(load=load, category=category, best_k=None, note=f"no comparable speedup ({why})")
    blind = sorted(c.k for c, m in scored if m.ci_low is None or m.ci_high is None)
    if blind:
        return BestK(load=load, category=category, best_k=None, note=(
            f"k={', '.join(map(str, blind))} has no 95% interval: ties cannot be judged, no k is chosen"))
    best, bm = max(scored, key=lambda cm: cm[1].speedup)  # type: ignore[arg-type, return-value]
    ties = sorted(c.k for c, m in scored if c is not best and m.ci_high >= bm.ci_low and m.ci_low <= bm.ci_high)  # type: ignore[operator]
    note = (f"not distinguishable from k={', '.join(map(str, ties))} (95% intervals overlap): a tie" if ties else
            "the only k measured here" if len(scored) == 1 else "distinguishable from every other k measured here")
    return BestK(load=load, category=category, best_k=best.k, ties=ties, verdict=bm.verdict, speedup=bm.speedup,
                 ci_low=bm.ci_low, ci_high=bm.ci_high, note=note)


def best_ks(cells: list[CellSpeedup], primary: str) -> list[BestK]:
    return [best_k_at(cells, primary, load, category) for category, load in _loads(cells)]


def _best(b: BestK) -> str:
    if b.best_k is None:
        return "no k chosen"
    return f"k={b.best_k}" + (f" (tie with k={', '.join(map(str, b.ties))})" if b.ties else "")


def break_even(best: list[BestK]) -> list[BreakEven]:
    """Per category, in the order `best` lists the loads (load order)."""
    out = []
    for category in dict.fromkeys(b.category for b in best):
        rows = [b for b in best if b.category == category and b.best_k is not None]
        where = f" ({category})" if category else ""
        if not rows:
            out.append(BreakEven(category=category, kind="n/a", text=f"break-even{where}: n/a (no load has a best k)"))
            continue
        pays = [b.verdict == "faster" for b in rows]
        if all(pays):
            out.append(BreakEven(category=category, kind="never within the measured range", high_load=rows[-1].load,
                                 high_verdict=rows[-1].verdict, text=(
                f"break-even{where}: never within the measured range (speculation pays up to {rows[-1].load}, "
                f"{_best(rows[-1])} {rows[-1].verdict})")))
            continue
        if not pays[0]:
            out.append(BreakEven(category=category, kind="already not paying at the lowest load", high_load=rows[0].load,
                                 high_verdict=rows[0].verdict, text=(
                f"break-even{where}: already not paying at the lowest load ({rows[0].load}: {_best(rows[0])} "
                f"{rows[0].verdict})")))
            continue
        i = pays.index(False)
        lo, hi = rows[i - 1], rows[i]
        out.append(BreakEven(category=category, kind="between", low_load=lo.load, high_load=hi.load,
                             low_verdict=lo.verdict, high_verdict=hi.verdict, text=(
            f"break-even{where}: between {lo.load} ({_best(lo)} {lo.verdict}) and {hi.load} ({_best(hi)} {hi.verdict})")))
    return out
