#!/usr/bin/env bash
# launchers/run_eval_cells.sh: run_eval.sh's cells, sourced by run_eval.sh (always under `set -Eeuo pipefail`;
# reads and sets run_eval.sh's globals): --categories resolved, the k x load (x category) grid of
# launchers/lib_grid.sh planned, listed in the plan and --dry-run, run server by server (one per k, one for
# the baseline) with cells::run of launchers/lib_cells.sh (the one "run one cell" function), --plan-only's
# commands, --resume's cells moved aside, and a cell cut short recorded by the exit hook.
# shellcheck disable=SC2034,SC2153  # run_eval.sh's globals: set here and read there, and the reverse
# shellcheck source=launchers/lib_grid.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_grid.sh"  # and lib_cells.sh

# usage: run_eval::resolve_categories   (--categories: the cells' subsets (cells::categories: CAT_IDS, CAT_NAMES,
#   CAT_FILES, CAT_COLUMNS), a column's subsets to be written to RUN/tmp/categories/; the top run has no
#   data of its own: DATA_SPEC / DATA_ARGS empty until run_eval::use_category picks a cell's)
run_eval::resolve_categories() {
  case "$DATASET" in
    emulated|*.txt) lib::die "--categories needs a dataset with subsets (a directory or HF repo of .json/.jsonl files, or a .json/.jsonl file with a category column), not '$DATASET'" 2 ;;
  esac
  CATEGORY_SPLIT_DIR="$OUTPUT_DIR/$RUN_DIR_TMP/categories"
  cells::categories "$DATASET" "$CATEGORIES" "$CATEGORY_COLUMN" "$CATEGORY_SPLIT_DIR" "$DATA_COLUMN"
  DATA_SPEC="" DATA_ARGS=() DATA_FILE="" DATA_PROMPT_TOKENS="" DATA_OUTPUT_TOKENS="" DATA_COLUMN_GIVEN=$DATA_COLUMN
  DATA_COLUMN=""
}

# usage: run_eval::use_category I   (DATA_SPEC, DATA_FILE, DATA_COLUMN, DATA_ARGS: the I-th category's data)
run_eval::use_category() {
  DATA_FILE=${CAT_FILES[$1]} DATA_COLUMN=${CAT_COLUMNS[$1]}
  DATA_SPEC="kind=json_file,path=$DATA_FILE"
  run_eval::data_args
}

# usage: run_eval::run_cells DIR MODEL SPEC_CONFIG   (the grid's cells still to run on the server this phase
#   started (SERVER_ROLE, K): each its load and data against it (cells::run), progress "[cell n/N] k=2
#   concurrent:4"; failed cells are added to CELLS_FAILED and the next one runs. A column's subsets are
#   written to CATEGORY_SPLIT_DIR for each phase and removed with the server's tmp.)
run_eval::run_cells() {
  local dir=$1 i
  if [[ -n "$CATEGORIES" ]]; then
    cells::categories "$DATASET" "$CATEGORIES" "$CATEGORY_COLUMN" "$CATEGORY_SPLIT_DIR" "$DATA_COLUMN_GIVEN" --write
    lib::remove_at_stop "$CATEGORY_SPLIT_DIR"
  fi
  PHASE_ROLE=$SERVER_ROLE PHASE_MODEL=$2 PHASE_SPEC=$3
  for i in "${GRID_TODO[@]}"; do
    [[ "${GRID_ROLES[i]}" == "$SERVER_ROLE" && ( "$SERVER_ROLE" == baseline || "${GRID_KS[i]}" == "$K" ) ]] || continue
    run_eval::use_cell "$i"
    GRID_DONE=$((GRID_DONE + 1))
    grid::label "$i"
    lib::log "[cell $GRID_DONE/${#GRID_TODO[@]}] $CELL_LABEL: $RUN_DIR_CELLS/${GRID_IDS[i]}"
    cells::run "$OUTPUT_DIR" "${GRID_IDS[i]}" "http://$HOST:$PORT" "$VLLM_PID" "$dir/$RUN_FILE_LOG" \
      run_eval::cell_config run_eval::load
    (( CELL_STATUS == 0 )) || CELLS_FAILED+=("${GRID_IDS[i]}")
  done
}

# usage: run_eval::use_cell I   (the I-th grid cell's load and data: PROFILE, PROFILE_SPEC, PHASE_CATEGORY and,
#   with categories, its subset (run_eval::use_category))
run_eval::use_cell() {
  PROFILE=${GRID_PROFILES[$1]} PHASE_CATEGORY=""
  run_eval::resolve_profile
  [[ -z "${GRID_CATS[$1]}" ]] || { run_eval::use_category "${GRID_CATS[$1]}"; PHASE_CATEGORY=${CAT_NAMES[${GRID_CATS[$1]}]}; }
}

# usage: run_eval::cell_config CELL_DIR   (the cell's run.json: the phase's config keys as a run directory
#   of its own would have them, its data and load command, config.category)
run_eval::cell_config() {
  local cell=$1
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "$cell" -- "${RUN_ARGV[@]}"
  if [[ "$PHASE_ROLE" == baseline ]]; then run_eval::baseline_config "$cell"; else run_eval::record_config "$cell"; fi
  run_eval::load_command "$cell"
  run_eval::record_phase "$cell" "$PHASE_MODEL" "$PHASE_SPEC"
  [[ -z "$PHASE_CATEGORY" ]] || "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$cell" "category=$PHASE_CATEGORY"
}

# usage: run_eval::plan_cells   (a new grid run, once its directory exists: every cell listed in run.json as
#   planned, the categories in its config)
run_eval::plan_cells() {
  local i
  for i in "${!GRID_IDS[@]}"; do
    cells::plan "$OUTPUT_DIR" "${GRID_IDS[i]}" "${GRID_ROLES[i]}" "${GRID_KS[i]}" \
      "${GRID_CATS[i]:+${CAT_NAMES[${GRID_CATS[i]:-0}]}}" "${GRID_PROFILES[i]}"
  done
  local IFS=, keys=()
  [[ -z "$CATEGORY_COLUMN" ]] || keys+=("category_column=$CATEGORY_COLUMN")  # recorded when given
  [[ -z "$CATEGORIES" ]] || keys+=("categories=${CAT_NAMES[*]}")
  (( ${#keys[@]} == 0 )) || "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$OUTPUT_DIR" "${keys[@]}"
}

# usage: run_eval::cells_verdict   (after the analysis: exit 4 naming the failed cells, if any)
run_eval::cells_verdict() {
  (( ${#CELLS_FAILED[@]} == 0 )) ||
    lib::die "${#CELLS_FAILED[@]} cell(s) failed: ${CELLS_FAILED[*]} (each recorded in $OUTPUT_DIR/$RUN_DIR_CELLS/<id>/ and run.json's cells)" 4
}

# usage: run_eval::plan_categories   (the categories' data, one line each)
run_eval::plan_categories() {
  local i
  lib::log "plan: ${#CAT_IDS[@]} categories of $DATASET, each its own load phase (cell) against one server per k and one for the baseline; tokenizer $TOKENIZER"
  for i in "${!CAT_IDS[@]}"; do
    lib::log "plan: category ${CAT_NAMES[i]}: data ${CAT_FILES[i]} (prompt column ${CAT_COLUMNS[i]})"
  done
}

# usage: run_eval::dry_run_cells ROLE K   (the load commands of one server's cells still to run)
run_eval::dry_run_cells() {
  local i
  for i in "${GRID_TODO[@]}"; do
    [[ "${GRID_ROLES[i]}" == "$1" && ( "$1" == baseline || "${GRID_KS[i]}" == "$2" ) ]] || continue
    run_eval::use_cell "$i"
    run_eval::load_command "$OUTPUT_DIR/$RUN_DIR_CELLS/${GRID_IDS[i]}"; lib::print_cmd "${LOAD_CMD[@]}"
  done
}
