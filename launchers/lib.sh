#!/usr/bin/env bash
# launchers/lib.sh: sourced by every launcher (through lib_launch.sh), run_eval.sh (through
# lib_analysis.sh) and setup.sh, always under `set -Eeuo pipefail`. Small named functions, each with
# a usage line. This file holds the messages, option checks, KEY=VALUE hand-over and the exit traps /
# cleanup registry; it sources the rest, one file per concern: lib_server.sh (GPUs, preflight, a server's
# lifecycle), lib_vllm.sh (which vLLM and the `vllm serve` argv, spec config, the tiny pair), lib_steps.sh
# (steps recorded in run.json). Callers source only this file. Lifecycle: preflight → vllm::start
# (setsid, own log, pidfile, cleanup registered at once) → vllm::wait_healthy (deadline + liveness) →
# work → vllm::stop (TERM to the process group, grace, KILL). Never kills by name or by port. Commands
# are arrays, each built by one function.
# `set -e` has no holes here: no function is called as a condition (`if f`, `f || x`, `f && x` turn
# `set -e` off inside f and everything it runs). Checks report through variables (GPU_COUNT,
# TINY_PAIR, VLLM_HEALTHY, STEP_STATUS); everything else fails the script when it fails.
[[ -n "${_SPECLENS_LIB_LOADED:-}" ]] && return 0
_SPECLENS_LIB_LOADED=1

SPECLENS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SPECLENS_PY=${SPECLENS_PY:-$SPECLENS_ROOT/.venv/bin/python}
SPECLENS_CACHE=${SPECLENS_CACHE:-$HOME/.cache/speclens}
LIB_STOP_GRACE=${LIB_STOP_GRACE:-20}
# shellcheck source=launchers/run_files.sh
source "$SPECLENS_ROOT/launchers/run_files.sh"  # RUN_FILE_* / RUN_DIR_*: the run directory's file names
_LIB_GROUPS=()
_LIB_EXITING=""
_LIB_EXIT_HOOKS=()
_LIB_STEP_PGID=""
_LIB_TMPDIRS=()
_LIB_GPUS_DETECTED=""
declare -gA _LIB_PIDFILES=()  # server pgid -> its pidfile, removed once that group is stopped

# usage: lib::log MESSAGE...   (to stderr, timestamped)
lib::log() { printf '[speclens %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# usage: lib::die MESSAGE [EXIT_CODE]   (one clear line on stderr, then exit)
lib::die() { printf 'error: %s\n' "$1" >&2; exit "${2:-1}"; }

# usage: lib::usage SCRIPT   (prints SCRIPT's header: its comment lines after the shebang, without '# ')
lib::usage() { awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$1"; }

# usage: lib::print_cmd ARGV...   (one line, each word shell-quoted: what --dry-run prints)
lib::print_cmd() {
  printf '%q' "$1"
  shift
  if (($#)); then printf ' %q' "$@"; fi
  printf '\n'
}

# usage: lib::need_value OPTION [VALUE...]   (call it with the command line from OPTION on, "$@": dies with
#   exit 2 naming OPTION when nothing follows it; an empty value is a value, for the option's own check)
lib::need_value() { (($# >= 2)) || lib::die "$1 needs a value (see --help)" 2; }

# usage: lib::positive_int OPTION VALUE   (dies with exit 2 unless VALUE is a whole number >= 1)
lib::positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || lib::die "$1 must be a whole number >= 1, not '$2'" 2; }

# usage: lib::number OPTION VALUE   (dies with exit 2 unless VALUE is a decimal number >= 0)
lib::number() { [[ "$2" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || lib::die "$1 must be a number >= 0, not '$2'" 2; }

# usage: lib::key_values SOURCE TEXT PREFIX KEY...   (reads TEXT's KEY=VALUE lines, what a Python helper printed,
#   into the variables PREFIX+KEY, by key, never evaluated: a value may hold spaces, slashes, quotes and '='.
#   Dies with exit 2 naming SOURCE when a line is not KEY=VALUE, a key is not one of KEY..., or one is missing.)
lib::key_values() {
  local source=$1 text=$2 prefix=$3 line key
  local -A seen=()
  shift 3
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    key=${line%%=*}
    [[ "$line" == *=* && "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ && " $* " == *" $key "* ]] ||
      lib::die "$source: expected KEY=VALUE lines with KEY one of $*, got '$line'" 2
    printf -v "$prefix$key" '%s' "${line#*=}"
    seen[$key]=1
  done <<<"$text"
  for key in "$@"; do
    [[ -n "${seen[$key]:-}" ]] || lib::die "$source: printed no $key= line (expected $*)" 2
  done
}

# usage: lib::install_traps   (EXIT: stop every process group, then the lib::at_exit hooks; INT → exit 130,
#   TERM → exit 143)
lib::install_traps() {
  trap 'lib::on_exit' EXIT
  trap 'lib::log "interrupted (SIGINT)"; exit 130' INT
  trap 'lib::log "terminated (SIGTERM)"; exit 143' TERM
}

# usage: lib::at_exit FUNCTION   (the EXIT trap calls FUNCTION STATUS once every process group is stopped;
#   the exit status stays STATUS)
lib::at_exit() { _LIB_EXIT_HOOKS+=("$1"); }

# usage: lib::on_exit   (EXIT trap: stop every registered process group, run the hooks, keep the exit status)
lib::on_exit() {
  local status=$? hook
  [[ -n "$_LIB_EXITING" ]] && return "$status"
  _LIB_EXITING=1
  lib::stop_all
  for hook in "${_LIB_EXIT_HOOKS[@]}"; do "$hook" "$status"; done
  exit "$status"
}

# usage: lib::register_group PGID   (stopped by lib::stop_all and the EXIT trap)
lib::register_group() { _LIB_GROUPS+=("$1"); }

# usage: lib::stop_all   (idempotent: the running step's process group, then every server group)
lib::stop_all() {
  local pgid
  if [[ -n "$_LIB_STEP_PGID" ]]; then vllm::stop "$_LIB_STEP_PGID" 10; _LIB_STEP_PGID=""; fi
  for pgid in "${_LIB_GROUPS[@]}"; do vllm::stop "$pgid"; done
  _LIB_GROUPS=()
  lib::remove_tmpdirs
}

# usage: lib::keep_running   (the servers started so far outlive the script: their groups are no longer
#   stopped at exit, and their pidfiles and TMPDIRs, which they still use, stay)
lib::keep_running() { _LIB_GROUPS=() _LIB_TMPDIRS=() _LIB_PIDFILES=(); }

# usage: lib::remove_at_stop DIR   (DIR is removed with the servers' TMPDIRs: by lib::stop_all and at exit)
lib::remove_at_stop() { _LIB_TMPDIRS+=("$1"); }

# usage: lib::remove_tmpdirs   (the servers' TMPDIRs: ZMQ sockets and vllm_dist_* files vLLM leaves)
lib::remove_tmpdirs() {
  local dir
  for dir in "${_LIB_TMPDIRS[@]}"; do rm -rf -- "$dir"; done
  _LIB_TMPDIRS=()
}

# The rest of the library, one file per concern, each sourced here once (a launcher sources only lib.sh):
# shellcheck source=launchers/lib_server.sh
source "$SPECLENS_ROOT/launchers/lib_server.sh"  # GPUs, preflight, a server's start / health / stop, /metrics, env
# shellcheck source=launchers/lib_vllm.sh
source "$SPECLENS_ROOT/launchers/lib_vllm.sh"  # which vLLM, the `vllm serve` argv, spec config, the tiny pair
# shellcheck source=launchers/lib_steps.sh
source "$SPECLENS_ROOT/launchers/lib_steps.sh"  # steps: own process group, watched, recorded in run.json
