"""Fixtures for the client tests: a fake server and a helper that runs a client's main()."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clients.fake_server import FakeServer, FakeWorld


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def server(world: FakeWorld):
    with FakeServer(world) as running:
        yield running


@pytest.fixture
def run_client(tmp_path: Path) -> Callable[..., tuple[int, dict | None]]:
    """run_client(main, *argv) → (exit code, parsed result JSON or None); output in tmp_path."""

    def run(main: Callable[[list[str]], int], *argv: str, name: str = "out.json") -> tuple[int, dict | None]:
        out = tmp_path / name
        code = main([*argv, "-o", str(out)])
        return code, json.loads(out.read_text()) if out.exists() else None

    return run
