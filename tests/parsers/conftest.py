"""Fixtures shared by the parser tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def parallel_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker count of each call of the parallel scan, so a parallel-equals-serial test cannot pass
    by silently scanning in-process (the same records twice)."""
    import speclens.parsers.log_scan as log_scan

    calls: list[int] = []
    real = log_scan._scan_parallel

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - passes everything through
        calls.append(args[-1])  # workers
        return real(*args, **kwargs)

    monkeypatch.setattr(log_scan, "_scan_parallel", spy)
    return calls
