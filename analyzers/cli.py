"""The `speclens` command line: thin commands over the analyzers, one error boundary.

Bad input → one line on stderr (`speclens: error: FILE:LINE: what was expected; how to fix`),
exit 2, no traceback. Set SPECLENS_DEBUG=1 to see tracebacks of internal errors.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated

import typer
from speclens.analyzers.compare.keys import SORT_KEYS
from speclens.analyzers.formats import ACCEPTANCE_FORMATS, COMPARE_FORMATS, REPORT_FORMATS, SPEEDUP_FORMATS, SWEEP_FORMATS
from speclens.analyzers.acceptance.mal_formula import per_source as mal_per_source
from typer.core import TyperArgument


def _argument_usage(self: TyperArgument) -> str:
    """`PATH...` / `RUN` in usage lines, as click prints them (Typer writes `{PATH}...`)."""
    return (self.metavar or self.name.upper()) + ("..." if self.nargs != 1 else "")


# Arguments carry a metavar that says what they are (PATH, RUN): Typer would add a Python type
# (`<list[str]>`) beside it and wrap it in braces in the usage line.
TyperArgument.display_type_rich = lambda self, ctx: None if self.metavar else TyperArgument.display_type(self, ctx)
TyperArgument._usage_display_name = _argument_usage

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Speculative-decoding acceptance and speedup from vLLM run directories, logs, /metrics "
                       "scrapes and load-driver results. Formulas: docs/metrics.md.")


# --format choices: the renderer registries' keys (analyzers.formats; tests/test_cli_outputs.py checks them)
Format = Enum("Format", {name: name for name in ACCEPTANCE_FORMATS}, type=str)
SpeedupFormat = Enum("SpeedupFormat", {name: name for name in SPEEDUP_FORMATS}, type=str)
CompareFormat = Enum("CompareFormat", {name: name for name in COMPARE_FORMATS}, type=str)
ReportFormat = Enum("ReportFormat", {name: name for name in REPORT_FORMATS}, type=str)
SweepFormat = Enum("SweepFormat", {name: name for name in SWEEP_FORMATS}, type=str)
SweepPrimary = Enum("SweepPrimary", {name: name for name in ("output_throughput", "per_request_speed")}, type=str)
RequestsFormat = Enum("RequestsFormat", {name: name for name in ("csv", "parquet")}, type=str)


FORMAT_HELP = "Output format (default: text, or what the -o extension says: .json .md .csv .txt)."
SEED_HELP = "Ignored (kept for old scripts): the intervals are computed exactly, without resampling."
OUTPUT_HELP = ("Write here instead of stdout ('-' is stdout): atomically into a regular file (a symlink is written "
               "through), as it is into a pipe, a terminal or /dev/stdout. Never onto a file this command reads or the "
               "raw data of an input run directory; an existing file only when it is an earlier output of the same kind "
               "(see --overwrite). The extension picks the format (.json .md .csv .txt); another one needs --format; "
               ".gz is refused (nothing is compressed).")
OVERWRITE_HELP = ("Replace an existing -o file that is not an earlier output of this command and format (one is "
                  "recognised by its first line, or by a JSON report's 'tool'; it is replaced without this flag). "
                  "Never an input of the command or a raw file of an input run directory.")
Overwrite = Annotated[bool, typer.Option("--overwrite", help=OVERWRITE_HELP)]


def _version(value: bool) -> None:
    if value:
        from speclens.analyzers import __version__  # importlib.metadata: only when asked

        sys.stdout.write(f"speclens {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """speclens: exact speculative-decoding metrics from what vLLM leaves behind."""


ACCEPTANCE_HELP = f"""Per-position, conditional and mean acceptance, from every source found.

Sources: /metrics before/after deltas (exact counters, primary when present), the server log's
SpecDecoding/Speculative metrics lines (integers recovered from the rounded rates), one scrape (since
server start), vllm bench serve's spec_decode counts. Formulas (docs/metrics.md):
{mal_per_source()}; per-position = accepted at i / drafts; conditional = PP_i / PP_i-1; draft acceptance
rate = accepted / draft tokens. Each report names the formula of each source.

Examples: `speclens acceptance eval_results_20261122_101010/`,
`speclens acceptance vllm.log.gz --skip-first 2 -o report.md`,
`speclens acceptance before.prom after.prom --format json`.
"""


@app.command(help=ACCEPTANCE_HELP)  # its formula words are analyzers.acceptance.mal_formula's, as every report's
def acceptance(
    paths: Annotated[list[str], typer.Argument(metavar="PATH", help=(
        "Run directories, vLLM server logs (.gz too), /metrics scrapes (two in a row = before/after pair), "
        "`vllm bench serve` result JSON or console output, a guidellm JSON or raw responses (JSON, JSON Lines) with "
        "vLLM's per-request spec-decode metrics."))],
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help=FORMAT_HELP + " legacy: "
                                               "the old acceptance_analysis.txt layout.")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=OUTPUT_HELP)] = None,
    overwrite: Overwrite = False,
    since: Annotated[str | None, typer.Option(metavar="TIME", help=(
        "Only log lines at or after TIME: 'MM-DD HH:MM:SS' as vLLM prints it, or ISO 8601 ('2026-11-22T22:45:04Z', "
        "'2026-11-22 22:45:04'). A bound is placed nearest the log's own span; in a run directory the default "
        "window is the run's own, from run.json."))] = None,
    until: Annotated[str | None, typer.Option(metavar="TIME", help="Only log lines at or before TIME (as --since).")] = None,
    skip_first: Annotated[int, typer.Option(min=0, metavar="N", help=(
        "Skip the first N spec lines of each server lifetime (warm-up)."))] = 0,
    segment: Annotated[str | None, typer.Option(metavar="N|all", help=(
        "Which server lifetime of a log to report: N (0 = the first in the file) or 'all'. Default: every lifetime, "
        "and for --format legacy the primary one (the last with data), labelled when there are others."))] = None,
    strict: Annotated[bool, typer.Option("--strict", help=(
        "Exit 2 when a spec-metrics line could not be read or a PATH has no speculative-decoding data."))] = False,
) -> None:
    from speclens.analyzers.commands import format_or_exit, run_acceptance

    chosen = format_or_exit(fmt.value if fmt else None, output, tuple(Format.__members__), overwrite)
    sys.exit(run_acceptance(paths, chosen, output, since, until, skip_first, strict, segment))


@app.command()
def speedup(
    baseline: Annotated[str, typer.Argument(metavar="BASELINE", help=(
        "Target-only run: a run directory, a guidellm result JSON (0.2-0.8) or a vllm bench serve JSON."))],
    spec: Annotated[str, typer.Argument(metavar="SPEC", help="The speculative run under the same load (same kinds).")],
    fmt: Annotated[SpeedupFormat | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=OUTPUT_HELP)] = None,
    overwrite: Overwrite = False,
    seed: Annotated[int | None, typer.Option(metavar="N", hidden=True, help=SEED_HELP)] = None,
    force: Annotated[bool, typer.Option("--force", help=(
        "Give a verdict even when the two runs are not comparable or the spec run never speculated (the reasons "
        "stay in the output)."))] = False,
) -> None:
    """Speedup of SPEC over BASELINE per load level, with 95% intervals and a verdict.

    Reads run directories, guidellm result JSON (0.2-0.8) and `vllm bench serve --save-result`
    JSON (with or without --save-detailed). Levels pair by load (strategy and rate/streams). Each
    level's verdict is decided by output_throughput (system output tokens / benchmark duration,
    what guidellm and vllm bench report); request_output_tps (mean per-request speed) and the
    request means of TTFT, TPOT, ITL and latency are shown beside it. Intervals: batch means in
    time for throughput, over requests for request means (docs/metrics.md). Runs
    that differ in model, prompt/output tokens, max tokens, temperature or endpoint, and levels
    whose loads differ, and a spec run that counted 0 drafts, get "not comparable" with no ratio
    (exit 0) unless --force; no pairable level exits 2
    listing both runs' levels.

    Example: `speclens speedup eval_results_X/baseline eval_results_X`.
    """
    from speclens.analyzers.commands import format_or_exit
    from speclens.analyzers.speedup.command import run_speedup

    chosen = format_or_exit(fmt.value if fmt else None, output, tuple(SpeedupFormat.__members__), overwrite)
    sys.exit(run_speedup(baseline, spec, chosen, output, force))


@app.command()
def compare(
    paths: Annotated[list[str], typer.Argument(metavar="PATH", help=(
        "Run directories, folders of them (searched; DIR/baseline belongs to DIR; folders with nothing readable "
        "are listed as skipped), client result JSONs (clients/), load-driver JSONs (guidellm / vllm bench serve, "
        "any name), vLLM logs."))],
    fmt: Annotated[CompareFormat | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=OUTPUT_HELP)] = None,
    overwrite: Overwrite = False,
    sort: Annotated[str | None, typer.Option(metavar="KEY", help=(
        "Sort by a column: " + ", ".join(SORT_KEYS) + ". A leading - sorts descending (-speedup); n/a sorts last "
        "either way; per_position and conditional compare element by element; `--sort help` lists the keys."))] = None,
    force: Annotated[bool, typer.Option("--force", help=(
        "Give the speedup over DIR/baseline even when the pair is not comparable or the spec run never speculated "
        "(as speedup --force; the reasons stay in the notes)."))] = False,
    category: Annotated[str | None, typer.Option("--category", metavar="NAME", help=(
        "Keep only the rows of this category: the cells of multi-phase runs (RUN/cells/<id>/, one row each) "
        "that ran it; plain runs have no category."))] = None,
) -> None:
    """One row per run: model, method, k, dataset, load, acceptance, throughput, speedup.

    Acceptance is the primary source of `speclens acceptance`; output throughput = sum of output
    tokens / benchmark duration of the first benchmark (system tok/s); per-request tok/s = mean of
    request speeds; speedup = output throughput / DIR/baseline's at the same load, with speedup's
    verdict (n/a and why when speedup gives none, unless --force). An unreadable input is reported,
    the other rows are still printed, and the exit status is 2.

    Example: `speclens compare eval_results_* --sort -mean_acceptance_length --format md`.
    """
    from speclens.analyzers.commands import format_or_exit
    from speclens.analyzers.compare.table import run_compare

    chosen = format_or_exit(fmt.value if fmt else None, output, tuple(CompareFormat.__members__), overwrite)
    sys.exit(run_compare(paths, chosen, output, sort, force, category))


@app.command()
def report(
    run_dir: Annotated[str, typer.Argument(metavar="RUN", help=(
        "A run directory (from run_eval.sh or with the same files), or a client result JSON (clients/)."))],
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=(
        "Markdown file (default RUN/report.md); plots go to <name>_plots/ beside it; '-' (stdout), a pipe or "
        "/dev/stdout gets the Markdown without plots. Overwrites as --overwrite says."))] = None,
    overwrite: Overwrite = False,
    fmt: Annotated[ReportFormat | None, typer.Option("--format", "-f", help=(
        "md (default: RUN/report.md with plots), text or json (the typed report, to stdout or -o; "
        "`speclens render` reads it back). A client result JSON: md (default), text or json, to stdout unless "
        "-o."))] = None,
    cost_ratio: Annotated[float | None, typer.Option(metavar="C", help=(
        "Draft-token cost relative to a target step, for the speedup model: a finite number > 0 (default: "
        "measured from RUN/baseline when that pair is comparable)."))] = None,
    seed: Annotated[int | None, typer.Option(metavar="N", hidden=True, help=SEED_HELP)] = None,
    force: Annotated[bool, typer.Option("--force", help=(
        "Give the speedup over RUN/baseline, and measure the cost ratio from it, even when the pair is not "
        "comparable or the spec run never speculated (as speedup --force; the reasons stay in the report)."))] = False,
) -> None:
    """Everything known about one run directory in one Markdown file with PNG plots.

    Acceptance tables, what the load driver measured (output throughput, per-request speed,
    TTFT/ITL/TPOT/latency percentiles, request counts and errors), per-position and conditional
    plots, acceptance length per log interval, speedup vs load (with RUN/baseline), advice on k and
    anomaly checks.

    Example: `speclens report eval_results_20261122_101010`.
    """
    from speclens.analyzers.commands import format_or_exit, run_report

    chosen = format_or_exit(fmt.value if fmt else None, output, tuple(ReportFormat.__members__), overwrite)
    sys.exit(run_report(run_dir, output, cost_ratio, chosen, force))


@app.command()
def sweep(
    run_dir: Annotated[str, typer.Argument(metavar="RUN", help=(
        "A sweep run directory: its run.json lists the k x load grid in `cells`, each cell a run directory "
        "under RUN/cells/<id>/."))],
    fmt: Annotated[SweepFormat | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=OUTPUT_HELP + (
        " Markdown to a file also writes three PNG plots next to it (FILE's name + _acceptance_vs_k.png, "
        "_speedup_vs_load.png, _speedup_heatmap.png)."))] = None,
    overwrite: Overwrite = False,
    primary: Annotated[SweepPrimary, typer.Option("--primary", help=(
        "The metric that picks the best k per load and the break-even load: output_throughput (system "
        "output tokens / benchmark window) or per_request_speed (mean of each request's tokens / latency)."))]
    = SweepPrimary.output_throughput,  # type: ignore[attr-defined]
) -> None:
    """Which k at which load: acceptance per k beside the chain model, speedup per k and load with
    95% intervals, the best k per load (ties reported as ties) and the break-even load.

    Reads whatever cells exist (missing or failed cells are listed, not fatal): each spec cell is
    compared with the baseline cell of the same load and category, exactly as `speclens speedup`.

    Example: `speclens sweep eval_results_20261207_101010 --format md -o sweep.md`.
    """
    from speclens.analyzers.commands import format_or_exit
    from speclens.analyzers.sweep.command import run_sweep

    chosen = format_or_exit(fmt.value if fmt else None, output, tuple(SweepFormat.__members__), overwrite)
    sys.exit(run_sweep(run_dir, chosen, output, primary.value))


@app.command()
def profile(
    path: Annotated[str, typer.Argument(metavar="RUN", help=(
        "A run directory, or one file `speclens acceptance` reads (a vLLM log, a guidellm or raw-responses JSON "
        "with per-request spec-decode metrics, ...)."))],
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=OUTPUT_HELP)] = None,
    overwrite: Overwrite = False,
) -> None:
    """The run's acceptance as NVIDIA Model-Optimizer specdec_bench's speculation_profile.json.

    Schema "1.0" field names (conditional_accept_rates, marginal_accept_rates, mean_accept_length,
    mean_accept_length_per_request, accept_length_by_k, acceptance_length_histogram, per_category,
    measurement_conditions, validation) and specdec_bench's conventions (acceptance length counts
    the bonus token). From the per-request histograms when the run has them, else from the /metrics
    counters or log (histogram null, said in measurement_conditions.notes). JSON to stdout or -o.

    Example: `speclens profile eval_results_20261122_101010 -o speculation_profile.json`.
    """
    from speclens.analyzers.commands import format_or_exit
    from speclens.analyzers.profile.command import run_profile

    format_or_exit(None, output, ("json",), overwrite)
    sys.exit(run_profile(path, output))


@app.command()
def render(
    report_json: Annotated[str, typer.Argument(metavar="REPORT.json", help=(
        "A JSON report written by `speclens acceptance|speedup|compare|report --format json`."))],
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help=(
        "Output format (default: text, or what the -o extension says); legacy for acceptance reports only."))] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=OUTPUT_HELP)] = None,
    overwrite: Overwrite = False,
) -> None:
    """Re-render a saved JSON report in another format, without re-reading its inputs.

    The report is validated against the typed model of its schema version first; a report of
    another schema version is refused with the versions this speclens reads.

    Example: `speclens render run/acceptance.json --format md -o run/acceptance.md`.
    """
    from speclens.analyzers.commands import format_or_exit
    from speclens.analyzers.render.command import run_render

    chosen = format_or_exit(fmt.value if fmt else None, output, tuple(Format.__members__), overwrite)
    sys.exit(run_render(report_json, chosen, output))


@app.command()
def requests(
    runs: Annotated[list[str], typer.Argument(metavar="RUN", help=(
        "Run directories (their cells and baseline/ too), guidellm result JSONs, or raw OpenAI responses "
        "(JSON, JSON array or JSON Lines) carrying vLLM's per-request metrics."))],
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help=(
        "requests.parquet (histogram as a list column) or requests.csv (hist_0..hist_K columns); default and '-': "
        "CSV on stdout. Never onto an input; atomic; an existing file only when it is an earlier request table "
        "of the same format (see --overwrite)."))] = None,
    fmt: Annotated[RequestsFormat | None, typer.Option("--format", "-f", help=(
        "csv or parquet (default: what the -o extension says, else csv)."))] = None,
    overwrite: Overwrite = False,
) -> None:
    """One row per request: run, cell, category, tokens, latency, TTFT, ITL, acceptance counts and histogram.

    Columns and units: analyzers/requests_table/table.py (and `help(speclens.RunData)`). Requests without
    per-request spec-decode metrics (a baseline, a server without --per-request-spec-decode-metrics) keep
    null acceptance columns.

    Example: `speclens requests eval_results_X -o requests.parquet`.
    """
    from speclens.analyzers.atomic import allow_overwrite
    from speclens.analyzers.commands import input_errors
    from speclens.analyzers.requests_table.command import requests_format, run_requests

    allow_overwrite(overwrite)
    try:
        chosen = requests_format(fmt.value if fmt else None, output)
    except ValueError as err:
        sys.exit(input_errors(err))
    sys.exit(run_requests(runs, chosen, output))


def main() -> None:
    from speclens.analyzers.render.console import StdoutError, guard_stdout, stdout_failed

    guard_stdout()  # a closed or full stdout is one line (StdoutError), for every command
    try:
        try:
            app(prog_name="speclens")
        finally:
            sys.stdout.flush()  # what is still buffered fails here, not silently at exit
    except StdoutError as err:
        sys.exit(stdout_failed(err))
    except KeyboardInterrupt:
        sys.stderr.write("speclens: interrupted\n")
        sys.exit(130)
    except ModuleNotFoundError as err:  # one line naming the pip extra that provides it (base/extras.py)
        from speclens.base.extras import exit_code_for_missing

        sys.exit(exit_code_for_missing("speclens", err))
    except Exception as err:  # the one boundary for internal errors
        if os.environ.get("SPECLENS_DEBUG"):
            raise
        sys.stderr.write(f"speclens: internal error: {type(err).__name__}: {err} (set SPECLENS_DEBUG=1 for a traceback)\n")
        sys.exit(70)


if __name__ == "__main__":
    main()
