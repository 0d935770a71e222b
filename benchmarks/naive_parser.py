"""The "slow path" reference: a straightforward line-by-line regex parser, as users' scripts do it.

Reads every line, keeps the ones carrying `SpecDecoding metrics:`, and pulls Accepted, Drafted
and the per-position rates out with regexes. A new server lifetime (segment) starts at an
engine-initialization line (`LLM engine (v`) once the current one has spec lines. Prints JSON:
per segment, the number of spec lines and the Accepted/Drafted totals.

    python benchmarks/naive_parser.py vllm_server.log
"""

from __future__ import annotations

import gzip
import json
import re
import sys

SPEC = "SpecDecoding metrics:"
ENGINE_INIT = "LLM engine (v"
ACCEPTED_RE = re.compile(r"Accepted: (\d+) tokens")
DRAFTED_RE = re.compile(r"Drafted: (\d+) tokens")
PER_POS_RE = re.compile(r"Per-position acceptance rate: ([\d., ]+)")
MAL_RE = re.compile(r"Mean acceptance length: ([\d.]+)")


def parse(path: str) -> list[dict]:
    segments = [{"segment": 0, "spec_lines": 0, "accepted": 0, "drafted": 0, "per_position_rate_sum": []}]
    opener = gzip.open if path.endswith(".gz") else open  # a .gz log, as a user's script would read it
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if ENGINE_INIT in line:
                if segments[-1]["spec_lines"]:
                    segments.append({"segment": len(segments), "spec_lines": 0, "accepted": 0, "drafted": 0,
                                     "per_position_rate_sum": []})
                continue
            if SPEC not in line:
                continue
            message = line.split(SPEC, 1)[1]
            accepted = ACCEPTED_RE.search(message)
            drafted = DRAFTED_RE.search(message)
            if accepted is None or drafted is None:
                continue
            seg = segments[-1]
            seg["spec_lines"] += 1
            seg["accepted"] += int(accepted.group(1))
            seg["drafted"] += int(drafted.group(1))
            MAL_RE.search(message)
            per_pos = PER_POS_RE.search(message)
            if per_pos:
                rates = [float(x) for x in per_pos.group(1).strip(" ,").split(",")]
                sums = seg["per_position_rate_sum"]
                sums.extend([0.0] * (len(rates) - len(sums)))
                for i, rate in enumerate(rates):
                    sums[i] += rate
    return [s for s in segments if s["spec_lines"]]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: naive_parser.py LOG", file=sys.stderr)
        return 2
    json.dump({"segments": parse(args[0])}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
