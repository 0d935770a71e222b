"""`speclens speedup BASELINE SPEC`: the command body (see `analyzers.speedup` for the math)."""

from __future__ import annotations

import os

from analyzers.commands import EXIT_OK, emit, input_boundary
from parsers.errors import ParseError


def _load_run_path(path: str) -> str:
    if os.path.isdir(path):
        candidate = os.path.join(path, "guidellm_results.json")
        if not os.path.isfile(candidate):
            raise ParseError(path, None, "expected a run directory holding guidellm_results.json",
                             "point at a run directory or a guidellm result JSON file")
        return candidate
    if not os.path.exists(path):
        raise ParseError(path, None, "no such file or directory", "check the path")
    return path


@input_boundary
def run_speedup(baseline: str, spec: str, fmt: str, output: str | None, seed: int, force: bool = False) -> int:
    from analyzers import __version__
    from analyzers.inputs import file_sha256
    from analyzers.render.speedup import SPEEDUP_RENDERERS
    from analyzers.report import InputFile
    from analyzers.speedup import build_speedup
    from parsers.load_results import read_load_results

    files = [_load_run_path(baseline), _load_run_path(spec)]
    runs = [read_load_results(f) for f in files]
    inputs = [InputFile(path=f, role="load_results", sha256=file_sha256(f), size_bytes=os.path.getsize(f))
              for f in files]
    emit(SPEEDUP_RENDERERS[fmt](build_speedup(runs[0], runs[1], seed, __version__, inputs)), output, files)
    return EXIT_OK
