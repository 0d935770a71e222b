"""`speclens report DIR`: everything known about one run directory, as one typed report
(`RunDirReport`): the acceptance report (its anomaly checks among the notices), what the load driver
measured (`analyzers.speedup.run_load`: throughput, per-request speed, TTFT/ITL/TPOT/latency percentiles,
request counts and errors) for the run and for DIR/baseline, the speedup over DIR/baseline when
there is one, and the advice on k. `analyzers.render.run_dir` turns it into
Markdown with PNG plots written next to it (`<name>_plots/`, `parsers.run_dir.plots_dir`);
`--format json` saves the report itself, which `speclens render` reads back.

Each phase's load-driver JSON is found as every command finds it (`parsers.load_results.
find_load_results`: guidellm_results.json, else the first `*.json` by name holding load results;
the others are named as not used). The speedup over DIR/baseline is `speclens speedup`'s, with its
one verdict (analyzers.speedup.comparability.judge; `force` as its --force).

The advice's draft cost ratio c: `--cost-ratio` (finite, > 0), else measured from the first
comparable level of the paired baseline (`advice.cost_ratio_from_pair` with the request-mean TPOT
of both runs; a level that is not comparable only with `force`), else none, with the reason.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel
from speclens.analyzers import __version__
from speclens.analyzers.acceptance.report import build_report
from speclens.analyzers.acceptance.models import Report, Window
from speclens.analyzers.acceptance.advice import Advice, advise, check_cost_ratio, cost_ratio_from_pair
from speclens.analyzers.speedup.comparability import LOAD_DIFFERS, run_context, summary
from speclens.analyzers.speedup.run_load import LoadSummary, load_summary
from speclens.analyzers.speedup.report import build_speedup
from speclens.analyzers.speedup.models import SpeedupReport
from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import LoadRun
from speclens.parsers.load_results import find_load_results
from speclens.parsers.run_dir import RunConfig, RunFiles, read_manifest


class RunDirReport(BaseModel):
    schema_version: Literal[1] = 1
    tool: Literal["speclens report"] = "speclens report"
    speclens_version: str
    run_dir: str
    acceptance: Report  # with interval series; the anomaly checks are among each target's notices
    load: LoadSummary | None = None  # what the load driver measured (None: no load-driver JSON in RUN)
    baseline_load: LoadSummary | None = None  # the same for RUN/baseline
    load_errors: list[str] = []  # a load-results file that could not be read (file, line, what, fix)
    speedup: SpeedupReport | None = None  # over RUN/baseline, when it exists
    advice: Advice | None = None  # None: no conditional rates or no k


def _speedup(files: RunFiles, spec: LoadRun | ParseError | None,
             baseline: LoadRun | ParseError | None, force: bool) -> SpeedupReport | None:
    """The speedup over RUN/baseline from the two phases' results (read once, by _read_load);
    a file that could not be read raises its one-line error here, as speclens speedup would."""
    if spec is None or baseline is None:
        return None
    for run in (baseline, spec):
        if isinstance(run, ParseError):
            raise run
    return build_speedup(run_context(baseline, files.baseline.root), run_context(spec, files.root), __version__, [],
                         force)


def _measured_cost_ratio(speedup: SpeedupReport | None, mal: float | None, k: int) -> tuple[float | None, str]:
    """(c, where it came from): the first comparable level of the pair (any level when forced)."""
    none = "none: no paired baseline (run with --baseline, or pass --cost-ratio C)"
    if speedup is None:
        return None, none
    forced = speedup.comparability.forced
    level = next((lvl for lvl in speedup.levels if lvl.comparable or forced), None)
    if level is None:
        why = speedup.levels[0].summary if speedup.levels else summary(speedup.comparability.short_reasons + [LOAD_DIFFERS])
        return None, f"none: not measured from the paired baseline ({why}); pass --cost-ratio C"
    tpot = next((c for c in level.comparisons if c.metric == "mean_tpot_ms"), None)  # request mean
    if not (tpot and tpot.baseline and tpot.spec and mal):
        return None, f"none: the paired baseline's {level.label} level has no mean TPOT in both runs; pass --cost-ratio C"
    return cost_ratio_from_pair(tpot.spec, tpot.baseline, mal, k), f"measured from the paired baseline ({level.label})" + (
        "" if level.comparable else f", forced ({level.summary})")


def _advice(acceptance: Report, speedup: SpeedupReport | None, cost_ratio: float | None) -> Advice | None:
    target = acceptance.targets[0]
    source = target.source(target.primary)
    if source is None or not source.metrics.conditional or not source.counts.k:
        return None
    source_name = "given by --cost-ratio"
    if cost_ratio is None:
        cost_ratio, source_name = _measured_cost_ratio(speedup, source.metrics.mean_acceptance_length, source.counts.k)
    return advise(source.metrics.conditional, source.counts.k, cost_ratio, source_name)


def _read_load(folder: str) -> tuple[LoadRun | ParseError | None, list[str], list[str]]:
    """The phase's load results as every command finds them (None: none; a ParseError kept, to be
    reported where it matters), the other load-driver files not used, and other files not read."""
    if not os.path.isdir(folder):
        return None, [], []
    found = find_load_results(folder)
    errors = [str(e) for e in found.errors]
    if found.run is not None:
        return found.run, found.unused, errors
    return (found.errors[0] if found.errors else None), [], errors[1:]


def _load(run: LoadRun | ParseError | None, config: RunConfig | None, errors: list[str],
          unused: list[str]) -> LoadSummary | None:
    """The load summary of one phase's results, with the request cap and duration of the speculative
    phase's run.json (`config`; the baseline's has none); a file that cannot be read is one line in
    `errors` and no summary (the acceptance numbers do not depend on it)."""
    if run is None:
        return None
    if isinstance(run, ParseError):
        errors.append(str(run))
        return None
    loaded = load_summary(run, config.max_requests if config else None,
                          config.max_seconds if config else None, config is not None and config.max_seconds is not None)
    loaded.unused = unused
    return loaded


def _config(files: RunFiles) -> RunConfig | None:
    try:
        manifest = read_manifest(files.manifest)
    except ParseError:
        return None  # the acceptance report already names a bad run.json
    return manifest.config if manifest is not None else None


def build_run_dir_report(run_dir: str, cost_ratio: float | None, force: bool = False) -> RunDirReport:
    """The typed report of one run directory (see the module docstring)."""
    check_cost_ratio(cost_ratio)  # before any work
    acceptance = build_report([run_dir], Window(), keep_series=True)
    files = RunFiles(run_dir)
    (spec_run, unused, errors), config = _read_load(files.root), _config(files)
    baseline_run, baseline_unused, baseline_errors = _read_load(files.baseline.root)
    errors += baseline_errors
    load, baseline_load = _load(spec_run, config, errors, unused), _load(baseline_run, config, errors, baseline_unused)
    speedup = _speedup(files, spec_run, baseline_run, force)  # a bad load file there stays the one-line error it was
    return RunDirReport(speclens_version=__version__, run_dir=run_dir, acceptance=acceptance, load=load,
                        baseline_load=baseline_load, load_errors=errors, speedup=speedup,
                        advice=_advice(acceptance, speedup, cost_ratio))


def write_run_report(run_dir: str, out: str, cost_ratio: float | None, fmt: str = "md",
                     force: bool = False) -> list[str]:
    """Write the report (Markdown with its plots, or the JSON report) through the one -o guard;
    returns the files written. Into a stream (`-`, a pipe, /dev/stdout) the Markdown has no plots."""
    from speclens.analyzers.atomic import check_output, is_stream, write_output
    from speclens.analyzers.render.run_dir import RUN_DIR_RENDERERS, write_run_dir_markdown

    check_output(out)  # refused before anything is written
    report = build_run_dir_report(run_dir, cost_ratio, force)
    text = RUN_DIR_RENDERERS[fmt](report)
    if fmt != "md" or is_stream(out):  # text, the JSON report, or Markdown into a stream: no plots
        write_output(out, text)
        return [] if out == "-" else [out]
    check_output(out, like=text)  # an existing file of another kind: refused before the plots are written
    return write_run_dir_markdown(report, out)
