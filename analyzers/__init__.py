"""Metric math (pure functions over records → a typed, versioned report), renderers, and the CLI."""


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed metadata on first use (one copy of the version:
    pyproject.toml): importlib.metadata is not loaded by `speclens --help`."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("speclens")
    except PackageNotFoundError:  # run from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
