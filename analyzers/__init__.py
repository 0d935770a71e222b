"""Metric math (pure functions over records → a typed, versioned report), renderers, and the CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("speclens")  # one copy of the version: pyproject.toml
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
