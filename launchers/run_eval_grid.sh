#!/usr/bin/env bash
# launchers/run_eval_grid.sh: run_eval.sh's k x load grid (issue 24), sourced by run_eval.sh after
# launchers/run_eval_cells.sh (always under `set -Eeuo pipefail`; reads and sets run_eval.sh's globals): when a
# run is a grid, the server lifetimes (one per k, restarted only when k changes, one for the baseline) and
# their folders, --plan-only's one command per cell, --resume / --cell, the exit hook for a cell cut short,
# and the grid's analysis (`speclens sweep`).
# shellcheck disable=SC2034,SC2153  # run_eval.sh's globals: set here and read there, and the reverse

# usage: run_eval::open_run   (a new run: its directory, made here and never reused, and its run.json; a --resume:
#   the run's directory as it is; both: the traps and the exit hook that finishes run.json)
run_eval::open_run() {
  if [[ -z "$RESUME" ]]; then
    mkdir -p "$(dirname "$OUTPUT_DIR")"
    mkdir "$OUTPUT_DIR" 2>/dev/null || lib::die "output directory $OUTPUT_DIR already exists; pass a new -o DIR" 2
  fi
  preflight::disk "$OUTPUT_DIR" 512
  lib::install_traps
  [[ -n "$RESUME" ]] || "$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "$OUTPUT_DIR" -- "${RUN_ARGV[@]}"
  lib::at_exit run_eval::finish
  [[ -n "$RESUME" ]] || run_eval::record_config "$OUTPUT_DIR"
  [[ -z "$GRID" || -n "$RESUME" ]] || run_eval::plan_cells
  [[ -z "$RESUME" ]] || run_eval::prepare_cells
}

# usage: run_eval::grid_setup   (after run_eval::resolve: GRID=1 for a run of cells (several k or loads,
#   categories, --resume, --cell, --plan-only), the grid built, GRID_TODO its cells still to run)
run_eval::grid_setup() {
  GRID="" GRID_DONE=0 CELLS_FAILED=() GRID_TODO=()
  if (( ${#KS[@]} > 1 || ${#PROFILES[@]} > 1 )) || [[ -n "$CATEGORIES$RESUME$CELL_ONLY$PLAN_ONLY" ]]; then GRID=1; fi
  [[ -n "$GRID" ]] || return 0
  [[ "$MODEL_FORMAT" != speculators || ${#KS[@]} == 1 ]] || lib::die "-m $MODEL: a speculators checkpoint sets its own k; a list of --num-speculative-tokens needs a draft or head (--base-model) or --method ngram" 2
  [[ -z "$CELL_ONLY" || -n "$RESUME" ]] || lib::die "--cell ID needs --resume RUN_DIR (the run whose grid lists it)" 2
  grid::build "$BASELINE"
  grid::todo "$OUTPUT_DIR" "$CELL_ONLY"
  [[ -z "$CELL_ONLY" ]] || CATEGORY_SPLIT_DIR="$OUTPUT_DIR/$RUN_DIR_CELLS/$CELL_ONLY/server/tmp/categories"
}

# usage: run_eval::server_dir ROLE K   (sets SERVER_DIR: where one server lifetime's log, scrapes and boot steps
#   go, its run.json made when new: the run itself for a single k (RUN/baseline for the baseline); RUN/servers/
#   k<K> for several k; RUN/servers/<stamp>-<role><k> on --resume (the first lifetimes' logs are kept); the
#   cell's own RUN/cells/<id>/server with --cell (it writes nothing else))
run_eval::server_dir() {
  local name=$1$2
  [[ "$1" != spec ]] || name=k$2
  if [[ -n "$CELL_ONLY" ]]; then SERVER_DIR="$OUTPUT_DIR/$RUN_DIR_CELLS/$CELL_ONLY/server"
  elif [[ -n "$RESUME" ]]; then SERVER_DIR="$OUTPUT_DIR/servers/$RUN_STAMP-$name"
  elif [[ "$1" == baseline ]]; then SERVER_DIR="$OUTPUT_DIR/$RUN_DIR_BASELINE"
  elif (( ${#KS[@]} == 1 )); then SERVER_DIR=$OUTPUT_DIR
  else SERVER_DIR="$OUTPUT_DIR/servers/$name"; fi
  [[ ! -f "$SERVER_DIR/run.json" ]] || return 0
  mkdir -p "$SERVER_DIR"
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "$SERVER_DIR" -- "${RUN_ARGV[@]}"
  if [[ "$1" == baseline ]]; then run_eval::baseline_config "$SERVER_DIR"; else run_eval::record_config "$SERVER_DIR"; fi
}

# usage: run_eval::grid_has ROLE K   (sets GRID_HAS: 1 when a cell of that server is still to run, else "")
run_eval::grid_has() {
  local i
  GRID_HAS=""
  for i in "${GRID_TODO[@]}"; do
    [[ "${GRID_ROLES[i]}" != "$1" || ( "$1" == spec && "${GRID_KS[i]}" != "$2" ) ]] || GRID_HAS=1
  done
}

# usage: run_eval::grid_run   (one server lifetime per k with cells to run (restarted only when k changes),
#   then one for the baseline; each runs its cells (run_eval::run_cells))
run_eval::grid_run() {
  local k
  for k in "${KS[@]}"; do
    run_eval::grid_has spec "$k"
    [[ -n "$GRID_HAS" ]] || continue
    run_eval::use_k "$k"
    SERVER_ROLE=spec
    run_eval::server_dir spec "$k"
    run_eval::phase "$SERVER_DIR" "$TARGET" "$SPEC_CONFIG"
  done
  run_eval::grid_has baseline ""
  if [[ -n "$GRID_HAS" ]]; then  # baseline cells exist only with the baseline
    SERVER_ROLE=baseline
    run_eval::server_dir baseline ""
    run_eval::phase "$SERVER_DIR" "$BASELINE_TARGET" ""
  fi
}

# usage: run_eval::use_k K   (K and the --speculative-config it is served with)
run_eval::use_k() {
  K=$1
  if [[ -n "$METHOD" && -z "$VERIFIER" ]]; then spec::config "$METHOD" "$K" "$SPEC_MODEL"; fi
}

# usage: run_eval::prepare_cells   (before a --resume: a failed or interrupted cell's folder is moved aside to
#   RUN/cells/<id>.attempt-<stamp> (kept, no longer listed), so the cell runs again into a fresh folder)
run_eval::prepare_cells() {
  local i dir
  for i in "${GRID_TODO[@]}"; do
    dir="$OUTPUT_DIR/$RUN_DIR_CELLS/${GRID_IDS[i]}"
    [[ ! -e "$dir" ]] || mv "$dir" "$dir.attempt-$RUN_STAMP"
  done
}

# usage: run_eval::grid_finish STATUS   (exit hook of a grid run: a cell cut short by a signal or an error is
#   finished with that status in its own run.json and marked interrupted (or failed) in the top's cells)
run_eval::grid_finish() {
  [[ -n "${CELL_RUNNING:-}" ]] || return 0
  local status=failed
  (( $1 != 130 && $1 != 143 )) || status=interrupted
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" finish "$OUTPUT_DIR/$RUN_DIR_CELLS/$CELL_RUNNING" "$1" || true
  [[ -n "$CELL_ONLY" ]] || cells::manifest cell "$OUTPUT_DIR" "$CELL_RUNNING" "status=$status" "exit_status=$1" || true
}

# usage: run_eval::plan_only   (--plan-only RUN_DIR: the grid written to RUN_DIR/run.json, each cell with the one
#   self-contained command that runs it (its own server on port PORT + its index), printed one per line)
run_eval::plan_only() {
  local i abs cmd
  mkdir -p "$(dirname "$OUTPUT_DIR")"
  mkdir "$OUTPUT_DIR" 2>/dev/null || lib::die "output directory $OUTPUT_DIR already exists; pass a new --plan-only DIR" 2
  abs=$(cd "$OUTPUT_DIR" && pwd)
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "$OUTPUT_DIR" -- "${RUN_ARGV[@]}"
  run_eval::record_config "$OUTPUT_DIR"
  run_eval::plan_cells
  for i in "${!GRID_IDS[@]}"; do
    cmd=("$ROOT/run_eval.sh" --resume "$abs" --cell "${GRID_IDS[i]}" --port "$((PORT + i))")
    cells::manifest cell "$OUTPUT_DIR" "${GRID_IDS[i]}" "command=${cmd[*]@Q}"
    lib::print_cmd "${cmd[@]}"
  done
  lib::log "plan-only: ${#GRID_IDS[@]} cell commands written to $OUTPUT_DIR/run.json; run them anywhere (xargs -P, a SLURM array), then: speclens sweep $OUTPUT_DIR"
}

# usage: run_eval::grid_main   (a grid's servers and cells, then its analysis: `speclens sweep` (RUN/sweep.md
#   with its plots, and as text), or for one k and load the whole server's report as issue 23 did; exit 4 naming
#   the failed cells. A --cell run analyzes nothing: the collector runs `speclens sweep`.)
run_eval::grid_main() {
  run_eval::grid_run
  run_eval::grid_steps
  analysis::run_steps "$OUTPUT_DIR"
  run_eval::cells_verdict
  lib::log "run directory: $OUTPUT_DIR"
}

# usage: run_eval::grid_steps   (sets ANALYSIS_STEPS of a grid run: none for --cell (the collector runs `speclens
#   sweep`); for one k and one load (issue 23's categories) the whole server's report; else `speclens sweep`)
run_eval::grid_steps() {
  ANALYSIS_STEPS=()
  if [[ -n "$CELL_ONLY" ]]; then return 0; fi
  if (( ${#KS[@]} == 1 && ${#PROFILES[@]} == 1 )) && [[ -z "$RESUME" ]]; then analysis::steps ""; else analysis::sweep_steps; fi
}

# usage: run_eval::resume_options ARGS...   (--resume RUN_DIR: the options RUN_DIR/run.json recorded (SAVED_ARGV),
#   then this command line's on top (--cell, --port); OUTPUT_DIR is RUN_DIR)
run_eval::resume_options() {
  local dir=$RESUME
  [[ -f "$dir/run.json" ]] || lib::die "--resume $dir: no run.json there (pass a run directory run_eval.sh wrote)" 2
  mapfile -d '' -t SAVED_ARGV < <("$SPECLENS_PY" "$ROOT/launchers/manifest.py" argv "$dir") || exit 2
  run_eval::defaults
  run_eval::parse "${SAVED_ARGV[@]}"
  PLAN_ONLY="" DRY_RUN=""
  run_eval::parse "$@"
  OUTPUT_DIR=$dir
  [[ -z "$CELL_ONLY" ]] || CELLS_OWN_DIR_ONLY=1
}
