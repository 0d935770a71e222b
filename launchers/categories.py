"""The data subsets ("categories") of `run_eval.sh --categories`, each run as its own cell (parsers/run_cells.py).

usage:
  python launchers/categories.py DATASET WANTED [--category-column NAME] [--prompt-column NAME] [--split-to DIR [--write]]

DATASET is one of
  a local directory        its .json/.jsonl files; file stem = category
  ORG/NAME (HF dataset)    the repository's .json/.jsonl files (fetched as launchers/fetch_dataset.py
                           fetches one: hub when reachable, else the local cache); file stem = category
  a .json/.jsonl file      (local, or ORG/NAME:FILE) the values of its category column: NAME, else
                           `category` when the first record has it. The subsets are written to
                           DIR/<id>.jsonl with --write (without it only their paths are printed)
--category-column NAME with a directory or repository: the column of its first data file instead.
WANTED: `all` (every subset, sorted) or a comma list; an unknown name is refused with the valid ones.

Prints one line per subset: ID<TAB>CATEGORY<TAB>PATH<TAB>PROMPT_COLUMN (ID: the category made safe for
a folder name, [A-Za-z0-9._-]). Any problem: one line on stderr, exit 2.
"""

from __future__ import annotations

import json
import os
import re
import sys

from speclens.base.hub import hub_available, not_available
from speclens.launchers.fetch_dataset import DatasetError, exit_status, fetch, prompt_column

_DATA = (".json", ".jsonl")
_DEFAULT_COLUMN = "category"


def safe_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "_"


def _stem(path: str) -> str:
    return os.path.basename(path).rsplit(".", 1)[0]


def _repo_files(repo: str) -> list[str]:
    """Every .json/.jsonl file of an HF dataset repository, local paths."""
    if not hub_available():  # the cached snapshot, as fetch_dataset.py reads one file of it offline
        from huggingface_hub import snapshot_download

        try:
            root = snapshot_download(repo, repo_type="dataset", local_files_only=True)
        except Exception:  # noqa: BLE001 - LocalEntryNotFoundError and kin: not cached
            raise DatasetError(not_available("dataset", repo, "dataset")) from None
        return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(_DATA))
    from huggingface_hub import HfApi

    try:
        names = sorted(f for f in HfApi().list_repo_files(repo, repo_type="dataset") if f.endswith(_DATA))
    except Exception as err:  # noqa: BLE001 - one clear line
        raise DatasetError(f"dataset {repo}: could not list its files ({type(err).__name__}: {err})") from None
    return [fetch(f"{repo}:{name}") for name in names]


def _records(path: str) -> list[tuple[int, dict]]:
    with open(path, encoding="utf-8") as handle:
        if not path.endswith(".jsonl"):
            try:
                doc = json.load(handle)
            except ValueError as err:
                raise DatasetError(f"{path}: not JSON ({err})") from None
            return list(enumerate(doc if isinstance(doc, list) else [doc], 1))
        out = []
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    out.append((number, json.loads(line)))
                except ValueError as err:
                    raise DatasetError(f"{path}:{number}: not JSON ({err}); expected one JSON object per line") from None
        return out


def by_column(path: str, column: str) -> dict[str, list[dict]]:
    """The records of one file grouped by the text of their `column`."""
    groups: dict[str, list[dict]] = {}
    for number, record in _records(path):
        if not isinstance(record, dict) or column not in record:
            raise DatasetError(f"{path}:{number}: record has no column {column!r}; every record needs its category "
                               "(or name another column with --category-column NAME)")
        groups.setdefault(str(record[column]), []).append(record)
    return groups


def subsets(dataset: str, column: str, split_to: str, write: bool, prompt: str = "") -> list[tuple[str, str, str, str]]:
    """(id, category, path, prompt column) of every subset, sorted by category."""
    if os.path.isdir(dataset):
        files = sorted(os.path.join(dataset, f) for f in os.listdir(dataset) if f.endswith(_DATA))
    elif os.path.isfile(dataset) or ":" in dataset:
        files, column = [dataset if os.path.isfile(dataset) else fetch(dataset)], column or _DEFAULT_COLUMN
    elif dataset.endswith(_DATA):
        raise DatasetError(f"dataset file {dataset} not found")
    else:
        files = _repo_files(dataset)
    if not files:
        raise DatasetError(f"dataset {dataset}: no .json/.jsonl files, so no categories")
    if not column:
        found = [(_stem(f), f, prompt_column(f, prompt)) for f in files]
    else:
        source = files[0]
        if not split_to:
            raise DatasetError("--split-to DIR is needed to split a file by its category column")
        groups = by_column(source, column)
        text = prompt_column(source, prompt)
        if text == column:
            raise DatasetError(f"{source}: the category column {column!r} is also the prompt column")
        found = [(name, os.path.join(split_to, f"{safe_id(name)}.jsonl"), text) for name in groups]
        if write:
            os.makedirs(split_to, exist_ok=True)
            for name, path, _ in found:
                with open(path, "w", encoding="utf-8") as out:
                    out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in groups[name])
    ids: dict[str, str] = {}
    for name, _, _ in found:
        if ids.setdefault(safe_id(name), name) != name:
            raise DatasetError(f"dataset {dataset}: categories {ids[safe_id(name)]!r} and {name!r} share the folder "
                               f"name {safe_id(name)!r}; rename one")
    return sorted((safe_id(n), n, p, c) for n, p, c in found)


def choose(found: list[tuple[str, str, str, str]], wanted: str, dataset: str) -> list[tuple[str, str, str, str]]:
    if wanted == "all":
        return found
    names = {row[1]: row for row in found}
    asked = [w for w in wanted.split(",") if w]
    unknown = [w for w in asked if w not in names]
    if unknown or not asked:
        raise DatasetError(f"--categories: {', '.join(unknown) or '(none)'} not among the categories of {dataset}: "
                           f"{', '.join(sorted(names))} (or all)")
    return [names[w] for w in dict.fromkeys(asked)]


def main(argv: list[str]) -> int:
    args, opts = [], {"--category-column": "", "--prompt-column": "", "--split-to": ""}
    write, i = False, 0
    while i < len(argv):
        if argv[i] in opts and i + 1 < len(argv):
            opts[argv[i]], i = argv[i + 1], i + 2
            continue
        if argv[i] == "--write":
            write = True
        else:
            args.append(argv[i])
        i += 1
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2

    def work() -> None:
        found = subsets(args[0], opts["--category-column"], opts["--split-to"], write, opts["--prompt-column"])
        for row in choose(found, args[1], args[0]):
            print("\t".join(row))

    return exit_status(work)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
