#!/usr/bin/env bash
# launchers/lib.sh: sourced by every launcher and by run_eval.sh. Small named functions, each
# with a usage line. Lifecycle: preflight → vllm::start (setsid, own log, pidfile, cleanup
# registered at once) → vllm::wait_healthy (deadline + liveness) → work → vllm::stop (TERM to
# the process group, grace, KILL). Never kills by name or by port. Commands are arrays.
[[ -n "${_SPECLENS_LIB_LOADED:-}" ]] && return 0
_SPECLENS_LIB_LOADED=1

SPECLENS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SPECLENS_PY=${SPECLENS_PY:-$SPECLENS_ROOT/.venv/bin/python}
SPECLENS_CACHE=${SPECLENS_CACHE:-$HOME/.cache/speclens}
LIB_STOP_GRACE=${LIB_STOP_GRACE:-20}
_LIB_GROUPS=()
_LIB_EXITING=""
_LIB_STEP_PGID=""
_LIB_TMPDIRS=()
declare -gA _LIB_PIDFILES=()  # server pgid -> its pidfile, removed once that group is stopped

# usage: lib::log MESSAGE...   (to stderr, timestamped)
lib::log() { printf '[speclens %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# usage: lib::die MESSAGE [EXIT_CODE]   (one clear line on stderr, then exit)
lib::die() { printf 'error: %s\n' "$1" >&2; exit "${2:-1}"; }

# usage: lib::is_sourced   (true when the calling script was sourced, not executed)
lib::is_sourced() { [[ "${BASH_SOURCE[-1]}" != "$0" ]]; }

# usage: lib::install_traps   (cleanup on EXIT; INT → exit 130, TERM → exit 143)
lib::install_traps() {
  trap 'lib::on_exit' EXIT
  trap 'lib::log "interrupted (SIGINT)"; exit 130' INT
  trap 'lib::log "terminated (SIGTERM)"; exit 143' TERM
}

# usage: lib::on_exit   (EXIT trap: stop every registered process group, keep the exit status)
lib::on_exit() {
  local status=$?
  [[ -n "$_LIB_EXITING" ]] && return "$status"
  _LIB_EXITING=1
  lib::stop_all
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

# usage: lib::remove_tmpdirs   (the servers' TMPDIRs: ZMQ sockets and vllm_dist_* files vLLM leaves)
lib::remove_tmpdirs() {
  local dir
  for dir in "${_LIB_TMPDIRS[@]}"; do rm -rf -- "$dir"; done
  _LIB_TMPDIRS=()
}

# usage: preflight::need COMMAND...   (each must be on PATH or an executable path)
preflight::need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || lib::die "required command '$cmd' not found; run ./setup.sh (or install it)"
  done
}

# usage: preflight::port_free HOST PORT   (dies naming the holder when the port is taken)
preflight::port_free() {
  local host=$1 port=$2 holder=""
  if "$SPECLENS_PY" - "$host" "$port" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
PY
  then return 0; fi
  if command -v ss >/dev/null 2>&1; then
    holder=$(ss -H -ltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1 || true)
  fi
  lib::die "port $port on $host is already in use${holder:+ by $holder}; stop that process or pass --port N" 2
}

# usage: preflight::disk DIR MIN_MIB
preflight::disk() {
  local free
  free=$(df -Pm "$1" | awk 'NR==2 {print $4}')
  (( free >= $2 )) || lib::die "only ${free} MiB free under $1; need at least $2 MiB" 2
}

# usage: vllm::start LOG PIDFILE COMMAND...   (sets VLLM_PID; the server leads its own process group)
vllm::start() {
  local log=$1 pidfile=$2
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  VLLM_PID=$!
  lib::register_group "$VLLM_PID"
  printf '%s\n' "$VLLM_PID" >"$pidfile"
  _LIB_PIDFILES[$VLLM_PID]=$pidfile
  lib::log "started (pid $VLLM_PID, log $log): ${*@Q}"
}

# usage: vllm::wait_healthy URL PID LOG TIMEOUT_S [INTERVAL_S]
#   0 when GET URL/health answers 200; 1 (with the last 50 log lines) when the process died or
#   the deadline passed (then the server is stopped).
vllm::wait_healthy() {
  local url=$1 pid=$2 log=$3 timeout=$4 interval=${5:-2} tries=0
  local deadline=$((SECONDS + timeout))
  while (( SECONDS < deadline )); do
    tries=$((tries + 1))
    if curl -sf --max-time 2 -o /dev/null "$url/health"; then
      lib::log "healthy after ${tries} tries ($url/health)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      printf 'error: the server exited during boot (pid %s); last 50 lines of %s:\n' "$pid" "$log" >&2
      tail -n 50 "$log" >&2
      vllm::stop "$pid"
      return 1
    fi
    sleep "$interval"
  done
  printf 'error: %s/health not healthy after %ss (%s tries every %ss); last 50 lines of %s:\n' \
    "$url" "$timeout" "$tries" "$interval" "$log" >&2
  tail -n 50 "$log" >&2
  vllm::stop "$pid"
  return 1
}

# usage: vllm::forget_pidfile PGID   (removes the pidfile vllm::start wrote for PGID, if any)
vllm::forget_pidfile() {
  local pidfile=${_LIB_PIDFILES[$1]:-}
  [[ -z "$pidfile" ]] || rm -f -- "$pidfile"
  unset "_LIB_PIDFILES[$1]"
}

# usage: vllm::stop PGID [GRACE_S]   (TERM to the group, wait, KILL, remove its pidfile; idempotent)
vllm::stop() {
  local pgid=$1 grace=${2:-$LIB_STOP_GRACE} waited=0
  if ! kill -0 -- "-$pgid" 2>/dev/null; then vllm::forget_pidfile "$pgid"; return 0; fi
  kill -TERM -- "-$pgid" 2>/dev/null || true
  while kill -0 -- "-$pgid" 2>/dev/null && (( waited < grace * 10 )); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 -- "-$pgid" 2>/dev/null; then
    lib::log "process group $pgid ignored SIGTERM for ${grace}s; sending SIGKILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
  fi
  wait "$pgid" 2>/dev/null || true
  vllm::forget_pidfile "$pgid"
  lib::log "stopped process group $pgid"
}

# usage: metrics::scrape BASE_URL OUT_FILE   (GET /metrics, written atomically)
metrics::scrape() {
  local tmp="$2.part"
  if curl -sf --max-time 15 -o "$tmp" "$1/metrics"; then
    mv -f "$tmp" "$2"
  else
    rm -f "$tmp"
    lib::log "warning: could not scrape $1/metrics"
    return 1
  fi
}

# usage: serve::env RUN_DIR   (exports the environment every vLLM server we start gets: temp files
#   and compile caches inside the run's own directory or the project cache, never scattered in /tmp)
#   vLLM puts ZMQ IPC sockets in TMPDIR and a socket path may not exceed 107 bytes, so TMPDIR is the
#   run's own tmp/ when that path is short, else a private directory under the project cache (or
#   /tmp); either way it is removed when the run ends.
serve::env() {
  local run_dir=$1 tmp base
  mkdir -p "$SPECLENS_CACHE/vllm"
  tmp="$(cd "$run_dir" && pwd)/tmp"
  if (( ${#tmp} > 50 )); then
    base="$SPECLENS_CACHE/tmp"
    mkdir -p "$base"
    (( ${#base} <= 42 )) || base=/tmp
    tmp=$(mktemp -d "$base/speclens.XXXXXX")
  fi
  mkdir -p "$tmp"
  _LIB_TMPDIRS+=("$tmp")
  export TMPDIR="$tmp" VLLM_CACHE_ROOT="$SPECLENS_CACHE/vllm"
  export TORCHINDUCTOR_CACHE_DIR="$SPECLENS_CACHE/vllm/inductor" VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
  export VLLM_LOG_STATS_INTERVAL=${VLLM_LOG_STATS_INTERVAL:-5}
  if ! serve::has_gpu; then
    export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-1} VLLM_TARGET_DEVICE=cpu
  fi
}

# usage: serve::has_gpu   (true when an NVIDIA GPU is visible)
serve::has_gpu() { command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; }

# usage: serve::gpu_count
serve::gpu_count() { if serve::has_gpu; then nvidia-smi -L | grep -c '^GPU'; else echo 0; fi; }

# usage: serve::vllm_cmd   (sets the global VLLM_CMD to the argv prefix that runs `vllm`: our entry
#   point, which also works where the vllm-cpu distribution's own console script is broken)
#   SPECLENS_VLLM=/path/to/executable replaces it (a custom build, or a stand-in in fault tests).
serve::vllm_cmd() {
  # shellcheck disable=SC2034  # read by the caller
  if [[ -n "${SPECLENS_VLLM:-}" ]]; then VLLM_CMD=("$SPECLENS_VLLM"); else
    VLLM_CMD=("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/vllm_cli.py"); fi
}

# usage: step::run RUN_DIR NAME COMMAND...   (runs it, records argv, exit status and seconds in
#   run.json; returns the command's exit status)
#   The command runs as a background job in its own process group and the script waits for it, so a
#   SIGINT/SIGTERM to the script is handled at once and the EXIT trap stops that group too.
step::run() {
  local run_dir=$1 name=$2 status=0 started ended
  shift 2
  started=$EPOCHREALTIME
  set -m
  "$@" &
  _LIB_STEP_PGID=$!
  set +m
  wait "$_LIB_STEP_PGID" || status=$?
  _LIB_STEP_PGID=""
  ended=$EPOCHREALTIME
  "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" step "$run_dir" "$name" "$status" "$started" "$ended" -- "$@"
  return "$status"
}

# usage: step::record RUN_DIR NAME STATUS STARTED_EPOCH   (a step that was not one command)
step::record() {
  "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" step "$1" "$2" "$3" "$4" "$EPOCHREALTIME" --
}

# usage: tiny::path   (prints the tiny pair's cache directory; builds nothing)
tiny::path() { "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/tiny/build.py" --print-path; }

# usage: tiny::build   (builds the embedded tiny model pair once; cached by recipe hash; torch's compile
#   caches go to the project cache, not /tmp/torchinductor_<user>)
tiny::build() {
  TORCHINDUCTOR_CACHE_DIR=${TORCHINDUCTOR_CACHE_DIR:-$SPECLENS_CACHE/vllm/inductor} \
    TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-$SPECLENS_CACHE/vllm/triton} \
    "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/tiny/build.py" >&2
}

# usage: analysis::run RUN_DIR   (acceptance_analysis.txt in the legacy layout, the text report on
#   stdout, speedup.md when RUN_DIR/baseline exists, and report.md with plots)
analysis::run() {
  local run_dir=$1 speclens=("$SPECLENS_PY" -m speclens.analyzers.cli acceptance "$1")
  step::run "$run_dir" analysis-legacy "${speclens[@]}" --format legacy -o "$run_dir/acceptance_analysis.txt" ||
    lib::log "warning: no acceptance_analysis.txt (see the message above); the raw files are in $run_dir"
  "${speclens[@]}" --format text
  if [[ -f "$run_dir/baseline/guidellm_results.json" ]]; then
    local speedup=("$SPECLENS_PY" -m speclens.analyzers.cli speedup "$run_dir/baseline" "$run_dir")
    step::run "$run_dir" analysis-speedup "${speedup[@]}" --format md -o "$run_dir/speedup.md" || return
    "${speedup[@]}" --format text
  fi
  step::run "$run_dir" analysis-report "$SPECLENS_PY" -m speclens.analyzers.cli report "$run_dir" -o "$run_dir/report.md"
}

# usage: launch::defaults   (globals shared by the small launchers; override with flags)
launch::defaults() {
  HOST=${HOST:-127.0.0.1} PORT=${PORT:-8000} TP=${TP:-1} K=${K:-3} LOG_DIR="" TINY_PAIR="" CLIENT_CMD=()
}

# usage: launch::parse_common ARG...   (consumes --host --port --tensor-parallel-size -k --log-dir and
#   `-- COMMAND...`; leaves the rest in LAUNCH_REST)
launch::parse_common() {
  LAUNCH_REST=()
  while (($#)); do
    case "$1" in
      --host) HOST=$2; shift ;;
      --port) PORT=$2; shift ;;
      --tensor-parallel-size) TP=$2; shift ;;
      -k|--num-speculative-tokens) K=$2; shift ;;
      --log-dir) LOG_DIR=$2; shift ;;
      --) shift; CLIENT_CMD=("$@"); break ;;
      *) LAUNCH_REST+=("$1") ;;
    esac
    shift
  done
}

# usage: launch::tiny_if_needed MODEL   (true and TINY_PAIR set when MODEL is empty or 'tiny' and no GPU)
launch::tiny_if_needed() {
  if [[ -z "$1" || "$1" == tiny ]]; then
    serve::has_gpu && [[ -z "$1" ]] && lib::die "a GPU is visible: pass the model(s) explicitly (or 'tiny')" 2
    step::quiet tiny::build
    TINY_PAIR=$(tiny::path)
    lib::log "using the embedded tiny model pair in $TINY_PAIR"
    return 0
  fi
  return 1
}

# usage: step::quiet COMMAND...   (runs it with stdout sent to stderr)
step::quiet() { "$@" >&2; }

# usage: launch::serve NAME PORT MODEL [VLLM_ARGS...]   (boots one server under supervision; its log and
#   pidfile go to LOG_DIR; sets LAUNCH_URL; exits non-zero if it does not become healthy)
launch::serve() {
  local name=$1 port=$2 model=$3
  shift 3
  preflight::port_free "$HOST" "$port"
  [[ -n "$LOG_DIR" ]] || LOG_DIR="launcher_runs/$(date +%Y%m%d_%H%M%S)_$$"
  mkdir -p "$LOG_DIR"
  serve::env "$LOG_DIR"
  serve::vllm_cmd
  local cmd=("${VLLM_CMD[@]}" serve "$model" --host "$HOST" --port "$port" --tensor-parallel-size "$TP" --seed 42 "$@")
  serve::has_gpu || cmd+=(--max-model-len 1024 --enforce-eager)
  vllm::start "$LOG_DIR/$name.log" "$LOG_DIR/$name.pid" "${cmd[@]}"
  vllm::wait_healthy "http://$HOST:$port" "$VLLM_PID" "$LOG_DIR/$name.log" "${BOOT_TIMEOUT:-900}" || exit 3
  # shellcheck disable=SC2034  # read by the launcher that called this
  LAUNCH_URL="http://$HOST:$port"
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
