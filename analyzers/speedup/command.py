"""`speclens speedup BASELINE SPEC`: the command body (see `analyzers.speedup.report` for the math).

Each argument is a run directory (its load-driver JSON: `parsers.load_results.find_load_results`)
or a guidellm / vllm bench serve result JSON. Anything else is named for what it is
(`parsers.run_dir.detect`: "a vLLM server log; read it with `speclens acceptance`"), exit 2. A run's
run.json, server log and /metrics scrapes (its directory, or the folder of a result file that
holds them) describe its settings and whether it speculates (analyzers.speedup.comparability).

Exit status: 0 with a report, also when the runs are "not comparable" (the report says why);
2 when an input is unusable or no load level pairs up (one stderr line listing both runs' levels).
"""

from __future__ import annotations

import os

from speclens.analyzers.commands import EXIT_OK, emit, input_boundary
from speclens.analyzers.render.console import warn
from speclens.parsers.errors import ParseError
from speclens.parsers.run_dir import Detected, detect

USAGE = "speedup reads run directories, guidellm result JSON (0.2-0.8) and vllm bench serve --save-result JSON"


def _not_load_results(here: Detected) -> ParseError:
    path = here.path
    try:
        kind = here.what
    except OSError as err:
        return ParseError(path, None, f"cannot read the file ({err.strerror or err})", "check its permissions")
    if kind.kind == "run_json":
        return ParseError(path, None, f"{kind.description}, not a load-driver result",
                          f"pass its directory ({os.path.dirname(path) or '.'}) instead")
    return ParseError(path, None, f"{kind.description}, not a load-driver result", (
        f"read it with `{kind.reader}`; " if kind.reader else "") + USAGE)


def _load(path: str):  # noqa: ANN202 - (file, LoadRun, folder, other load-driver files not used)
    from speclens.parsers.json_file import read_json
    from speclens.parsers.load_results import find_load_results, load_driver, parse_load_results

    here = detect(path)
    if not here.exists:
        raise ParseError(path, None, "no such file or directory", "check the path")
    if here.is_dir:
        found = find_load_results(path)
        if found.run is None:
            if found.errors:
                raise found.errors[0]
            raise ParseError(path, None, "a directory holding no guidellm or vllm bench serve result JSON", (
                "it looks like a run directory: read it with `speclens acceptance` or `speclens report`; "
                if here.has_server_data else "") + USAGE)
        file, run, folder, unused = found.used, found.run, path, found.unused
    else:
        try:
            doc = read_json(path)
        except ParseError:
            raise _not_load_results(here) from None
        if load_driver(doc) is None:
            raise _not_load_results(here)
        file, run, unused = path, parse_load_results(path, doc), []
        parent = os.path.dirname(os.path.abspath(path))
        folder = parent if detect(parent).kind == "run_dir" else None  # its run.json, log, scrapes
    return file, run, folder, unused


@input_boundary
def run_speedup(baseline: str, spec: str, fmt: str, output: str | None, force: bool = False) -> int:
    from speclens.analyzers import __version__
    from speclens.analyzers.acceptance.models import InputFile, Notice
    from speclens.analyzers.speedup.comparability import run_context
    from speclens.analyzers.digest import file_digest
    from speclens.analyzers.render.speedup import SPEEDUP_RENDERERS, refusal_lines
    from speclens.analyzers.speedup.report import build_speedup

    loaded = [_load(baseline), _load(spec)]
    contexts = [run_context(run, folder) for _, run, folder, _ in loaded]
    files = [file for file, *_ in loaded]
    inputs = [InputFile(path=f, role="load_results", digest=file_digest(f), size_bytes=os.path.getsize(f)) for f in files]
    report = build_speedup(contexts[0], contexts[1], __version__, inputs, force)
    report.notices += [Notice(level="info", code="unused-load-results", message=(
        f"{os.path.dirname(file)} also holds load-driver results, not used: {', '.join(map(os.path.basename, unused))} "
        f"(used: {os.path.basename(file)}, the first by name)")) for file, _, _, unused in loaded if unused]
    if not report.levels:
        differ = [k.key for k in report.comparability.keys if k.status == "differs"]
        raise ValueError(f"no load level pairs up: baseline {files[0]} has [{', '.join(report.baseline.levels)}], "
                         f"spec {files[1]} has [{', '.join(report.spec.levels)}]; a speedup needs the same load "
                         "(strategy and rate/streams) in both runs" + (f" (they also differ in {', '.join(differ)})"
                                                                       if differ else ""))
    emit(SPEEDUP_RENDERERS[fmt](report), output, files)
    for line in refusal_lines(report)[:-1] if output else []:
        warn(line.replace("NOT COMPARABLE", "not comparable", 1))
    return EXIT_OK
