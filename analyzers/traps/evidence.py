"""`Evidence`: what one run holds that the trap checks read, gathered once per run directory.

Nothing here parses the load-driver JSON again: callers pass the `LoadRun` they already hold
(acceptance: `FolderLoadResults.run` from find_load_results; speedup/compare: `RunContext.load`).
run.json is read with parsers.run_dir.read_manifest (small); the server log only through its
bounded head (parsers.server_hints); of the scrapes only the vllm:prefix_cache_* families are read
(trap 9); which engines the log and the counters saw comes from the caller's acceptance report.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import LoadRun
from speclens.parsers.run_dir import MANIFEST, METRICS_AFTER, METRICS_BEFORE, RunConfig, detect, read_manifest
from speclens.parsers.server_hints import ServerHints, read_server_hints


@dataclass(frozen=True)
class Evidence:
    where: str  # the run directory (or load file) the notices point at
    config: RunConfig | None = None  # run.json's config (None: no readable run.json)
    hints: ServerHints | None = None  # the head of the server log (None: no log)
    load: LoadRun | None = None  # the load-driver results, as the caller parsed them
    counter_delta: bool = False  # a /metrics before/after pair: the delta covers exactly the run
    run_seconds: float | None = None  # how long the load ran (Σ benchmark durations)
    draft_tokens: int | None = None  # the acceptance report's primary source (None: not known here)
    accepted_tokens: int | None = None
    segment_method: str | None = None  # the speculative method the log's startup line names
    manifest_started: bool = False  # run.json records started_at: the log is scoped to the run's window
    manifest_vllm: str | None = None  # run.json versions.vllm
    prefix_cache: tuple[int, int] | None = None  # (hits, queries) in tokens during the run (the scrape delta)
    log_engines: int | None = None  # engines the log's SpecDecoding lines were attributed to (None: no log source)
    counter_engines: tuple[str, ...] = ()  # engines whose /metrics drafts counter rose during the run

    @property
    def has_log(self) -> bool:
        return self.hints is not None

    @property
    def run_window(self) -> bool:
        """run.json records the run's start: the log is scoped to the run's window."""
        return self.config is not None and self.manifest_started

    @property
    def spec_method(self) -> str | None:
        return (self.config.method if self.config and self.config.method else None) or self.segment_method or (
            self.hints.spec_method if self.hints else None)

    @property
    def speculative_config(self) -> dict[str, Any]:
        """run.json's --speculative-config JSON as a dict ({} when absent or not JSON)."""
        text = self.config.speculative_config if self.config else None
        try:
            value = json.loads(text) if text else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def temperature(self) -> float | None:
        """The sampling temperature: run.json, else the request bodies (the highest), else the log's
        --override-generation-config; None: the server's default or not recorded."""
        value: object = self.config.temperature if self.config else None
        if value in (None, "") and self.load is not None and self.load.config.temperatures:
            value = max(self.load.config.temperatures)
        if value in (None, "") and self.hints is not None:
            value = self.hints.temperature
        try:
            return float(value) if value not in (None, "") else None  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None  # "server default"

    @property
    def vllm_version(self) -> str | None:
        return ((self.config.vllm_version or None) if self.config else None) or self.manifest_vllm


def gather_evidence(folder: str | None, load: LoadRun | None, hints: ServerHints | None = None,
                    draft_tokens: int | None = None, accepted_tokens: int | None = None,
                    segment_method: str | None = None, log_engines: int | None = None,
                    counter_engines: tuple[str, ...] = ()) -> Evidence:
    """The evidence of one run: its folder's run.json, log head (`hints` when the caller read it
    already) and scrape files, plus the load results the caller holds."""
    config, started, delta, versioned, prefix = None, False, False, None, None
    if folder is not None and os.path.isdir(folder):
        here = detect(folder)
        manifest = here.file(MANIFEST)
        try:
            parsed = read_manifest(manifest) if manifest else None
        except (ParseError, OSError):
            parsed = None
        if parsed is not None:
            config, started = parsed.config, bool(parsed.started_at)
            versioned = parsed.versions.vllm if parsed.versions else None
        if hints is None and here.log:
            hints = read_server_hints(here.log)
        delta = bool(here.file(METRICS_BEFORE) and here.file(METRICS_AFTER))
        if delta:
            prefix = prefix_cache_delta(here.file(METRICS_BEFORE), here.file(METRICS_AFTER))  # type: ignore[arg-type]
    seconds = None
    if load is not None and load.benchmarks and all(b.duration_s is not None for b in load.benchmarks):
        seconds = sum(b.duration_s for b in load.benchmarks)  # type: ignore[misc]
    return Evidence(where=folder or (load.path if load else ""), config=config, hints=hints, load=load,
                    counter_delta=delta, run_seconds=seconds, draft_tokens=draft_tokens,
                    accepted_tokens=accepted_tokens, segment_method=segment_method, manifest_started=started,
                    manifest_vllm=versioned, prefix_cache=prefix, log_engines=log_engines,
                    counter_engines=counter_engines)


PREFIX_CACHE = "vllm:prefix_cache_"


def _prefix_cache(path: str) -> tuple[int, int] | None:
    """(hits, queries) of one scrape, summed over engines; None: not exported or not readable."""
    from speclens.parsers.prometheus import families, scrape_text

    sums: dict[str, float] = {}
    try:
        for family in families(path, scrape_text(path), PREFIX_CACHE):
            for sample in family.samples:
                name = sample.name.removesuffix("_total")
                if name in (PREFIX_CACHE + "hits", PREFIX_CACHE + "queries"):
                    sums[name] = sums.get(name, 0.0) + sample.value
    except (ParseError, OSError):
        return None
    hits, queries = sums.get(PREFIX_CACHE + "hits"), sums.get(PREFIX_CACHE + "queries")
    return None if hits is None or queries is None else (int(hits), int(queries))


def prefix_cache_delta(before: str, after: str) -> tuple[int, int] | None:
    """(hits, queries) during the run: after − before; None when a scrape lacks them or a counter fell."""
    b, a = _prefix_cache(before), _prefix_cache(after)
    if a is None or b is None or a[0] < b[0] or a[1] < b[1]:
        return None
    return a[0] - b[0], a[1] - b[1]
