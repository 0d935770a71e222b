"""`vllm:diffusion_*` counters from a Prometheus text scrape, and the difference of two scrapes.

vLLM 0.32 (`SpecDecodingProm` with `is_diffusion`) exports, per engine, three counters under
diffusion names (the spec-decode ones are then absent): `vllm:diffusion_num_denoising_steps`
(spec-decode drafts: one per request per scheduler step), `vllm:diffusion_num_canvas_positions`
(draft tokens: canvas positions evaluated) and `vllm:diffusion_num_committed_tokens` (accepted
tokens: finalized tokens). Samples are read with or without `_total`; `_created` samples are kept
apart (they tell a restart from a swap). Series are kept per `engine` label ("" when absent) and
summed over the other labels; values must be whole numbers and are kept as exact ints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from speclens.parsers.prometheus import CounterReset, families, scrape_text, whole_count

PREFIX = "vllm:diffusion_"
_FIELDS = {"num_denoising_steps": "denoising_steps", "num_canvas_positions": "canvas_positions",
           "num_committed_tokens": "committed"}
COUNTERS = tuple(_FIELDS.values())


@dataclass(slots=True)
class DiffusionCounters:
    """One engine's diffusion counters; None where the scrape lacks that counter."""

    denoising_steps: int | None = None
    canvas_positions: int | None = None
    committed: int | None = None
    created: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(slots=True)
class DiffusionScrape:
    """The diffusion counters of one scrape (or of a difference), by engine label."""

    path: str
    engines: dict[str, DiffusionCounters]

    def total(self) -> DiffusionCounters:
        """Summed over engines: each counter None when no engine has it."""
        total = DiffusionCounters()
        for e in self.engines.values():
            for name in COUNTERS:
                value = getattr(e, name)
                if value is not None:
                    setattr(total, name, (getattr(total, name) or 0) + value)
        return total



def parse_diffusion_scrape(path: str, text: str) -> DiffusionScrape:
    """Read the diffusion counters of one scrape; other metrics are ignored."""
    engines: dict[str, DiffusionCounters] = {}
    for family in families(path, text, PREFIX):
        if not family.name.startswith(PREFIX):
            continue
        for sample in family.samples:
            name = sample.name[len(PREFIX):]
            created = name.endswith("_created")
            base = name.removesuffix("_created") if created else name.removesuffix("_total")
            if base not in _FIELDS:
                continue
            counters = engines.setdefault(sample.labels.get("engine", ""), DiffusionCounters())
            attr = _FIELDS[base]
            if created:
                counters.created[attr] = sample.value
            else:
                setattr(counters, attr, (getattr(counters, attr) or 0) + whole_count(path, sample.name, sample.value))
    return DiffusionScrape(path, engines)


def read_diffusion_scrape(path: str) -> DiffusionScrape:
    """Read a scrape file's diffusion counters (UTF-8 text)."""
    return parse_diffusion_scrape(path, scrape_text(path))


def diff_diffusion(before: DiffusionScrape, after: DiffusionScrape) -> tuple[DiffusionScrape, list[CounterReset]]:
    """Per-engine `after − before`. A counter that went down (a restart in between, or a new
    `_created` time) is a reset: its delta is the after value (the counts since the restart)."""
    resets: list[CounterReset] = []
    deltas: dict[str, DiffusionCounters] = {}
    for engine, a in after.engines.items():
        b = before.engines.get(engine, DiffusionCounters())
        restarted = any(name in b.created and b.created[name] != when for name, when in a.created.items())
        delta = DiffusionCounters()
        for name in COUNTERS:
            va, vb = getattr(a, name), getattr(b, name)
            if va is None:
                continue
            if vb is not None and (va < vb or restarted):
                resets.append(CounterReset(engine, name, vb, va))
                vb = None
            setattr(delta, name, va - (vb or 0))
        deltas[engine] = delta
    return DiffusionScrape(after.path, deltas), resets
