"""The bodies of the CLI commands: input errors become one stderr line and exit 2."""

from __future__ import annotations

import os
import sys

from analyzers.console import fail, print_rich, warn
from parsers.errors import ParseError
from parsers.timestamps import seconds_in_year

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def input_errors(err: BaseException) -> int | None:
    """The one mapping from input errors to a stderr line and exit 2 (None: not an input error).
    ValueError covers OutputRefused, LegacyUnavailable and bad option values."""
    if isinstance(err, (ParseError, ValueError)):
        fail(str(err))
        return EXIT_BAD_INPUT
    if isinstance(err, OSError):
        fail(f"{err.filename or ''}: {err.strerror or err}")
        return EXIT_BAD_INPUT
    return None


def _emit(text: str, output: str | None, protected: list[str]) -> None:
    from analyzers.atomic import write_atomic

    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text, protected=protected)


def _check_time(name: str, value: str | None) -> None:
    if value is not None and (len(value) != 14 or seconds_in_year(value) is None):
        raise ValueError(f"--{name} {value!r}: expected 'MM-DD HH:MM:SS' as vLLM prints it, e.g. '11-22 21:52:53'")


def run_acceptance(paths: list[str], fmt: str, output: str | None, since: str | None, until: str | None,
                   skip_first: int, strict: bool) -> int:
    from analyzers.acceptance import build_report
    from analyzers.atomic import write_atomic
    from analyzers.render import RENDERERS
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
    except (ParseError, ValueError, OSError) as err:
        return input_errors(err) or EXIT_BAD_INPUT
    unparsed = [t for t in report.targets if t.unparsed_spec_lines]
    for t in unparsed:
        warn(f"{t.unparsed_spec_lines} spec-metrics line(s) could not be read; first at {t.first_unparsed}")
    return EXIT_BAD_INPUT if strict and unparsed else EXIT_OK


def _load_run_path(path: str) -> str:
    import os

    if os.path.isdir(path):
        candidate = os.path.join(path, "guidellm_results.json")
        if not os.path.isfile(candidate):
            raise ParseError(path, None, "expected a run directory holding guidellm_results.json",
                             "point at a run directory or a guidellm result JSON file")
        return candidate
    if not os.path.exists(path):
        raise ParseError(path, None, "no such file or directory", "check the path")
    return path


def run_speedup(baseline: str, spec: str, fmt: str, output: str | None, seed: int) -> int:
    from analyzers import __version__
    from analyzers.inputs import file_sha256
    from analyzers.render.speedup import SPEEDUP_RENDERERS
    from analyzers.report import InputFile
    from analyzers.speedup import build_speedup
    from parsers.load_results import read_load_results

    try:
        files = [_load_run_path(baseline), _load_run_path(spec)]
        runs = [read_load_results(f) for f in files]
        inputs = [InputFile(path=f, role="load_results", sha256=file_sha256(f), size_bytes=os.path.getsize(f))
                  for f in files]
        _emit(SPEEDUP_RENDERERS[fmt](build_speedup(runs[0], runs[1], seed, __version__, inputs)), output, files)
    except (ParseError, ValueError, OSError) as err:
        return input_errors(err) or EXIT_BAD_INPUT
    return EXIT_OK


def _expand_run_dirs(paths: list[str]) -> list[str]:
    """Each PATH that is itself a run directory stays; a directory of run directories is expanded."""
    from analyzers.inputs import AFTER_NAME, LOG_NAMES

    markers = (*LOG_NAMES, AFTER_NAME, "guidellm_results.json", "run.json")
    out: list[str] = []
    for path in paths:
        if path.endswith(".json") and os.path.isfile(path):
            out.append(path)  # a client result JSON
            continue
        if not os.path.isdir(path):
            raise ParseError(path, None, "expected a run directory or a client result JSON",
                             "pass run directories, a folder of them, or files written by clients/")
        if any(os.path.exists(os.path.join(path, m)) for m in markers):
            out.append(path)
            continue
        children = sorted(os.path.join(path, c) for c in os.listdir(path) if os.path.isdir(os.path.join(path, c)))
        if not children:
            raise ParseError(path, None, "expected a run directory or a folder of run directories; it holds neither")
        out += children
    return out


def run_compare(paths: list[str], fmt: str, output: str | None, sort: str | None) -> int:
    from analyzers import __version__

    from analyzers.compare import CompareReport, compare_runs, sort_rows
    from analyzers.render.compare import COMPARE_RENDERERS

    try:
        rows = sort_rows(compare_runs(_expand_run_dirs(paths)), sort)
        _emit(COMPARE_RENDERERS[fmt](CompareReport(speclens_version=__version__, sort=sort, rows=rows)), output, [])
    except (ParseError, ValueError, OSError) as err:
        return input_errors(err) or EXIT_BAD_INPUT
    return EXIT_OK


def run_report(run_dir: str, output: str | None, cost_ratio: float | None, seed: int) -> int:

    from analyzers.run_report import write_run_report

    try:
        if run_dir.endswith(".json") and os.path.isfile(run_dir):
            from analyzers.client_report import client_markdown

            _emit(client_markdown(run_dir), output, [run_dir])
            if output is None:
                return EXIT_OK
            written = [output]
        elif not os.path.isdir(run_dir):
            raise ParseError(run_dir, None, "expected a run directory or a client result JSON")
        else:
            written = write_run_report(run_dir, output or os.path.join(run_dir, "report.md"), cost_ratio, seed)
    except (ParseError, ValueError, OSError) as err:
        return input_errors(err) or EXIT_BAD_INPUT
    sys.stderr.write("speclens: wrote " + ", ".join(written) + "\n")
    return EXIT_OK
