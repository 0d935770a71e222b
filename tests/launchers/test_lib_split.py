"""launchers/lib.sh split by concern into sourced companions (launchers/lib_*.sh): every launcher still sources
only lib.sh (directly or through lib_launch.sh / lib_analysis.sh / lib_cells.sh) and gets every function the
one 469-line lib.sh defined; no shell file under launchers/ grows past the house limit of 400 lines."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

# Every function the single launchers/lib.sh defined before the split (`git show HEAD:launchers/lib.sh`,
# grep '^[a-z_]+::[a-z_]+()': 41 functions), in their order there.
FUNCTIONS_BEFORE_SPLIT = [
    "lib::log", "lib::die", "lib::usage", "lib::print_cmd", "lib::need_value", "lib::positive_int", "lib::number",
    "lib::key_values", "lib::install_traps", "lib::at_exit", "lib::on_exit", "lib::register_group", "lib::stop_all",
    "lib::keep_running", "lib::remove_at_stop", "lib::remove_tmpdirs", "gpu::detect", "preflight::need",
    "preflight::port_free", "preflight::disk", "vllm::start", "vllm::wait_healthy", "vllm::forget_pidfile",
    "vllm::stop", "metrics::scrape", "serve::env", "vllm::choose", "vllm::check_version", "serve::command",
    "spec::config", "spec::per_request", "spec::per_request_level", "step::start", "step::wait", "step::watch",
    "step::record", "step::try", "step::run", "tiny::choose", "tiny::build_command", "tiny::build",
]
# The globals lib.sh set when sourced (before the split), which callers and tests read.
GLOBALS_BEFORE_SPLIT = ["SPECLENS_ROOT", "SPECLENS_PY", "SPECLENS_CACHE", "LIB_STOP_GRACE", "GPU_COUNT",
                        "VLLM_VERIFIED_VERSIONS", "SPECLENS_VLLM_FILE", "RUN_FILE_LOG", "_LIB_PIDFILES"]
MAX_LINES = 400  # the house rule: modules aim for 90-170 lines and are split past 400
DEFINITION = re.compile(r"^([a-z_]+::[a-z_]+)\(\)", re.MULTILINE)
LAUNCHERS = ROOT / "launchers"


def sourced(script: str) -> subprocess.CompletedProcess[str]:
    body = f'set -Eeuo pipefail\nsource "{ROOT}/launchers/lib.sh"\n{script}\n'
    return subprocess.run(["bash", "-c", body], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT / ".no-home")})


def test_sourcing_lib_sh_defines_every_function_it_defined_before_the_split() -> None:
    proc = sourced("declare -F")
    assert proc.returncode == 0, proc.stderr
    defined = {line.split()[-1] for line in proc.stdout.splitlines()}
    assert [f for f in FUNCTIONS_BEFORE_SPLIT if f not in defined] == []


def test_sourcing_lib_sh_sets_the_globals_it_set_before_the_split() -> None:
    proc = sourced("declare -p " + " ".join(GLOBALS_BEFORE_SPLIT) + " >/dev/null")
    assert proc.returncode == 0, proc.stderr


def test_each_function_is_defined_once_across_lib_sh_and_its_companions() -> None:
    owners: dict[str, list[str]] = {}
    for path in sorted(LAUNCHERS.glob("lib*.sh")):
        for name in DEFINITION.findall(path.read_text()):
            owners.setdefault(name, []).append(path.name)
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}
    assert set(FUNCTIONS_BEFORE_SPLIT) <= set(owners)


def test_every_companion_of_lib_sh_is_sourced_by_lib_sh() -> None:
    lib = (LAUNCHERS / "lib.sh").read_text()
    companions = re.findall(r'^source "\$SPECLENS_ROOT/launchers/(lib_[a-z_]+\.sh)"', lib, re.MULTILINE)
    assert companions, "lib.sh sources no companion"
    for name in companions:
        assert (LAUNCHERS / name).is_file()
        assert "_SPECLENS_LIB_LOADED" not in (LAUNCHERS / name).read_text()  # sourced once, by lib.sh only


def test_no_launcher_shell_file_exceeds_the_line_limit() -> None:
    lengths = {p.name: len(p.read_text().splitlines()) for p in LAUNCHERS.glob("*.sh")}
    assert lengths  # there are scripts to measure
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_every_shell_file_parses() -> None:
    scripts = [str(p) for p in [*ROOT.glob("*.sh"), *LAUNCHERS.glob("*.sh")]]
    bad = {s: proc.stderr for s in scripts
           if (proc := subprocess.run(["bash", "-n", s], capture_output=True, text=True, timeout=30)).returncode}
    assert bad == {}
