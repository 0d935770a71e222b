"""The bodies of the CLI commands: input errors become one stderr line and exit 2."""

from __future__ import annotations

import sys

from analyzers.console import fail, print_rich, warn
from parsers.errors import ParseError
from parsers.timestamps import seconds_in_year

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _check_time(name: str, value: str | None) -> None:
    if value is not None and (len(value) != 14 or seconds_in_year(value) is None):
        raise ValueError(f"--{name} {value!r}: expected 'MM-DD HH:MM:SS' as vLLM prints it, e.g. '11-22 21:52:53'")


def run_acceptance(paths: list[str], fmt: str, output: str | None, since: str | None, until: str | None,
                   skip_first: int, strict: bool) -> int:
    from analyzers.acceptance import build_report
    from analyzers.atomic import OutputRefused, write_atomic
    from analyzers.render import RENDERERS, LegacyUnavailable
    from analyzers.report import Window

    try:
        _check_time("since", since)
        _check_time("until", until)
        report = build_report(paths, Window(since=since, until=until, skip_first=skip_first))
        text = None if fmt == "text" and output is None and sys.stdout.isatty() else RENDERERS[fmt](report)
        if output is not None:
            write_atomic(output, text or "", protected=[i.path for i in report.inputs])
        elif text is None:
            print_rich(report)
        else:
            sys.stdout.write(text)
    except (ParseError, LegacyUnavailable, OutputRefused, ValueError) as err:
        fail(str(err))
        return EXIT_BAD_INPUT
    except OSError as err:
        fail(f"{err.filename or ''}: {err.strerror or err}")
        return EXIT_BAD_INPUT
    unparsed = [t for t in report.targets if t.unparsed_spec_lines]
    for t in unparsed:
        warn(f"{t.unparsed_spec_lines} spec-metrics line(s) could not be read; first at {t.first_unparsed}")
    return EXIT_BAD_INPUT if strict and unparsed else EXIT_OK
