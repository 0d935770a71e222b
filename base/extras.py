"""Which pip extra of speclens provides an optional Python package, and the one stderr line for a
missing one. The table mirrors pyproject.toml's [project.optional-dependencies] (a test checks that
they agree); every entry point (the speclens CLI, the clients, the launchers' Python helpers) turns a
ModuleNotFoundError into `missing_package_line` through `exit_code_for_missing`."""

from __future__ import annotations

import os
import sys

EXIT_MISSING_PACKAGE = 70  # as the speclens CLI's other internal errors

# import name -> the extra(s) whose install provides it (pip names: `pip install 'speclens[EXTRA]'`)
EXTRA_OF_MODULE: dict[str, tuple[str, ...]] = {
    "vllm": ("serve-cpu", "serve-gpu"),
    "guidellm": ("load",),
    "torch": ("train",),
    "transformers": ("train",),
    "tokenizers": ("train",),
    "safetensors": ("train",),
    "peft": ("train",),
    "accelerate": ("train",),
    "datasets": ("hub-datasets",),
    "pytest": ("dev",),
    "hypothesis": ("dev",),
    "aiohttp": ("dev",),
    "pandas": ("pandas",),  # speclens.read(...).requests.to_pandas()
    "pyarrow": ("pandas",),
}
_EXTRA_WORDS = {"serve-cpu": " on a CPU-only machine", "serve-gpu": " with an NVIDIA GPU"}


def install_hint(module: str) -> str:
    """What to run so that `module` (a top-level import name) can be imported."""
    extras = EXTRA_OF_MODULE.get(module.split(".")[0])
    if not extras:  # a regular dependency: the install itself is incomplete
        return "reinstall speclens (./setup.sh, or pip install . in its repository)"
    return " or ".join(f"pip install 'speclens[{extra}]'{_EXTRA_WORDS.get(extra, '')}" for extra in extras)


def missing_package_line(prog: str, module: str | None) -> str:
    """The one stderr line (with its newline) for `import module` failing."""
    name = (module or "?").split(".")[0]
    return f"{prog}: error: the Python package '{name}' is not installed; {install_hint(name)}\n"


def exit_code_for_missing(prog: str, err: ModuleNotFoundError) -> int:
    """Write the one line for `err` and return the exit status (SPECLENS_DEBUG=1 re-raises instead)."""
    if os.environ.get("SPECLENS_DEBUG"):
        raise err
    sys.stderr.write(missing_package_line(prog, err.name))
    return EXIT_MISSING_PACKAGE
