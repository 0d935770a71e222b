"""The bodies of the CLI commands. One boundary (`input_boundary`) turns input errors into one
stderr line and exit 2; each command module owns its own body:
`run_acceptance`/`run_report` here, `analyzers.speedup.command.run_speedup`,
`analyzers.compare.table.run_compare`."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

from speclens.analyzers.render.console import StdoutError, fail, fit_text, print_rich, stdout_failed, warn
from speclens.base.streams import write_stdout  # a failure is a StdoutError, in order, not at exit
from speclens.parsers.errors import ParseError

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def input_errors(err: BaseException) -> int:
    """The one mapping from input errors to a stderr line (exit 2). ValueError covers
    OutputRefused, LegacyUnavailable and bad option values; a failed standard output is said as
    such (`console.stdout_failed`), an OSError with its path when it has one."""
    if isinstance(err, StdoutError):
        return stdout_failed(err)
    if isinstance(err, OSError) and not isinstance(err, ParseError):
        fail(f"{err.filename}: {err.strerror or err}" if err.filename else str(err.strerror or err))
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


def to_stdout(output: str | None) -> bool:
    """No -o, or `-o -`."""
    return output is None or output == "-"


def emit(text: str, output: str | None, protected: list[str]) -> None:
    """Write `text` to stdout (no -o, or `-o -`), or to `output` through the one -o guard
    (`analyzers.atomic.write_output`: never onto a `protected` input)."""
    from speclens.analyzers.atomic import write_output

    if to_stdout(output):
        write_stdout(text)
    else:
        write_output(output, text, protected=protected)


_EXTENSIONS = {".json": "json", ".md": "md", ".markdown": "md", ".csv": "csv", ".txt": "text", ".text": "text",
               ".parquet": "parquet", ".pq": "parquet"}
BINARY_FORMATS = ("parquet",)  # written to a file only (-o FILE), never to standard output
_COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".zip", ".tgz")


def output_format(fmt: str | None, output: str | None, choices: tuple[str, ...]) -> str:
    """The format to write: the one given, else the one `-o`'s extension names (.json, .md,
    .markdown, .csv, .txt, .text), else the first of `choices` (the command's default; also for
    `-` and names without an extension, such as /dev/stdout). Refuses a given format that the
    extension contradicts, an extension whose format this command does not write, a compressed
    name (nothing is compressed) and, without --format, an extension of no format."""
    ext = os.path.splitext(output or "")[1].lower()
    if ext in _COMPRESSED:
        plain = output[: -len(ext)] if output else ""
        raise ValueError(f"-o {output}: speclens does not compress its output; write {plain} and compress it, "
                         f"or pipe it: -o - | gzip > {output}")
    known = ", ".join(dict.fromkeys(e for e, f in _EXTENSIONS.items() if f in choices))
    implied = _EXTENSIONS.get(ext)
    if implied is not None and implied not in choices:
        raise ValueError(f"-o {output}: the extension {ext} means --format {implied}, which this command does not "
                         f"write (its formats: {', '.join(choices)}); use {known}")
    if (fmt or implied) in BINARY_FORMATS and to_stdout(output):
        raise ValueError(f"--format {fmt or implied} is binary and is not written to standard output; give -o "
                         f"FILE.{fmt or implied}")
    if fmt is None:
        if ext and implied is None:
            raise ValueError(f"-o {output}: no format has the extension {ext}; use {known} (or give --format to "
                             "write that format under this name)")
        return implied or choices[0]
    if implied is not None and fmt != implied and not (implied == "text" and fmt == "legacy"):
        raise ValueError(f"-o {output}: the extension {ext} means --format {implied}, but --format {fmt} was given; "
                         "make them agree (or use another extension)")
    return fmt


def format_or_exit(fmt: str | None, output: str | None, choices: tuple[str, ...], overwrite: bool = False) -> str:
    """A command's -o, --format and --overwrite: the format to write (`output_format`; its refusal
    is one stderr line and exit 2), with --overwrite given to the one -o guard. Text for standard
    output is fitted to the terminal when it is one (`console.fit_text`; render/fit.py)."""
    from speclens.analyzers.atomic import allow_overwrite

    allow_overwrite(overwrite)
    fit_text(to_stdout(output))
    try:
        return output_format(fmt, output, choices)
    except ValueError as err:
        sys.exit(input_errors(err))


@input_boundary
def run_acceptance(paths: list[str], fmt: str, output: str | None, since: str | None, until: str | None,
                   skip_first: int, strict: bool, segment: str | None = None) -> int:
    from speclens.analyzers.acceptance.report import build_report
    from speclens.analyzers.render import RENDERERS
    from speclens.analyzers.log.window import parse_window

    # several paths: one that cannot be read is listed in the report and named on stderr, the others reported
    report = build_report(paths, parse_window(since, until, skip_first, segment), keep_going=len(paths) > 1)
    unreadable = [t for t in report.targets if t.kind == "unreadable"]
    if len(unreadable) < len(report.targets):  # nothing to report when no input could be read
        if fmt == "text" and to_stdout(output) and sys.stdout.isatty():
            print_rich(report)
        else:
            emit(RENDERERS[fmt](report), output, [i.path for i in report.inputs])
    for t in unreadable:
        fail(t.notices[0].message)
    unparsed = [t for t in report.targets if t.unparsed_spec_lines]
    for t in unparsed:
        warn(f"{t.unparsed_spec_lines} spec-metrics line(s) could not be read; first at {t.first_unparsed}")
    empty = [t for t in report.targets if not t.sources and t.kind != "unreadable"]
    if strict:
        for t in empty:
            fail(f"{t.path}: no speculative-decoding data (--strict); see the notices in the report")
    return EXIT_BAD_INPUT if unreadable or strict and (unparsed or empty) else EXIT_OK


@input_boundary
def run_report(run_dir: str, output: str | None, cost_ratio: float | None, fmt: str = "md",
               force: bool = False) -> int:
    from speclens.analyzers.run_dir_report import build_run_dir_report, write_run_report
    from speclens.parsers.run_dir import detect

    here = detect(run_dir)
    if here.run is not None and fmt != "md" and output is None:  # text or JSON to stdout
        from speclens.analyzers.render.run_dir import RUN_DIR_RENDERERS

        emit(RUN_DIR_RENDERERS[fmt](build_run_dir_report(run_dir, cost_ratio, force)), None, [])
        return EXIT_OK
    if here.run is not None:
        written = write_run_report(run_dir, output or here.run.report, cost_ratio, fmt, force)
    elif here.exists and run_dir.endswith(".json"):
        from speclens.analyzers.client_results.report import render_client_result

        emit(render_client_result(run_dir, fmt), output, [run_dir])
        written = [] if to_stdout(output) else [output]
    else:
        raise ParseError(run_dir, None, "expected a run directory or a client result JSON")
    if written:
        sys.stderr.write("speclens: wrote " + ", ".join(written) + "\n")
    return EXIT_OK
