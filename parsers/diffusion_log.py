"""The vLLM log reader's records plus one `DiffusionInterval` per `DiffusionDecoding metrics:` line.

`read_log_records` is `parsers.vllm_log.read_vllm_log` with `parse_line_or_diffusion` as the
line reader: every other record is exactly what `read_vllm_log` yields (same lifetime, clock and
engine state, built by its `_record`); a diffusion line is placed with that same state (segment,
the latest `Engine NNN:` stats line's engine, the year-less clock) and marks the lifetime active,
so an engine start after it begins a new segment, as after a spec line.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator

from speclens.parsers.diffusion_line import DiffusionInterval, DiffusionLine
from speclens.parsers.log_line import SCAN_MARKERS, parse_line_or_diffusion
from speclens.parsers.log_scan import open_log, scan_lines
from speclens.parsers.records import LogRecord, TruncatedInput, UnparsedSpecLine
from speclens.parsers.vllm_log import _record, _SalvagingGzip, _State, drop_repeated_stats_lines


def _diffusion(lineno: int, line: DiffusionLine, state: _State) -> DiffusionInterval:
    state.active = True
    return DiffusionInterval(lineno, line.timestamp, state.clock.key_of_seconds(line.seconds), state.segment,
                             line.committed, line.denoising_steps, line.canvas_positions, line.committed_throughput,
                             line.steps_per_canvas, line.committed_per_step, state.engine)


def read_log_records(path: str, on_chunk: Callable[[bytes], None] | None = None,
                     every_stats_line: bool = True) -> Iterator[LogRecord | DiffusionInterval]:
    """The records of the log at `path` in file order, diffusion intervals included (see
    `parsers.vllm_log.read_vllm_log` for `on_chunk` and `every_stats_line`)."""
    state = _State()
    last = 0
    thin = None if every_stats_line else drop_repeated_stats_lines
    with open_log(path) as stream:
        source = _SalvagingGzip(stream) if isinstance(stream, gzip.GzipFile) else stream
        try:
            for lineno, line in scan_lines(source, SCAN_MARKERS, on_chunk, parse_line_or_diffusion, thin):  # type: ignore[arg-type]
                last = lineno
                if line is None:
                    yield UnparsedSpecLine(lineno, None, None, state.segment, "line longer than 1 MiB", "")
                elif type(line) is DiffusionLine:
                    yield _diffusion(lineno, line, state)
                else:
                    yield _record(lineno, line, state)  # type: ignore[arg-type]
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            yield TruncatedInput(last, None, None, state.segment, f"compressed stream ends early or is corrupt ({err})")
