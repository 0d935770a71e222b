"""`speclens sweep RUN_DIR`: the command body (the math: analyzers.sweep.build and its modules).

Writes the report to stdout or -o (the one -o guard, analyzers.atomic); Markdown written to a file
also gets the three PNG plots next to it (analyzers.render.sweep_plots). Missing and failed cells
are listed in the report; bad input is one stderr line and exit 2 (commands.input_boundary).
"""

from __future__ import annotations

import os
import sys

from speclens.analyzers.commands import EXIT_OK, emit, input_boundary, to_stdout

PRIMARIES = ("output_throughput", "per_request_speed")


@input_boundary
def run_sweep(run_dir: str, fmt: str, output: str | None, primary: str = "output_throughput") -> int:
    from speclens.analyzers import __version__
    from speclens.analyzers.render.sweep import SWEEP_RENDERERS
    from speclens.analyzers.sweep.build import build_sweep

    if primary not in PRIMARIES:
        raise ValueError(f"--primary {primary}: expected one of {', '.join(PRIMARIES)}")
    if not os.path.isdir(run_dir):
        raise FileNotFoundError(2, "no such run directory", run_dir)
    report = build_sweep(run_dir, primary, __version__)
    emit(SWEEP_RENDERERS[fmt](report), output, [os.path.join(run_dir, "run.json")])
    if fmt == "md" and not to_stdout(output):
        from speclens.analyzers.render.sweep_plots import write_plots

        written = write_plots(report, output)  # type: ignore[arg-type]
        sys.stderr.write("speclens: wrote " + ", ".join([output, *written]) + "\n")  # type: ignore[list-item]
    return EXIT_OK
