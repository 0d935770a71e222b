"""`vllm:spec_decode_*` counters from a Prometheus text scrape (`GET /metrics`), and the
difference of two scrapes.

Parsing is prometheus_client's own text-format parser. Names: V1 `vllm:spec_decode_num_drafts`,
`_num_draft_tokens`, `_num_accepted_tokens`, `_num_accepted_tokens_per_pos{position="i"}`; V0
`_num_accepted_tokens`, `_num_draft_tokens`, `_num_emitted_tokens`. Samples are read with or
without the `_total` suffix. `_created` samples (prometheus_client's Unix time at which a counter
series was created, i.e. when the server started counting) are kept apart in
`EngineCounters.created`: they tell whether two scrapes come from one server lifetime
(`same_lifetime`). Labels are read as a set: series are kept per `engine` label ("" when
absent) and summed over everything else (model_name). Counter values must be whole numbers;
they are kept as exact ints.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from speclens.parsers.errors import ParseError

_PREFIX = "vllm:spec_decode_"
_FIELDS = {
    "num_drafts": "drafts",
    "num_draft_tokens": "draft_tokens",
    "num_accepted_tokens": "accepted",
    "num_emitted_tokens": "emitted",
}


@dataclass(slots=True)
class EngineCounters:
    """One engine's counters; None where the server does not export that counter. `created`:
    the `_created` time of each counter series (Unix seconds), keyed like `CounterReset.counter`
    (`drafts`, `per_position[2]`, …); not part of equality."""

    drafts: int | None = None
    draft_tokens: int | None = None
    accepted: int | None = None
    emitted: int | None = None
    per_position: dict[int, int] = field(default_factory=dict)
    created: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(slots=True)
class SpecScrape:
    """All spec-decode counters of one scrape (or of the difference of two), by engine label.
    `generation` is "v0" when the V0-only emitted-tokens counter is present, "v1" otherwise,
    None when there are none."""

    path: str
    engines: dict[str, EngineCounters]

    @property
    def generation(self) -> str | None:
        if not self.engines:
            return None
        return "v0" if any(e.emitted is not None for e in self.engines.values()) else "v1"

    def total(self) -> EngineCounters:
        """The counters summed over engines: each counter None when no engine exports it, else
        the sum over those that do; per-position counts summed by position (no `created`)."""
        total = EngineCounters()
        for e in self.engines.values():
            for attr in ("drafts", "draft_tokens", "accepted", "emitted"):
                value = getattr(e, attr)
                if value is not None:
                    setattr(total, attr, (getattr(total, attr) or 0) + value)
            for pos, value in e.per_position.items():
                total.per_position[pos] = total.per_position.get(pos, 0) + value
        return total


@dataclass(frozen=True, slots=True)
class CounterReset:
    """A counter that went down between two scrapes: the server restarted in between."""

    engine: str
    counter: str
    before: int
    after: int


_SAMPLE_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?[ \t]+\S+(?:[ \t]+\S+)?[ \t]*")


# every line of a scrape whose lines all pass the shape check, in one C-level match (~2x the line loop below);
# only for ASCII text without a line break other than \n (str.splitlines splits at \r, \v, \f, \x1c-\x1e too)
_SHAPELY = re.compile(rf"(?:(?:#[^\n]*+|[ \t]*+|{_SAMPLE_RE.pattern})(?:\n|\Z))*+")
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e"


def _newlines_only(text: str) -> bool:
    """Every line break of `text` is \n (ASCII, none of the others str.splitlines knows)."""
    return text.isascii() and not any(c in text for c in _OTHER_BREAKS)


@functools.lru_cache(maxsize=4)
def _misshapen(text: str) -> tuple[tuple[int, str], ...]:
    """(line number, line) of every line that fails the cheap shape check, computed once per scrape
    text (the spec and the diffusion counters are read from the same text). A scrape `_SHAPELY` takes
    whole has none; any other is checked line by line (which also finds the lines)."""
    if _newlines_only(text) and _SHAPELY.match(text).end() == len(text):
        return ()
    return tuple((lineno, line) for lineno, line in enumerate(text.splitlines(), 1)
                 if line.strip() and not line.startswith("#") and _SAMPLE_RE.fullmatch(line) is None)


def _spec_lines(path: str, text: str, prefix: str = _PREFIX) -> tuple[list[str], list[int]]:
    """The lines of the vllm:spec_decode_* families (or those of another `prefix`) (samples and their # HELP/# TYPE), with their
    line numbers. Every other line only gets a cheap shape check: the full parser is run on what
    is used, so a 100 KB scrape costs microseconds, not tens of milliseconds."""
    for lineno, line in _misshapen(text):
        if prefix not in line:
            raise ParseError(path, lineno, "expected Prometheus text exposition format (a 'name{labels} value' line)",
                             "pass the body of GET /metrics, saved as is")
    lines, numbers = [], []
    if prefix not in text:  # no such family (e.g. the diffusion counters of a spec-decode server): no lines
        return lines, numbers
    if _newlines_only(text):  # found by str.find, numbered by counting \n: the whole text is not split
        lineno, counted, at = 1, 0, text.find(prefix)
        while at >= 0:
            start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
            end = len(text) if end < 0 else end
            lineno, counted = lineno + text.count("\n", counted, start), start
            lines.append(text[start:end])
            numbers.append(lineno)
            at = text.find(prefix, end)
        return lines, numbers
    for lineno, line in enumerate(text.splitlines(), 1):
        if prefix in line:
            lines.append(line)
            numbers.append(lineno)
    return lines, numbers


_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"'
_PLAIN_SAMPLE = re.compile(rf"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{{((?:{_LABEL})(?:,{_LABEL})*)?\}})?[ \t]+(\S+)[ \t]*")
_PLAIN_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"')
_PLAIN_META = re.compile(r"# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]*(?: .*)?|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
                         r"(?:counter|gauge|histogram|summary|untyped))")


class PlainSample(NamedTuple):
    name: str
    labels: dict[str, str]
    value: float


class PlainFamily(NamedTuple):
    name: str
    samples: list[PlainSample]


def _plain_families(lines: list[str]) -> list[PlainFamily] | None:
    """The samples of `lines` when every one is plain (well-formed # HELP / # TYPE, or `name{k="v",...} value`
    with no escapes, no timestamp, a value float() reads), each a family of its own named as the sample:
    what the callers read (sample name, labels, value), without prometheus_client's per-character parser
    (~10x faster). None: anything else, for prometheus_client to parse (and word its errors)."""
    out = []
    for line in lines:
        if line.startswith("#"):
            if _PLAIN_META.fullmatch(line) is None:
                return None
            continue
        match = _PLAIN_SAMPLE.fullmatch(line)
        if match is None:
            return None
        name, labels, value = match.groups()
        if "_" in value:  # float() reads 1_000; the exposition format does not
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        out.append(PlainFamily(name, [PlainSample(name, dict(_PLAIN_LABEL.findall(labels or "")), number)]))
    return out


def families(path: str, text: str, prefix: str = _PREFIX):  # noqa: ANN202 - prometheus_client's iterator
    """The metric families whose names contain `prefix`, parsed by prometheus_client (plain lines, the usual
    scrape: by `_plain_families`, the same samples); every other
    line is only shape-checked. ParseError names the first line that is not the text format."""
    from prometheus_client.parser import text_string_to_metric_families

    lines, numbers = _spec_lines(path, text, prefix)
    plain = _plain_families(lines)
    if plain is not None:
        return plain
    try:
        return list(text_string_to_metric_families("\n".join(lines) + "\n"))
    except ValueError:
        for line, lineno in zip(lines, numbers, strict=True):
            try:
                list(text_string_to_metric_families(line + "\n"))
            except ValueError as err:
                raise ParseError(path, lineno, f"expected Prometheus text exposition format ({err})",
                                 "pass the body of GET /metrics, saved as is") from None
        raise ParseError(path, None, "expected Prometheus text exposition format") from None


def whole_count(path: str, name: str, value: float) -> int:
    if value != value or value in (float("inf"), float("-inf")) or value < 0 or value != int(value):
        raise ParseError(path, None, f"expected a non-negative whole number for counter {name}, got {value}")
    return int(value)


def parse_scrape(path: str, text: str) -> SpecScrape:
    """Read the spec-decode counters of one scrape; other metrics are ignored."""
    engines: dict[str, EngineCounters] = {}
    for family in families(path, text):
        if not family.name.startswith(_PREFIX):
            continue
        for sample in family.samples:
            name = sample.name[len(_PREFIX) :]
            if not name.startswith("num_"):
                continue
            created = name.endswith("_created")
            base = name.removesuffix("_created") if created else name.removesuffix("_total")
            if base != "num_accepted_tokens_per_pos" and base not in _FIELDS:
                continue
            counters = engines.setdefault(sample.labels.get("engine", ""), EngineCounters())
            if base == "num_accepted_tokens_per_pos":
                label = sample.labels.get("position", "")
                if not (label.isascii() and label.isdigit()) or len(label) > 6:
                    raise ParseError(path, None, f"expected a numeric position label on {sample.name}, got {label!r}")
                pos = int(label)
                if created:
                    counters.created[f"per_position[{pos}]"] = sample.value
                else:
                    counters.per_position[pos] = counters.per_position.get(pos, 0) + whole_count(path, sample.name, sample.value)
            elif created:
                counters.created[_FIELDS[base]] = sample.value
            else:
                attr = _FIELDS[base]
                setattr(counters, attr, (getattr(counters, attr) or 0) + whole_count(path, sample.name, sample.value))
    return SpecScrape(path, engines)


def scrape_text(path: str) -> str:
    """The text of a scrape file (UTF-8); ParseError at the first invalid byte."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ParseError(path, None, f"expected UTF-8 Prometheus text, found an invalid byte at offset {err.start}") from None
    return text


def read_scrape(path: str) -> SpecScrape:
    """Read a scrape file (UTF-8 text)."""
    return parse_scrape(path, scrape_text(path))


def same_lifetime(first: SpecScrape, second: SpecScrape) -> bool | None:
    """Whether two scrapes come from one server lifetime, by their counters' `_created` times:
    True when every series both carry was created at the same time, False when one differs,
    None when they share no `_created` sample (older servers, or created series disabled)."""
    shared = False
    for name, a in first.engines.items():
        b = second.engines.get(name)
        if b is None:
            continue
        for counter, when in a.created.items():
            other = b.created.get(counter)
            if other is not None:
                if other != when:
                    return False
                shared = True
    return True if shared else None


def latest_created(scrape: SpecScrape) -> float | None:
    """The newest `_created` time in a scrape (when its server lifetime began), or None."""
    times = [t for e in scrape.engines.values() for t in e.created.values()]
    return max(times) if times else None


def _sub(engine: str, name: str, before: int | None, after: int | None, resets: list[CounterReset]) -> int | None:
    if after is None:
        return None
    if before is None:
        return after
    if after < before:
        resets.append(CounterReset(engine, name, before, after))
        return after
    return after - before


def diff_scrapes(before: SpecScrape, after: SpecScrape) -> tuple[SpecScrape, list[CounterReset]]:
    """Per-engine `after - before`, as a scrape of the difference (its path: the after-scrape's;
    `.total()` is the engine sum), and the resets. A counter that went down is reported as a reset
    and its delta is taken as the after value (the counts since the restart; earlier ones are lost)."""
    resets: list[CounterReset] = []
    deltas: dict[str, EngineCounters] = {}
    for engine, a in after.engines.items():
        b = before.engines.get(engine, EngineCounters())
        positions = {
            pos: _sub(engine, f"per_position[{pos}]", b.per_position.get(pos), value, resets)
            for pos, value in a.per_position.items()
        }
        deltas[engine] = EngineCounters(
            drafts=_sub(engine, "drafts", b.drafts, a.drafts, resets),
            draft_tokens=_sub(engine, "draft_tokens", b.draft_tokens, a.draft_tokens, resets),
            accepted=_sub(engine, "accepted", b.accepted, a.accepted, resets),
            emitted=_sub(engine, "emitted", b.emitted, a.emitted, resets),
            per_position={p: v for p, v in positions.items() if v is not None},
        )
    return SpecScrape(after.path, deltas), resets
