#!/usr/bin/env bash
# launchers/lib_cells.sh: the cells of a multi-phase run (parsers/run_cells.py), for run_eval.sh (sourced,
# always under `set -Eeuo pipefail`; needs launchers/lib.sh). A cell is one load phase against a server
# that is already running, written as a complete run directory RUN/cells/<id>/ and listed, with its
# status, in the top run.json's `cells`. cells::run is the one "run one cell against the running server"
# function: issue 23's categories are a loop over it, issue 24's k x load grid is loops around it.
# shellcheck source=launchers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# usage: cells::manifest ARGS...   (launchers/manifest.py ARGS: run.json updates)
cells::manifest() { "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" "$@"; }

# usage: cells::id ROLE K CATEGORY [PROFILE]   (sets CELL_ID: "baseline" or "k<K>", then the profile and the
#   category when given, joined by '-': k3-coding, baseline-coding, k3-concurrent4-coding)
# shellcheck disable=SC2034  # CELL_ID is read by the caller
cells::id() {
  local parts=()
  if [[ "$1" == baseline ]]; then parts+=(baseline); else parts+=("k$2"); fi
  [[ -z "${4:-}" ]] || parts+=("${4//[^A-Za-z0-9._]/}")
  [[ -z "$3" ]] || parts+=("$3")
  local IFS=-
  CELL_ID="${parts[*]}"
}

# usage: cells::categories DATASET WANTED CATEGORY_COLUMN SPLIT_DIR PROMPT_COLUMN [--write]   (sets the arrays
#   CAT_IDS, CAT_NAMES, CAT_FILES, CAT_COLUMNS: each subset's folder-safe id, category, data file and
#   prompt column, from launchers/categories.py; SPLIT_DIR receives a column's subsets with --write.
#   A bad dataset or an unknown category: that script's one line, exit 2)
# shellcheck disable=SC2034  # the CAT_* arrays are read by the caller
cells::categories() {
  local out id name file column
  local args=("$1" "$2" --split-to "$4")
  [[ -z "$3" ]] || args+=(--category-column "$3")
  [[ -z "$5" ]] || args+=(--prompt-column "$5")
  [[ -z "${6:-}" ]] || args+=(--write)
  out=$("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/categories.py" "${args[@]}") || exit 2
  CAT_IDS=() CAT_NAMES=() CAT_FILES=() CAT_COLUMNS=()
  while IFS=$'\t' read -r id name file column; do
    CAT_IDS+=("$id") CAT_NAMES+=("$name") CAT_FILES+=("$file") CAT_COLUMNS+=("$column")
  done <<<"$out"
}

# usage: cells::log_size FILE   (sets LOG_OFFSET: FILE's size in bytes, 0 when it does not exist yet)
cells::log_size() {
  LOG_OFFSET=0
  [[ ! -f "$1" ]] || LOG_OFFSET=$(wc -c <"$1")
}

# usage: cells::log_window LOG START OUT   (OUT = LOG's bytes from offset START to its current end, exactly;
#   sets LOG_OFFSET to that end: the next window's start)
cells::log_window() {
  local log=$1 start=$2 out=$3
  cells::log_size "$log"
  (( LOG_OFFSET >= start )) || start=0  # the log was truncated: keep all of it
  dd if="$log" of="$out" bs=1M skip="$start" count="$((LOG_OFFSET - start))" iflag=skip_bytes,count_bytes status=none
}

# usage: cells::await_stats LOG OFFSET SECONDS   (after a load: returns once LOG, past byte OFFSET, holds
#   vLLM's stats line of an interval in which no token was generated ("Avg generation throughput: 0.0
#   tokens/s", logged once after a busy interval). The load's tokens were all generated before OFFSET was
#   taken, so every interval holding them, with its SpecDecoding line, has then reached the log. At most
#   SECONDS (2 intervals + 1 s, which covers them too): a server that logs no such line costs the bound.)
cells::await_stats() {
  local log=$1 offset=$2 deadline=$((SECONDS + $3))
  while (( SECONDS < deadline )); do
    if grep -q -F "Avg generation throughput: 0.0 tokens/s" < <(tail -c "+$((offset + 1))" "$log" 2>/dev/null); then
      return 0
    fi
    sleep 0.5
  done
}

# usage: cells::plan RUN ID ROLE K CATEGORY [PROFILE]   (lists the cell in RUN/run.json, status planned)
cells::plan() {
  cells::manifest cell "$1" "$2" "role=$3" "num_speculative_tokens=$4" "category=$5" "profile=${6:-}" status=planned
}

# usage: cells::top RUN ID KEY=VALUE...   (updates cell ID in the top run.json, unless CELLS_OWN_DIR_ONLY is set)
cells::top() { [[ -n "${CELLS_OWN_DIR_ONLY:-}" ]] || cells::manifest cell "$@"; }

# usage: cells::run RUN ID URL SERVER_PID SERVER_LOG CONFIG_FN LOAD_FN   (one cell against the running server:
#   RUN/cells/ID/ with CONFIG_FN DIR writing its run.json, the scrapes around LOAD_FN DIR (which sets
#   STEP_STATUS), the wait for the last stats to reach the log (cells::await_stats), the log's window for this cell,
#   run.json's end. The top's cell goes running -> ok|failed with the load's exit status (a failed scrape is
#   a warning, recorded as its step, as in a single-phase run); a failed cell does not stop the caller.
#   With CELLS_OWN_DIR_ONLY set (run_eval.sh --cell) the top run.json is left alone: only RUN/cells/ID/ is
#   written. Sets CELL_STATUS; CELL_RUNNING is ID while the cell runs (for an exit hook), "" after.)
# shellcheck disable=SC2034  # CELL_RUNNING is read by the caller's exit hook
cells::run() {
  local run=$1 id=$2 url=$3 pid=$4 log=$5 config_fn=$6 load_fn=$7 dir start
  dir="$run/$RUN_DIR_CELLS/$id"
  mkdir -p "$dir"
  CELL_RUNNING=$id
  cells::top "$run" "$id" status=running
  cells::log_size "$log"
  start=$LOG_OFFSET
  "$config_fn" "$dir"
  CELL_STATUS=0
  if kill -0 "$pid" 2>/dev/null; then
    step::try "$dir" metrics-before metrics::scrape "$url" "$dir/$RUN_FILE_METRICS_BEFORE"
    "$load_fn" "$dir"
    CELL_STATUS=$STEP_STATUS
    cells::log_size "$log"
    cells::await_stats "$log" "$LOG_OFFSET" "$((2 * VLLM_LOG_STATS_INTERVAL + 1))"
    step::try "$dir" metrics-after metrics::scrape "$url" "$dir/$RUN_FILE_METRICS_AFTER"
  else
    CELL_STATUS=5
    lib::log "cell $id: the server (pid $pid) is not running; recorded as failed"
  fi
  cells::log_window "$log" "$start" "$dir/$RUN_FILE_LOG"
  cells::manifest finish "$dir" "$CELL_STATUS"
  local status=ok
  (( CELL_STATUS == 0 )) || status=failed
  cells::top "$run" "$id" "status=$status" "exit_status=$CELL_STATUS"
  CELL_RUNNING=""
  lib::log "cell $id: $status (exit status $CELL_STATUS)"
}
