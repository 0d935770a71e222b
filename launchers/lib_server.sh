#!/usr/bin/env bash
# launchers/lib_server.sh: a server's lifecycle, part of launchers/lib.sh (sourced by lib.sh only, once, always
# under `set -Eeuo pipefail`; a launcher sources lib.sh, never this file). The host's GPUs (detected when
# sourced), preflight checks, vllm::start (setsid, own log, pidfile, cleanup registered at once) →
# vllm::wait_healthy (deadline + liveness) → vllm::stop (TERM to the process group, grace, KILL), the
# /metrics scrape and the environment every server gets. Uses lib.sh's lib:: functions and _LIB_* state.

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
  # shellcheck disable=SC2004  # _LIB_PIDFILES is lib.sh's associative array (declare -gA): a pid key, not arithmetic
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
