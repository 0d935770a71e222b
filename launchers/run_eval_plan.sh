#!/usr/bin/env bash
# launchers/run_eval_plan.sh: what a run_eval.sh run does, said before and recorded while it does it, sourced
# by run_eval.sh (always under `set -Eeuo pipefail`; reads run_eval.sh's globals): the plan on stderr,
# --dry-run's commands (from the same builders a run uses), and the typed run.json config of a run and a phase.
# shellcheck disable=SC2034,SC2153  # run_eval.sh's globals

# usage: run_eval::record_phase RUN_DIR MODEL SPEC_CONFIG   (the settings this phase's server and load ran
#   with, as run.json's typed config keys (parsers/run_dir.py RunConfig: the same keys in both phases),
#   and the two commands. A --speculative-config among the user's extra vLLM arguments is the one served.)
run_eval::record_phase() {
  local spec=$3 arg i
  for (( i = 0; i < ${#EXTRA_VLLM_ARGS[@]}; i++ )); do
    arg=${EXTRA_VLLM_ARGS[i]}
    if [[ "$arg" == --speculative[-_]config ]]; then spec=${EXTRA_VLLM_ARGS[i + 1]:-}
    elif [[ "$arg" == --speculative[-_]config=* ]]; then spec=${arg#*=}; fi
  done
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$1" "target=$2" "speculative_config=$spec" \
    "temperature=$TEMPERATURE" "data_spec=$DATA_SPEC" "prompt_tokens=$DATA_PROMPT_TOKENS" \
    "output_tokens=$DATA_OUTPUT_TOKENS" "endpoint=$REQUEST_FORMAT" "profile=$PROFILE_SPEC" \
    "max_requests=$MAX_REQUESTS" "max_seconds=$MAX_SECONDS" "server_command=${SERVER_CMD[*]@Q}" \
    "load_command=${LOAD_CMD[*]@Q}" "per_request_metrics=$(run_eval::per_request_state "$2" "$3")" \
    "log_stats_interval_s=${VLLM_LOG_STATS_INTERVAL:-}"
}

run_eval::record_config() {
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$1" "model=$MODEL" "target=$TARGET" \
    "method=$METHOD" "num_speculative_tokens=$K" "speculative_config=$SPEC_CONFIG" "dataset=$DATASET" \
    "data_spec=$DATA_SPEC" "profile=$PROFILE_SPEC" "max_requests=$MAX_REQUESTS" "max_seconds=$MAX_SECONDS" \
    "tensor_parallel_size=$TP" "host=$HOST" "port=$PORT" "temperature=$TEMPERATURE" "tiny_pair=$TINY_PAIR" \
    "baseline=${BASELINE:-0}" "api_key_set=$([[ -n "$API_KEY" ]] && echo yes || echo no)" \
    "model_format=$MODEL_FORMAT" "speculators_algorithm=$SPEC_ALGORITHM" "verifier=$VERIFIER" \
    "baseline_target=$BASELINE_TARGET" "tokenizer=$TOKENIZER" "data_file=$DATA_FILE" "data_column=$DATA_COLUMN" \
    "data_args=${DATA_ARGS[*]@Q}" "vllm=$VLLM_SOURCE" "vllm_version=$VLLM_VERSION"
}

# usage: run_eval::plan   (what the run will do, on stderr before anything starts: model and how it is
#   served, the baseline, the data, the duration and any request cap, the vLLM install)
run_eval::plan() {
  local cap="no request cap" how="--speculative-config ${SPEC_CONFIG:-(none)}"
  (( MAX_REQUESTS == 0 )) || cap="at most $MAX_REQUESTS requests"
  [[ -z "$CAP_DEFAULTED" ]] || cap+=" (the default without a GPU; --max-requests N changes it, 0 removes it)"
  [[ "$MODEL_FORMAT" != speculators ]] || how="served directly: speculators checkpoint, $SPEC_ALGORITHM, k=$K, verifier $VERIFIER"
  lib::log "plan: model $TARGET ($how)"
  [[ -z "$BASELINE" ]] || lib::log "plan: baseline phase serves $BASELINE_TARGET alone under the same load"
  if [[ -n "$CATEGORIES" ]]; then run_eval::plan_categories; else lib::log "plan: data ${DATA_ARGS[*]}; tokenizer $TOKENIZER"; fi
  [[ -z "$GRID" ]] || grid::plan_lines "$MAX_SECONDS" "$MAX_REQUESTS"
  lib::log "plan: load $PROFILE_SPEC for ${MAX_SECONDS}s, $cap"
  lib::log "plan: vLLM ${VLLM_VERSION:-(version unknown)} via ${VLLM_CMD[*]}"
}

# usage: run_eval::dry_run   (prints, one per line, every command a run would execute, from the same
#   builders: the tiny build, each server and its loads (a grid: each k's, then the baseline's cells), each
#   analysis step)
run_eval::dry_run() {
  local step k
  if [[ -n "$TINY_PAIR" ]]; then tiny::build_command; lib::print_cmd "${TINY_BUILD_CMD[@]}"; fi
  if [[ -n "$GRID" ]]; then
    for k in "${KS[@]}"; do
      run_eval::grid_has spec "$k"
      [[ -n "$GRID_HAS" ]] || continue
      run_eval::use_k "$k"
      run_eval::server_command "$TARGET" "$SPEC_CONFIG"; lib::print_cmd "${SERVER_CMD[@]}"
      run_eval::dry_run_cells spec "$k"
    done
    run_eval::grid_has baseline ""
    if [[ -n "$GRID_HAS" ]]; then
      run_eval::server_command "$BASELINE_TARGET" ""; lib::print_cmd "${SERVER_CMD[@]}"
      run_eval::dry_run_cells baseline ""
    fi
    run_eval::grid_steps
  else
    run_eval::server_command "$TARGET" "$SPEC_CONFIG"; lib::print_cmd "${SERVER_CMD[@]}"
    run_eval::load_command "$OUTPUT_DIR"; lib::print_cmd "${LOAD_CMD[@]}"
    if [[ -n "$BASELINE" ]]; then
      run_eval::server_command "$BASELINE_TARGET" ""; lib::print_cmd "${SERVER_CMD[@]}"
      run_eval::load_command "$OUTPUT_DIR/$RUN_DIR_BASELINE"; lib::print_cmd "${LOAD_CMD[@]}"
    fi
    analysis::steps "$BASELINE"
  fi
  for step in "${ANALYSIS_STEPS[@]}"; do
    analysis::command "$step" "$OUTPUT_DIR"; lib::print_cmd "${ANALYSIS_CMD[@]}"
  done
}
