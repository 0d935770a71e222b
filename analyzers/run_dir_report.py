"""`speclens report DIR`: everything known about one run directory, as one typed report
(`RunDirReport`): the acceptance report (its anomaly checks among the notices), what the load driver
measured (`analyzers.run_load`: throughput, per-request speed, TTFT/ITL/TPOT/latency percentiles,
request counts and errors) for the run and for DIR/baseline, the speedup over DIR/baseline when
there is one, and the advice on k. `analyzers.render.run_dir` turns it into
Markdown with PNG plots written next to it (`<name>_plots/`, `parsers.run_dir.plots_dir`);
`--format json` saves the report itself, which `speclens render` reads back.

The advice's draft cost ratio c: `--cost-ratio`, else measured from the paired baseline's first
level (`advice.cost_ratio_from_pair` with the request-mean TPOT of both runs), else none.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel
from speclens.analyzers import __version__
from speclens.analyzers.acceptance import build_report
from speclens.analyzers.acceptance_models import Report, Window
from speclens.analyzers.advice import Advice, advise, cost_ratio_from_pair
from speclens.analyzers.comparability import gather_context
from speclens.analyzers.run_load import LoadSummary, load_summary
from speclens.analyzers.speedup import build_speedup
from speclens.analyzers.speedup_models import SpeedupReport
from speclens.parsers.errors import ParseError
from speclens.parsers.guidellm import LoadRun
from speclens.parsers.load_results import read_load_results
from speclens.parsers.run_dir import RunConfig, RunFiles, read_manifest


class RunDirReport(BaseModel):
    schema_version: Literal[1] = 1
    tool: Literal["speclens report"] = "speclens report"
    speclens_version: str
    run_dir: str
    acceptance: Report  # with interval series; the anomaly checks are among each target's notices
    load: LoadSummary | None = None  # what the load driver measured (None: no RUN/guidellm_results.json)
    baseline_load: LoadSummary | None = None  # the same for RUN/baseline
    load_errors: list[str] = []  # a load-results file that could not be read (file, line, what, fix)
    speedup: SpeedupReport | None = None  # over RUN/baseline, when it exists
    advice: Advice | None = None  # None: no conditional rates or no k


def _speedup(files: RunFiles, spec: LoadRun | ParseError | None,
             baseline: LoadRun | ParseError | None) -> SpeedupReport | None:
    """The speedup over RUN/baseline from the two phases' results (read once, by _read_load);
    a file that could not be read raises its one-line error here, as speclens speedup would."""
    if spec is None or baseline is None:
        return None
    for run in (baseline, spec):
        if isinstance(run, ParseError):
            raise run
    return build_speedup(gather_context(baseline, files.baseline.root, None),
                         gather_context(spec, files.root, None), __version__, [])


def _advice(acceptance: Report, speedup: SpeedupReport | None, cost_ratio: float | None) -> Advice | None:
    target = acceptance.targets[0]
    source = target.source(target.primary)
    if source is None or not source.metrics.conditional or not source.counts.k:
        return None
    source_name = "given by --cost-ratio" if cost_ratio is not None else "none"
    if cost_ratio is None and speedup is not None and speedup.levels:
        tpot = next((c for c in speedup.levels[0].comparisons if c.metric == "mean_tpot_ms"), None)  # request mean
        mal = source.metrics.mean_acceptance_length
        if tpot and tpot.baseline and tpot.spec and mal:
            cost_ratio = cost_ratio_from_pair(tpot.spec, tpot.baseline, mal, source.counts.k)
            source_name = f"measured from the paired baseline ({speedup.levels[0].label})"
    return advise(source.metrics.conditional, source.counts.k, cost_ratio, source_name)


def _read_load(files: RunFiles) -> LoadRun | ParseError | None:
    """The phase's load results (None: no file; a ParseError kept, to be reported where it matters)."""
    if not os.path.isfile(files.load_results):
        return None
    try:
        return read_load_results(files.load_results)
    except ParseError as err:
        return err


def _load(run: LoadRun | ParseError | None, config: RunConfig | None, errors: list[str]) -> LoadSummary | None:
    """The load summary of one phase's results, with the request cap and duration of the speculative
    phase's run.json (`config`; the baseline's has none); a file that cannot be read is one line in
    `errors` and no summary (the acceptance numbers do not depend on it)."""
    if run is None:
        return None
    if isinstance(run, ParseError):
        errors.append(str(run))
        return None
    return load_summary(run, config.max_requests if config else None,
                        config.max_seconds if config else None, config is not None and config.max_seconds is not None)


def _config(files: RunFiles) -> RunConfig | None:
    try:
        manifest = read_manifest(files.manifest)
    except ParseError:
        return None  # the acceptance report already names a bad run.json
    return manifest.config if manifest is not None else None


def build_run_dir_report(run_dir: str, cost_ratio: float | None) -> RunDirReport:
    """The typed report of one run directory (see the module docstring)."""
    acceptance = build_report([run_dir], Window(), keep_series=True)
    files = RunFiles(run_dir)
    errors: list[str] = []
    spec_run, baseline_run, config = _read_load(files), _read_load(files.baseline), _config(files)
    load, baseline_load = _load(spec_run, config, errors), _load(baseline_run, config, errors)
    speedup = _speedup(files, spec_run, baseline_run)  # a bad load file there stays the one-line error it was
    return RunDirReport(speclens_version=__version__, run_dir=run_dir, acceptance=acceptance, load=load,
                        baseline_load=baseline_load, load_errors=errors, speedup=speedup,
                        advice=_advice(acceptance, speedup, cost_ratio))


def write_run_report(run_dir: str, out: str, cost_ratio: float | None, fmt: str = "md") -> list[str]:
    """Write the report (Markdown with its plots, or the JSON report); returns the files written."""
    from speclens.analyzers.atomic import check_output, write_atomic
    from speclens.analyzers.render.run_dir import RUN_DIR_RENDERERS, write_run_dir_markdown

    check_output(out)  # refused before anything is written
    report = build_run_dir_report(run_dir, cost_ratio)
    if fmt != "md":  # text or the JSON report: no plots
        write_atomic(out, RUN_DIR_RENDERERS[fmt](report))
        return [out]
    return write_run_dir_markdown(report, out)
