"""Metric math (pure functions over records → a typed, versioned report), renderers, and the CLI."""

__version__ = "0.1.0"
