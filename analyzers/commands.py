"""The bodies of the CLI commands. One boundary (`input_boundary`) turns input errors into one
stderr line and exit 2; each command module owns its own body:
`run_acceptance`/`run_report` here, `analyzers.speedup_command.run_speedup`,
`analyzers.compare.run_compare`."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

from speclens.analyzers.console import fail, print_rich, warn
from speclens.parsers.errors import ParseError

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def input_errors(err: BaseException) -> int:
    """The one mapping from input errors to a stderr line (exit 2). ValueError covers
    OutputRefused, LegacyUnavailable and bad option values."""
    if isinstance(err, OSError) and not isinstance(err, ParseError):
        fail(f"{err.filename or ''}: {err.strerror or err}")
    else:
        fail(str(err))
    return EXIT_BAD_INPUT


def input_boundary(body: Callable[..., int]) -> Callable[..., int]:
    """Run a command body; ParseError, ValueError and OSError become one stderr line and exit 2."""

    @functools.wraps(body)
    def wrapper(*args: object, **kwargs: object) -> int:
        try:
            return body(*args, **kwargs)
        except (ParseError, ValueError, OSError) as err:
            return input_errors(err)

    return wrapper


def emit(text: str, output: str | None, protected: list[str]) -> None:
    """Write `text` to stdout, or atomically to `output` (never onto a `protected` input)."""
    from speclens.analyzers.atomic import write_atomic

    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text, protected=protected)


_EXTENSIONS = {".json": "json", ".md": "md", ".markdown": "md", ".csv": "csv", ".txt": "text", ".text": "text"}


def output_format(fmt: str | None, output: str | None, choices: tuple[str, ...]) -> str:
    """The format to write: the one given, else the one `-o`'s extension names (.json, .md, .csv,
    .txt), else the first of `choices` (the command's default). Refuses a given format that the
    extension contradicts."""
    ext = os.path.splitext(output or "")[1].lower()
    implied = _EXTENSIONS.get(ext)
    if implied is not None and implied not in choices:
        implied = None
    if fmt is None:
        return implied or choices[0]
    if implied is not None and fmt != implied and not (implied == "text" and fmt == "legacy"):
        raise ValueError(f"-o {output}: the extension {ext} means --format {implied}, but --format {fmt} was given; "
                         "make them agree (or use another extension)")
    return fmt


def format_or_exit(fmt: str | None, output: str | None, choices: tuple[str, ...]) -> str:
    """`output_format`, with its refusal printed as one stderr line and exit 2."""
    try:
        return output_format(fmt, output, choices)
    except ValueError as err:
        sys.exit(input_errors(err))


@input_boundary
def run_acceptance(paths: list[str], fmt: str, output: str | None, since: str | None, until: str | None,
                   skip_first: int, strict: bool, segment: str | None = None) -> int:
    from speclens.analyzers.acceptance import build_report
    from speclens.analyzers.atomic import write_atomic
    from speclens.analyzers.render import RENDERERS
    from speclens.analyzers.window import parse_window

    report = build_report(paths, parse_window(since, until, skip_first, segment))
    text = None if fmt == "text" and output is None and sys.stdout.isatty() else RENDERERS[fmt](report)
    if output is not None:
        write_atomic(output, text or "", protected=[i.path for i in report.inputs])
    elif text is None:
        print_rich(report)
    else:
        sys.stdout.write(text)
    unparsed = [t for t in report.targets if t.unparsed_spec_lines]
    for t in unparsed:
        warn(f"{t.unparsed_spec_lines} spec-metrics line(s) could not be read; first at {t.first_unparsed}")
    empty = [t for t in report.targets if not t.sources]
    if strict:
        for t in empty:
            fail(f"{t.path}: no speculative-decoding data (--strict); see the notices in the report")
    return EXIT_BAD_INPUT if strict and (unparsed or empty) else EXIT_OK


@input_boundary
def run_report(run_dir: str, output: str | None, cost_ratio: float | None, fmt: str = "md") -> int:
    from speclens.analyzers.run_dir_report import build_run_dir_report, write_run_report
    from speclens.parsers.run_dir import detect

    here = detect(run_dir)
    if here.run is not None and fmt != "md" and output is None:  # text or JSON to stdout
        from speclens.analyzers.render.run_dir import RUN_DIR_RENDERERS

        emit(RUN_DIR_RENDERERS[fmt](build_run_dir_report(run_dir, cost_ratio)), None, [])
        return EXIT_OK
    if here.run is not None:
        written = write_run_report(run_dir, output or here.run.report, cost_ratio, fmt)
    elif here.exists and run_dir.endswith(".json"):
        from speclens.analyzers.client_result_report import client_markdown

        emit(client_markdown(run_dir), output, [run_dir])
        if output is None:
            return EXIT_OK
        written = [output]
    else:
        raise ParseError(run_dir, None, "expected a run directory or a client result JSON")
    sys.stderr.write("speclens: wrote " + ", ".join(written) + "\n")
    return EXIT_OK
