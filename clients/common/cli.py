"""What every client's command line shares: common flags, the error boundary (one stderr line,
exit 2, no traceback), a rich progress bar that is off when stderr is not a terminal, and the
atomic, non-clobbering result writer."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from speclens.clients.common.http import ServerError
from speclens.base.extras import exit_code_for_missing
from speclens.parsers.errors import ParseError

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """Bad flags or input files (one-line message)."""


def add_common_flags(parser: argparse.ArgumentParser, default_output: str, timeout: float = 120.0,
                     timeout_help: str = "", output_help: str = "") -> None:
    """--seed, --api-key, --timeout, --output, --overwrite (`timeout`, and the two help texts when
    given, are the client's own)."""
    parser.add_argument("--seed", type=int, default=0, 
                        help="seed for sampling problems and client-side draws (default 0)")
    parser.add_argument("--api-key", default=None, 
                        help="bearer token (default: $VLLM_API_KEY); never written to the JSON")
    parser.add_argument("--timeout", type=float, default=timeout,
                        help=timeout_help or f"seconds allowed per HTTP request (default {timeout:g})")
    parser.add_argument("--output", "-o", default=None, help=output_help or (
        f"result JSON path (default: {default_output}_<timestamp>.json in the current directory)"))
    parser.add_argument("--overwrite", action="store_true", help="replace an existing result file")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def output_path(given: str | None, stem: str) -> str:
    return given or f"{stem}_{time.strftime('%Y%m%d_%H%M%S')}.json"


def check_output(path: str, overwrite: bool) -> None:
    """Fail before any work when the result could not be written."""
    if os.path.exists(path) and not overwrite:
        raise UsageError(f"{path} already exists; pass --overwrite or choose another --output")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{path}: directory {directory} does not exist")


def write_result(path: str, data: dict[str, Any], overwrite: bool) -> None:
    """Write JSON atomically through the one writer (speclens.analyzers.atomic); without
    `overwrite` a file created meanwhile is never replaced."""
    from speclens.base.atomic import OutputExists, write_atomic

    try:
        write_atomic(path, json.dumps(data, indent=2, allow_nan=False) + "\n", replace=overwrite)
    except OutputExists:
        raise UsageError(f"{path} already exists; pass --overwrite or choose another --output") from None


def make_progress(console: Console | None = None) -> Progress:
    """A progress bar on stderr; disabled when stderr is not a TTY."""
    err = console or Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.fields[status]}"), console=err, disable=not sys.stderr.isatty(),
                    transient=False)


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def run_main(work: Callable[[argparse.Namespace], Coroutine[Any, Any, int]], parser: argparse.ArgumentParser,
             argv: list[str] | None) -> int:
    """Parse, run the async work, and turn every expected failure into one stderr line + exit 2
    (a server answer missing expected fields included; SPECLENS_DEBUG=1 re-raises those)."""
    args = parser.parse_args(argv)
    prog = parser.prog
    try:
        return asyncio.run(work(args))
    except (UsageError, ServerError, ParseError) as err:
        sys.stderr.write(f"{prog}: error: {err}\n")
        return EXIT_BAD_INPUT
    except (KeyError, IndexError, TypeError) as err:
        if os.environ.get("SPECLENS_DEBUG") == "1":
            raise
        sys.stderr.write(f"{prog}: error: unexpected answer shape from a server ({type(err).__name__}: {err}); "
                         "is it vLLM's OpenAI-compatible API? SPECLENS_DEBUG=1 shows the traceback\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    except ModuleNotFoundError as err:  # an optional package (torch, datasets...): one line naming its extra
        return exit_code_for_missing(prog, err)


def fmt(value: float | None, spec: str = ".2f", suffix: str = "") -> str:
    """A number for the console, or n/a when undefined."""
    return "n/a" if value is None else f"{value:{spec}}{suffix}"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
