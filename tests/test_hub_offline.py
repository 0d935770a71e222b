"""base/hub.py takes the offline flag from huggingface_hub.constants (the value its downloads obey),
read when huggingface_hub is imported: each case runs in a fresh process, as the CLIs do."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json
from speclens.base.hub import hub_offline, not_available
print(json.dumps([hub_offline(), not_available("model", "acme/absent")]))
"""


def offline_in_fresh_process(**env: str) -> tuple[bool, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT")}
    proc = subprocess.run([sys.executable, "-c", PROBE], env={**clean, "HF_ENDPOINT": "http://127.0.0.1:9", **env},
                          capture_output=True, text=True, timeout=60, check=True)
    offline, line = json.loads(proc.stdout)
    return offline, line


@pytest.mark.parametrize(("env", "offline"), [
    ({"HF_HUB_OFFLINE": "1"}, True), ({"HF_HUB_OFFLINE": "true"}, True), ({"HF_HUB_OFFLINE": "YES"}, True),
    ({"HF_HUB_OFFLINE": "on"}, True), ({"HF_HUB_OFFLINE": "0"}, False), ({"HF_HUB_OFFLINE": ""}, False), ({}, False),
    # huggingface_hub's downloads also refuse the network under TRANSFORMERS_OFFLINE=1; the launchers used to
    # probe the hub anyway and then blame the network
    ({"TRANSFORMERS_OFFLINE": "1"}, True), ({"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "1"}, False),
])
def test_offline_as_huggingface_hub_reads_it(env: dict[str, str], offline: bool) -> None:
    assert offline_in_fresh_process(**env)[0] is offline


def test_the_line_names_the_flag_that_is_set() -> None:
    assert "and HF_HUB_OFFLINE=1 is set;" in offline_in_fresh_process(HF_HUB_OFFLINE="1")[1]
    assert "and TRANSFORMERS_OFFLINE=1 is set;" in offline_in_fresh_process(TRANSFORMERS_OFFLINE="1")[1]
    assert "and the hub (http://127.0.0.1:9) is not reachable;" in offline_in_fresh_process()[1]
