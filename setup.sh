#!/usr/bin/env bash
# usage: ./setup.sh [--dev]
#   Creates .venv (Python >= 3.11) and installs speclens into it. Idempotent: a second run with
#   nothing changed only checks and exits. --dev adds the test dependencies (pytest, hypothesis).
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

setup::say() { printf 'setup: %s\n' "$*"; }
setup::die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# usage: setup::find_python — prints a python3 >= 3.11 on PATH
setup::find_python() {
  local candidate
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  setup::die "no Python >= 3.11 on PATH; install one (e.g. apt-get install python3.11 python3.11-venv)"
}

# usage: setup::venv — creates .venv once
setup::venv() {
  if [[ -x "$PY" ]]; then return 0; fi
  local python; python=$(setup::find_python)
  setup::say "creating .venv with $("$python" --version)"
  "$python" -m venv "$VENV"
}

# usage: setup::project EXTRAS — installs speclens editable with EXTRAS, skipped when the stamp
# (a hash of pyproject.toml plus the extras) is unchanged
setup::project() {
  local extras=$1 stamp="$VENV/.speclens-install-stamp" want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-64) $extras"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$PY" -c 'import analyzers, parsers' 2>/dev/null; then
    setup::say "speclens${extras:+[$extras]} already installed"
    return 0
  fi
  setup::say "installing speclens${extras:+[$extras]} into .venv"
  "$PY" -m pip install --quiet --disable-pip-version-check -e "$ROOT${extras:+[$extras]}"
  printf '%s\n' "$want" >"$stamp"
}

setup::main() {
  local extras="plot" arg
  for arg in "$@"; do
    case "$arg" in
      --dev) extras="plot,dev" ;;
      -h|--help) sed -n '2,4p' "${BASH_SOURCE[0]}"; return 0 ;;
      *) setup::die "unknown option '$arg' (see --help)" ;;
    esac
  done
  setup::venv
  setup::project "$extras"
  setup::say "ready: $VENV/bin/speclens"
}

setup::main "$@"
