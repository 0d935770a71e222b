"""The SpecLoRA client finds launchers/speclora.sh and the tiny pair's builder in the checkout
(SPECLENS_ROOT, else the repository it runs from), never by importing speclens.launchers; when
there is none, one usage error says what to set."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from speclens.clients.common.cli import UsageError
from speclens.clients.speclora import servers


def _args() -> argparse.Namespace:
    return argparse.Namespace(port=8123, num_speculative_tokens=3, target=None, draft=None, log_dir=None,
                              tensor_parallel_size=None)


def test_without_a_checkout_the_launcher_is_one_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SPECLENS_ROOT", str(tmp_path))  # a directory with no launchers/
    with pytest.raises(UsageError) as err:
        servers.via_launcher(_args(), ["benchmark-suite"], ["spec_base"], None)
    assert str(err.value) == (f"launchers/speclora.sh: {tmp_path}/launchers/speclora.sh does not exist; set "
                              "SPECLENS_ROOT to a speclens checkout (the repository with launchers/)")
    with pytest.raises(UsageError, match="launchers/tiny/build.py: .* does not exist; set SPECLENS_ROOT"):
        servers.tiny_pair()


def test_the_checkout_named_by_speclens_root_serves_the_launcher_and_the_tiny_pair(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    (tmp_path / "launchers" / "tiny").mkdir(parents=True)
    script = tmp_path / "launchers" / "speclora.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/argv\nexit 7\n')
    script.chmod(0o755)
    (tmp_path / "launchers" / "tiny" / "build.py").write_text(
        "import sys\nassert sys.argv[1:] == ['--print-path']\nprint('/cache/tiny/abc')\n")
    monkeypatch.setenv("SPECLENS_ROOT", str(tmp_path))
    assert servers.tiny_pair() == Path("/cache/tiny/abc")
    assert servers.base_draft(_args()) == "/cache/tiny/abc/draft"
    assert servers.via_launcher(_args(), ["benchmark-suite"], ["spec_base"], None) == 7  # the launcher's status
    argv = (tmp_path / "argv").read_text().split("\n")
    assert argv[:6] == ["--port", "8123", "-k", "3", "--modes", "base"]
    assert argv[-4:] == ["speclens.clients.speclora", "benchmark-suite", "--servers-from-env", ""]


def test_from_the_repository_the_launcher_is_found_without_speclens_root(monkeypatch) -> None:
    monkeypatch.delenv("SPECLENS_ROOT", raising=False)
    from speclens.base.checkout import launcher

    repo = Path(__file__).resolve().parents[2]
    assert launcher("speclora.sh") == repo / "launchers" / "speclora.sh" and os.access(repo / "launchers", os.R_OK)
