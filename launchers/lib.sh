#!/usr/bin/env bash
# launchers/lib.sh: sourced by every launcher (through lib_launch.sh), run_eval.sh (through
# lib_analysis.sh) and setup.sh, always under `set -Eeuo pipefail`. Small named functions, each with
# a usage line. Lifecycle: preflight → vllm::start (setsid, own log, pidfile, cleanup registered at
# once) → vllm::wait_healthy (deadline + liveness) → work → vllm::stop (TERM to the process group,
# grace, KILL). Never kills by name or by port. Commands are arrays, each built by one function.
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

# usage: gpu::detect   (sets GPU_COUNT, the NVIDIA GPUs `nvidia-smi -L` lists (0 without nvidia-smi or a
#   working driver), and GPU_FIRST, the first one's line; asks nvidia-smi once per shell, however often
#   called. Run when this file is sourced: everything else reads GPU_COUNT.)
gpu::detect() {
  [[ -z "$_LIB_GPUS_DETECTED" ]] || return 0
  _LIB_GPUS_DETECTED=1
  local line
  GPU_COUNT=0 GPU_FIRST=""
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  while IFS= read -r line; do
    [[ "$line" == GPU* ]] || continue
    GPU_COUNT=$((GPU_COUNT + 1))
    GPU_FIRST=${GPU_FIRST:-$line}
  done < <(nvidia-smi -L 2>/dev/null || true)
}
gpu::detect

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

# usage: vllm::start LOG PIDFILE COMMAND...   (sets VLLM_PID; the server leads its own process group by
#   the time this returns, so stopping that group right after cannot miss it)
vllm::start() {
  local log=$1 pidfile=$2 tries=0
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  VLLM_PID=$!
  until kill -0 -- "-$VLLM_PID" 2>/dev/null || ! kill -0 "$VLLM_PID" 2>/dev/null || (( ++tries > 500 )); do
    sleep 0.01
  done
  lib::register_group "$VLLM_PID"
  printf '%s\n' "$VLLM_PID" >"$pidfile"
  _LIB_PIDFILES[$VLLM_PID]=$pidfile
  lib::log "started (pid $VLLM_PID, log $log): ${*@Q}"
}

# usage: vllm::wait_healthy URL PID LOG TIMEOUT_S [INTERVAL_S]   (sets VLLM_HEALTHY: 1 once GET URL/health
#   answers 200; 0 when the process died or the deadline passed, after printing the last 50 log lines and
#   stopping the server. Returns 0 either way: the caller decides.)
# shellcheck disable=SC2034  # VLLM_HEALTHY is read by the caller
vllm::wait_healthy() {
  local url=$1 pid=$2 log=$3 timeout=$4 interval=${5:-2} tries=0
  local deadline=$((SECONDS + timeout))
  VLLM_HEALTHY=0
  while (( SECONDS < deadline )); do
    tries=$((tries + 1))
    if curl -sf --max-time 2 -o /dev/null "$url/health"; then
      lib::log "healthy after ${tries} tries ($url/health)"
      VLLM_HEALTHY=1
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      printf 'error: the server exited during boot (pid %s); last 50 lines of %s:\n' "$pid" "$log" >&2
      tail -n 50 "$log" >&2 || true
      vllm::stop "$pid"
      return 0
    fi
    sleep "$interval"
  done
  printf 'error: %s/health not healthy after %ss (%s tries every %ss); last 50 lines of %s:\n' \
    "$url" "$timeout" "$tries" "$interval" "$log" >&2
  tail -n 50 "$log" >&2 || true
  vllm::stop "$pid"
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
#   run's own tmp/ when that path is short, else a private directory under the project cache (or the
#   caller's TMPDIR, or /tmp, whichever is short enough); either way it is removed when the run ends.
serve::env() {
  local run_dir=$1 tmp base
  mkdir -p "$SPECLENS_CACHE/vllm"
  tmp="$(cd "$run_dir" && pwd)/$RUN_DIR_TMP"
  if (( ${#tmp} > 50 )); then
    base="$SPECLENS_CACHE/tmp"
    (( ${#base} <= 42 )) || base=${TMPDIR:-/tmp}
    (( ${#base} <= 42 )) || base=/tmp
    mkdir -p "$base"
    tmp=$(mktemp -d "$base/speclens.XXXXXX")
  fi
  mkdir -p "$tmp"
  _LIB_TMPDIRS+=("$tmp")
  export TMPDIR="$tmp" VLLM_CACHE_ROOT="$SPECLENS_CACHE/vllm"
  export TORCHINDUCTOR_CACHE_DIR="$SPECLENS_CACHE/vllm/inductor" VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
  export VLLM_LOG_STATS_INTERVAL=${VLLM_LOG_STATS_INTERVAL:-5}
  (( GPU_COUNT > 0 )) || export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-1} VLLM_TARGET_DEVICE=cpu
}

# The vLLM versions the launchers were run against end to end (vllm-cpu 0.32.0 here); another version
# still runs (its log lines are read by the same rules, an unknown line shape is reported), with a warning.
VLLM_VERIFIED_VERSIONS=(0.32.0)

# usage: vllm::choose [SPEC]   (which vLLM every server runs: SPEC, else SPECLENS_VLLM, else the one
#   `./setup.sh --vllm` recorded in .venv/speclens-vllm, else the project's own venv. SPEC is a Python interpreter with vLLM installed (python*, or a venv directory: its
#   bin/python), run through our entry point launchers/vllm_cli.py (which also works where the vllm-cpu
#   distribution's console script is broken), or any other executable taking `serve MODEL ...` (a `vllm`
#   console script, a custom build, a stand-in in fault tests). Sets VLLM_CMD (argv prefix), VLLM_PYTHON
#   (the interpreter, "" for an executable) and VLLM_SOURCE (what was given, for run.json); dies (exit 2)
#   when SPEC is not an executable.)
SPECLENS_VLLM_FILE=speclens-vllm  # in .venv (SPECLENS_PY's venv): the vLLM `./setup.sh --vllm X` recorded
vllm::choose() {
  local spec=${1:-${SPECLENS_VLLM:-}} found
  local record
  record="$(dirname "$(dirname "$SPECLENS_PY")")/$SPECLENS_VLLM_FILE"  # beside SPECLENS_PY's venv
  if [[ -z "$spec" && -f "$record" ]]; then spec=$(<"$record"); fi
  # shellcheck disable=SC2034  # read by run_eval.sh and setup.sh
  VLLM_SOURCE=${spec:-$SPECLENS_PY}
  if [[ -z "$spec" ]]; then
    VLLM_CMD=("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/vllm_cli.py") VLLM_PYTHON=$SPECLENS_PY
    return 0
  fi
  if [[ -d "$spec" ]]; then
    [[ -x "$spec/bin/python" ]] || lib::die "--vllm $spec: a directory without bin/python (pass a venv, its python, or a vllm executable)" 2
    spec="$spec/bin/python"
  fi
  found=$(command -v -- "$spec" || true)
  [[ -n "$found" && -x "$found" ]] || lib::die "--vllm $spec: no such executable (pass a Python with vLLM installed, a venv directory, or a vllm executable)" 2
  case "$(basename -- "$found")" in
    python|python[0-9]*) VLLM_CMD=("$found" "$SPECLENS_ROOT/launchers/vllm_cli.py") VLLM_PYTHON=$found ;;
    *) VLLM_CMD=("$found") VLLM_PYTHON="" ;;
  esac
}

# usage: vllm::check_version   (after vllm::choose: sets VLLM_VERSION, the chosen install's vLLM version
#   (distribution vllm, else vllm-cpu, read from its metadata; for an executable, `EXE --version`, 60 s
#   at most). An interpreter without vLLM dies (exit 2); an unreadable version or one outside
#   VLLM_VERIFIED_VERSIONS is a warning: the run goes on.)
vllm::check_version() {
  local out verified
  VLLM_VERSION=""
  if [[ -n "$VLLM_PYTHON" ]]; then
    out=$("$VLLM_PYTHON" -c '
import importlib.metadata as m
for name in ("vllm", "vllm-cpu"):
    try:
        print(m.version(name), name); break
    except m.PackageNotFoundError:
        pass
' 2>/dev/null || true)
    [[ -n "$out" ]] || lib::die "--vllm $VLLM_PYTHON: no vllm (or vllm-cpu) distribution is installed for that Python; install vLLM there or pass another" 2
    VLLM_VERSION=${out%% *}
  else
    out=$(timeout 60 "${VLLM_CMD[@]}" --version </dev/null 2>/dev/null | tail -n 1 || true)
    [[ "$out" =~ ^v?([0-9]+\.[0-9]+[^[:space:]]*)$ ]] && VLLM_VERSION=${BASH_REMATCH[1]}
  fi
  if [[ -z "$VLLM_VERSION" ]]; then
    lib::log "warning: could not read the vLLM version of ${VLLM_CMD[*]} (\`--version\` printed '${out:0:80}'); recorded as unknown"
    return 0
  fi
  for verified in "${VLLM_VERIFIED_VERSIONS[@]}"; do
    [[ "${VLLM_VERSION%%+*}" != "$verified" ]] || return 0
  done
  lib::log "warning: vLLM $VLLM_VERSION is not a version these launchers were verified against (${VLLM_VERIFIED_VERSIONS[*]}); it should still run, its log lines are read by the same rules and an unknown line shape is reported, not guessed"
}

# usage: serve::command MODEL PORT SERVED_NAME [VLLM_ARGS...]   (sets SERVE_CMD: the one `vllm serve` argv
#   every server we start runs: VLLM_CMD (vllm::choose; chosen here when not yet), then `serve MODEL`.
#   HOST and TP come from the caller's globals, so does GPU_UTIL (on a GPU, when set); on CPU
#   --max-model-len 1024 --enforce-eager. VLLM_ARGS come last, so they win.)
serve::command() {
  local model=$1 port=$2 name=$3
  shift 3
  if [[ -z "${VLLM_CMD+set}" ]]; then vllm::choose ""; fi
  SERVE_CMD=("${VLLM_CMD[@]}" serve "$model" --host "$HOST" --port "$port")
  [[ -z "$name" ]] || SERVE_CMD+=(--served-model-name "$name")
  SERVE_CMD+=(--tensor-parallel-size "$TP" --seed 42)
  if (( GPU_COUNT > 0 )); then
    [[ -z "${GPU_UTIL:-}" ]] || SERVE_CMD+=(--gpu-memory-utilization "$GPU_UTIL")
  else
    SERVE_CMD+=(--max-model-len 1024 --enforce-eager)
  fi
  SERVE_CMD+=("$@")
}

# usage: spec::config METHOD K MODEL   (sets SPEC_CONFIG: vLLM's --speculative-config JSON for METHOD with k=K
#   and the draft or head MODEL ("" for ngram); launchers/manifest.py spec-config is its one builder)
# shellcheck disable=SC2034  # SPEC_CONFIG is read by the caller
spec::config() { SPEC_CONFIG=$("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" spec-config "$@"); }

# usage: spec::per_request LEVEL   (sets PER_REQUEST_ARGS and PER_REQUEST_STATE: vLLM's per-request spec-decode
#   metrics, each response's metrics.speculative_decoding (--per-request-spec-decode-metrics, vLLM >= 0.29), at LEVEL
#   summary | detailed; none for off, an older vLLM or an unknown version, which PER_REQUEST_STATE and the log say)
# shellcheck disable=SC2034  # PER_REQUEST_ARGS and PER_REQUEST_STATE are read by the caller
spec::per_request() {
  PER_REQUEST_ARGS=() PER_REQUEST_STATE=$1
  [[ "$1" != off ]] || return 0
  if [[ "${VLLM_VERSION:-}" =~ ^([0-9]+)\.([0-9]+) ]] && (( BASH_REMATCH[1] > 0 || BASH_REMATCH[2] >= 29 )); then
    PER_REQUEST_ARGS=(--per-request-spec-decode-metrics "$1")
    return 0
  fi
  PER_REQUEST_STATE="unsupported: vLLM ${VLLM_VERSION:-version unknown} (per-request metrics need vLLM >= 0.29)"
  lib::log "note: no per-request spec-decode metrics: ${PER_REQUEST_STATE#unsupported: }"
}

# usage: spec::per_request_level OPTION VALUE   (dies with exit 2 unless VALUE is summary, detailed or off)
spec::per_request_level() {
  [[ "$2" =~ ^(summary|detailed|off)$ ]] || lib::die "$1 must be summary, detailed or off, not '$2'" 2
}

# usage: step::start COMMAND...   (COMMAND as a background job leading its own process group, so a SIGINT/
#   SIGTERM to the script is handled at once and the EXIT trap stops that group too; redirections of this
#   call apply to COMMAND)
step::start() {
  set -m
  "$@" &
  _LIB_STEP_PGID=$!
  set +m
}

# usage: step::wait   (waits for the job step::start began; sets STEP_STATUS to its exit status)
step::wait() {
  STEP_STATUS=0
  wait "$_LIB_STEP_PGID" || STEP_STATUS=$?
  _LIB_STEP_PGID=""
}

# usage: step::watch SERVER_PID WHAT   (step::wait, but watching SERVER_PID every second: when that process
#   dies first, the step's process group is stopped from here (TERM, 10 s grace, KILL) and STEP_STATUS is 5;
#   WHAT names the step in the message)
step::watch() {
  local server=$1 what=$2
  while kill -0 "$_LIB_STEP_PGID" 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null; then
      lib::log "the server (pid $server) died during $what; stopping it (process group $_LIB_STEP_PGID)"
      vllm::stop "$_LIB_STEP_PGID" 10
      _LIB_STEP_PGID="" STEP_STATUS=5
      return 0
    fi
    sleep 1
  done
  step::wait
}

# usage: step::record RUN_DIR NAME STATUS STARTED_EPOCH [COMMAND...]   (one step in run.json, ending now)
step::record() {
  local run_dir=$1 name=$2 status=$3 started=$4
  shift 4
  "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" step "$run_dir" "$name" "$status" "$started" "$EPOCHREALTIME" -- "$@"
}

# usage: step::try RUN_DIR NAME COMMAND...   (runs COMMAND as a step (step::start) and records its argv, exit
#   status and seconds in run.json; sets STEP_STATUS and returns 0: for steps whose failure is tolerated)
step::try() {
  local run_dir=$1 name=$2 started=$EPOCHREALTIME
  shift 2
  step::start "$@"
  step::wait
  step::record "$run_dir" "$name" "$STEP_STATUS" "$started" "$@"
}

# usage: step::run RUN_DIR NAME COMMAND...   (step::try, returning the command's status: a failure ends the script)
step::run() { step::try "$@"; return "$STEP_STATUS"; }

# usage: tiny::choose MODEL OPTION   (whether the embedded tiny pair is served: TINY_PAIR is its cache
#   directory when MODEL is empty or 'tiny', else ""; MODEL empty with a GPU visible dies (exit 2). Logs
#   the choice and builds nothing (tiny::build does). OPTION is the flag that names MODEL, for messages.)
tiny::choose() {
  local model=$1 option=$2 why
  TINY_PAIR=""
  [[ -z "$model" || "$model" == tiny ]] || return 0
  [[ -n "$model" ]] || (( GPU_COUNT == 0 )) ||
    lib::die "a GPU is visible: pass $option MODEL (or $option tiny for the embedded pair)" 2
  TINY_PAIR=$("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/tiny/build.py" --print-path) ||
    lib::die "cannot locate the tiny model cache; run ./setup.sh" 2
  why="no $option given"
  [[ -z "$model" ]] || why="$option tiny"
  lib::log "$why: using the embedded tiny model pair in $TINY_PAIR (built offline, CPU-sized)"
}

# usage: tiny::build_command   (sets TINY_BUILD_CMD: builds the tiny pair once, cached by recipe hash;
#   torch's compile caches go to the project cache, not /tmp/torchinductor_<user>)
tiny::build_command() {
  TINY_BUILD_CMD=(env "TORCHINDUCTOR_CACHE_DIR=${TORCHINDUCTOR_CACHE_DIR:-$SPECLENS_CACHE/vllm/inductor}"
                  "TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-$SPECLENS_CACHE/vllm/triton}"
                  "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/tiny/build.py")
}

# usage: tiny::build   (runs TINY_BUILD_CMD; a failed build fails the caller with the build's status)
tiny::build() { tiny::build_command; "${TINY_BUILD_CMD[@]}"; }
