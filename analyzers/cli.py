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

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Speculative-decoding acceptance and speedup from vLLM run directories, logs and /metrics scrapes.")


class Format(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"
    legacy = "legacy"


EXIT_BAD_INPUT = 2


@app.callback()
def _root() -> None:
    """speclens: exact speculative-decoding metrics from what vLLM leaves behind."""


@app.command()
def acceptance(
    paths: Annotated[list[str], typer.Argument(help="Run directories, vLLM logs (.gz too), or .prom scrapes "
                                               "(two consecutive .prom files = before/after pair).")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")] = None,
    since: Annotated[str | None, typer.Option(help="Only log lines at or after this time, 'MM-DD HH:MM:SS'.")] = None,
    until: Annotated[str | None, typer.Option(help="Only log lines at or before this time, 'MM-DD HH:MM:SS'.")] = None,
    skip_first: Annotated[int, typer.Option(min=0, help="Skip the first N spec lines of each server lifetime (warm-up).")] = 0,
    strict: Annotated[bool, typer.Option(help="Exit 2 when any spec-metrics line could not be read.")] = False,
) -> None:
    """Per-position, conditional and mean acceptance, from every source found.

    Examples: `speclens acceptance eval_results_20261122_101010/`,
    `speclens acceptance vllm.log.gz --skip-first 2 --format md -o report.md`,
    `speclens acceptance before.prom after.prom --format json`.
    """
    from analyzers.commands import run_acceptance

    sys.exit(run_acceptance(paths, fmt.value, output, since, until, skip_first, strict))


class SpeedupFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"


@app.command()
def speedup(
    baseline: Annotated[str, typer.Argument(help="Target-only run: a run directory or a guidellm result JSON.")],
    spec: Annotated[str, typer.Argument(help="Speculative run under the same load: run directory or guidellm JSON.")],
    fmt: Annotated[SpeedupFormat, typer.Option("--format", "-f", help="Output format.")] = SpeedupFormat.text,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")] = None,
    seed: Annotated[int, typer.Option(help="Bootstrap seed (same seed, same intervals).")] = 0,
    force: Annotated[bool, typer.Option(help="Give a verdict even when the two runs are not comparable.")] = False,
) -> None:
    """Speedup of SPEC over BASELINE per load level, with bootstrap 95% intervals and a verdict.

    Example: `speclens speedup eval_results_X/baseline eval_results_X`.
    """
    from analyzers.speedup_command import run_speedup

    sys.exit(run_speedup(baseline, spec, fmt.value, output, seed, force))


@app.command()
def compare(
    paths: Annotated[list[str], typer.Argument(help="Run directories (a directory holding run directories is expanded).")],
    fmt: Annotated[SpeedupFormat, typer.Option("--format", "-f", help="Output format.")] = SpeedupFormat.text,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")] = None,
    sort: Annotated[str | None, typer.Option(help="Sort by a column, e.g. mean_acceptance_length or -speedup.")] = None,
) -> None:
    """One row per run directory: model, method, k, dataset, load, acceptance, throughput, speedup.

    Example: `speclens compare eval_results_* --sort -mean_acceptance_length --format md`.
    """
    from analyzers.compare import run_compare

    sys.exit(run_compare(paths, fmt.value, output, sort))


@app.command()
def report(
    run_dir: Annotated[str, typer.Argument(help="A run directory (from run_eval.sh or with the same files), "
                                           "or a client result JSON (clients/).")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="Markdown file (default RUN_DIR/report.md); "
                                                "plots go to <name>_plots/ beside it.")] = None,
    cost_ratio: Annotated[float | None, typer.Option(help="Draft-token cost relative to a target step, for the "
                                                     "speedup model (default: measured from RUN_DIR/baseline).")] = None,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
) -> None:
    """Everything known about one run directory in one Markdown file with PNG plots.

    Example: `speclens report eval_results_20261122_101010`.
    """
    from analyzers.commands import run_report

    sys.exit(run_report(run_dir, output, cost_ratio, seed))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("speclens: interrupted\n")
        sys.exit(130)
    except Exception as err:  # the one boundary for internal errors
        if os.environ.get("SPECLENS_DEBUG"):
            raise
        sys.stderr.write(f"speclens: internal error: {type(err).__name__}: {err} (set SPECLENS_DEBUG=1 for a traceback)\n")
        sys.exit(70)


if __name__ == "__main__":
    main()
