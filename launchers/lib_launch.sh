#!/usr/bin/env bash
# launchers/lib_launch.sh: what the four small launchers (eagle3.sh, qwen3.sh, opt_verify.sh, baseline.sh)
# share: common options and --help, one supervised server per call, the client command or a hold
# until Ctrl-C (sourced, always under `set -Eeuo pipefail`; sources launchers/lib.sh).
# shellcheck source=launchers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# usage: launch::defaults   (globals shared by the small launchers; override with flags)
launch::defaults() {
  HOST=${HOST:-127.0.0.1} PORT=${PORT:-8000} TP=${TP:-1} K=${K:-3} LOG_DIR="" TINY_PAIR="" CLIENT_CMD=()
  VLLM_GIVEN="" PER_REQUEST_LEVEL=summary
}

# usage: launch::parse_common ARG...   (consumes --host --port --tensor-parallel-size -k --log-dir --vllm
#   --per-request-metrics, -h/--help
#   (prints the launcher's usage, exit 0) and `-- COMMAND...`; leaves the rest in LAUNCH_REST)
launch::parse_common() {
  LAUNCH_REST=()
  while (($#)); do
    case "$1" in
      --host) lib::need_value "$@"; HOST=$2; shift ;;
      --port) lib::need_value "$@"; lib::positive_int "$1" "$2"; PORT=$2; shift ;;
      --tensor-parallel-size) lib::need_value "$@"; lib::positive_int "$1" "$2"; TP=$2; shift ;;
      -k|--num-speculative-tokens) lib::need_value "$@"; lib::positive_int "$1" "$2"; K=$2; shift ;;
      --log-dir) lib::need_value "$@"; LOG_DIR=$2; shift ;;
      --vllm) lib::need_value "$@"; VLLM_GIVEN=$2; shift ;;
      --per-request-metrics) lib::need_value "$@"; spec::per_request_level "$1" "$2"; PER_REQUEST_LEVEL=$2; shift ;;
      -h|--help) lib::usage "${BASH_SOURCE[-1]}"; exit 0 ;;
      --) shift; CLIENT_CMD=("$@"); break ;;
      *) LAUNCH_REST+=("$1") ;;
    esac
    shift
  done
}

# usage: launch::parse OPTIONS ARG...   (a launcher's whole command line: launch::defaults, the common options
#   (launch::parse_common), then the launcher's own OPTIONS, one string of space-separated specs:
#   `NAMES=VAR` an option taking a value (stored in VAR), `NAMES!VAR` a flag (VAR=1); NAMES are the option's
#   spellings joined by |, VAR a variable of the caller (a local of the launcher's main is set there). A
#   missing value or an unknown option dies with exit 2.)
launch::parse() {
  local _lp_specs _lp_spec _lp_names _lp_found  # prefixed: VAR names the caller's variables
  read -ra _lp_specs <<<"${1//$'\n'/ }"  # the specs may span lines
  shift
  launch::defaults
  launch::parse_common "$@"
  set -- "${LAUNCH_REST[@]}"
  while (($#)); do
    _lp_found=""
    for _lp_spec in "${_lp_specs[@]}"; do
      _lp_names=${_lp_spec%%[=!]*}
      [[ "|$_lp_names|" == *"|$1|"* ]] || continue
      _lp_found=1
      if [[ "$_lp_spec" == *=* ]]; then
        lib::need_value "$@"
        printf -v "${_lp_spec#*=}" '%s' "$2"
        shift
      else
        printf -v "${_lp_spec#*!}" '%s' 1
      fi
      break
    done
    [[ -n "$_lp_found" ]] || lib::die "unknown option '$1' (see --help)" 2
    shift
  done
}

# usage: launch::prepare MODEL OPTION   (the launchers' common start: exit traps, the vLLM install (--vllm,
#   checked and its version logged), then the tiny-pair
#   choice for MODEL (see tiny::choose) and, when it is chosen, its build, outside any condition so a
#   failed build stops the launcher with the build's own error)
launch::prepare() {
  lib::install_traps
  vllm::choose "$VLLM_GIVEN"  # --vllm, else SPECLENS_VLLM, else the project's venv
  vllm::check_version
  lib::log "vLLM ${VLLM_VERSION:-(version unknown)} via ${VLLM_CMD[*]}"
  spec::per_request "$PER_REQUEST_LEVEL"
  tiny::choose "$1" "$2"
  [[ -z "$TINY_PAIR" ]] || tiny::build >&2
}

# usage: launch::start NAME PORT MODEL [VLLM_ARGS...]   (starts one server under supervision without
#   waiting for it; its log (LAUNCH_LOG) and pidfile go to LOG_DIR; sets VLLM_PID and LAUNCH_URL)
launch::start() {
  local name=$1 port=$2 model=$3
  shift 3
  preflight::port_free "$HOST" "$port"
  [[ -n "$LOG_DIR" ]] || LOG_DIR="launcher_runs/$(date +%Y%m%d_%H%M%S)_$$"
  mkdir -p "$LOG_DIR"
  serve::env "$LOG_DIR"
  serve::command "$model" "$port" "" "$@"
  LAUNCH_LOG="$LOG_DIR/$name.log"
  vllm::start "$LAUNCH_LOG" "$LOG_DIR/$name.pid" "${SERVE_CMD[@]}"
  # shellcheck disable=SC2034  # read by the launcher that called this
  LAUNCH_URL="http://$HOST:$port"
}

# usage: launch::serve NAME PORT MODEL [VLLM_ARGS...]   (launch::start, then waits until the server is
#   healthy; exits 3 if it does not become healthy)
launch::serve() {
  launch::start "$@"
  vllm::wait_healthy "$LAUNCH_URL" "$VLLM_PID" "$LAUNCH_LOG" "${BOOT_TIMEOUT:-900}"
  (( VLLM_HEALTHY )) || exit 3
}

# usage: launch::run_or_hold   (runs CLIENT_CMD with the servers up and returns its status, or, with no
#   command, serves until interrupted; servers stop on exit either way)
launch::run_or_hold() {
  if ((${#CLIENT_CMD[@]})); then
    local status=0
    "${CLIENT_CMD[@]}" || status=$?
    lib::log "client exited with status $status; stopping servers"
    return "$status"
  fi
  lib::log "serving; press Ctrl-C to stop (logs in $LOG_DIR)"
  while :; do sleep 1; done  # a foreground sleep: a signal is handled within a second, nothing is orphaned
}
