"""A Hugging Face dataset ID as one local .json/.jsonl file, through huggingface_hub's own
download and cache code, and the prompt column of such a file.

usage:
  python launchers/fetch_dataset.py ORG/NAME[:FILE]          (prints the local path)
  python launchers/fetch_dataset.py --column FILE [NAME]     (prints the prompt column)

ORG/NAME: without `:FILE`, the first .json/.jsonl file of the repository in path order (the original run_eval.sh's
rule: "first data file (.json/.jsonl) is used automatically"; `HumanEval.jsonl` sorts before
`math_reasoning.jsonl`); `:FILE` names one (its path in the repository). Only that file is
downloaded. When the hub is reachable the file list comes from the hub and the file through
`hf_hub_download`; when it is not (HF_HUB_OFFLINE=1, or a 3-second probe fails) the cached
snapshot (HF_HUB_CACHE / HF_HOME; refs/main) is used, so a laid-out cache works offline. Neither:
one line naming the ID and the cache folder looked in, exit 2.

--column: NAME must be a key of the first record; without NAME the first key guidellm's
generative column mapper would take as text (prompt, instruction, question, input, context,
content, conversation, turn, text, each also with an s/es plural or a _N turn suffix), else exit 2
listing the keys and asking for --data-column.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable

from speclens.base.hub import hub_available, not_available

TEXT_COLUMNS = ("prompt", "instruction", "question", "input", "context", "content", "conversation", "turn", "text")
_DATA_SUFFIXES = (".json", ".jsonl")


class DatasetError(Exception):
    """One line for stderr."""


def _choose(spec: str, files: list[str], wanted: str) -> str:
    data = sorted(f for f in files if f.endswith(_DATA_SUFFIXES))
    if wanted:
        if wanted not in files:
            raise DatasetError(f"dataset {spec}: no file {wanted!r} in the repository; its .json/.jsonl files: "
                               + (", ".join(data) or "none"))
        return wanted
    if not data:
        raise DatasetError(f"dataset {spec}: no .json/.jsonl file in the repository (files: {', '.join(sorted(files)) or 'none'})")
    return data[0]


def _offline(spec: str, repo: str, wanted: str) -> str:
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(repo, repo_type="dataset", local_files_only=True)
    except Exception:  # noqa: BLE001 - LocalEntryNotFoundError and kin: not cached
        raise DatasetError(not_available("dataset", repo, "dataset")) from None
    files = [os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs]
    chosen = _choose(spec, files, wanted)
    path = os.path.join(folder, chosen)
    if not os.path.isfile(path):  # a dangling symlink: the blob was never downloaded
        raise DatasetError(not_available("dataset", f"{repo}:{chosen}", "dataset"))
    return path


def fetch(spec: str) -> str:
    repo, _, wanted = spec.partition(":")
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise DatasetError(f"dataset {spec!r}: expected emulated, a local .json/.jsonl/.txt file, or a Hugging Face "
                           "ID ORG/NAME[:FILE]")
    if not hub_available():
        return _offline(spec, repo, wanted)
    from huggingface_hub import HfApi, hf_hub_download

    try:
        chosen = _choose(spec, HfApi().list_repo_files(repo, repo_type="dataset"), wanted)
        return hf_hub_download(repo, chosen, repo_type="dataset")
    except DatasetError:
        raise
    except Exception as err:  # noqa: BLE001 - every hub failure becomes one clear line
        raise DatasetError(f"dataset {spec}: could not fetch from the hub ({type(err).__name__}: {err})") from None


def first_record(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        if path.endswith(".jsonl"):
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except ValueError as err:
                        raise DatasetError(f"{path}:{number}: not JSON ({err}); expected one JSON object per line") from None
                    break
            else:
                raise DatasetError(f"{path}: no records (expected one JSON object per line)")
        else:
            try:
                doc = json.load(handle)
            except ValueError as err:
                raise DatasetError(f"{path}: not JSON ({err})") from None
            record = doc[0] if isinstance(doc, list) and doc else doc
    if not isinstance(record, dict):
        raise DatasetError(f"{path}: the first record is a {type(record).__name__}, expected an object of columns")
    return record


def prompt_column(path: str, named: str = "") -> str:
    keys = list(first_record(path))
    if named:
        if named not in keys:
            raise DatasetError(f"{path}: --data-column {named!r} is not a column; its columns: {', '.join(keys)}")
        return named
    for name in TEXT_COLUMNS:  # guidellm's order: the first default name any column matches
        pattern = re.compile(rf"^{name}(es|s)?([-_]\d+)?$", re.IGNORECASE)
        found = next((k for k in keys if pattern.match(k)), None)
        if found:
            return found
    raise DatasetError(f"{path}: no prompt column found among {', '.join(keys)}; name it with --data-column NAME")


def exit_status(work: Callable[[], object]) -> int:
    """Run a dataset script's `work`: 0, or one `error: ...` line on stderr and 2 for a bad dataset or file
    (the exit status the launchers read as "bad input")."""
    try:
        work()
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: {err.filename}: {err.strerror}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--column"] and len(argv) in (2, 3):
        return exit_status(lambda: print(prompt_column(argv[1], argv[2] if len(argv) == 3 else "")))
    if len(argv) == 1:
        return exit_status(lambda: print(fetch(argv[0])))
    print("usage: fetch_dataset.py ORG/NAME[:FILE] | --column FILE [NAME]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
