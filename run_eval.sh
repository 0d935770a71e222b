#!/usr/bin/env bash
# usage: ./run_eval.sh [-m MODEL] [-d DATASET] [OPTIONS] [-- EXTRA_VLLM_ARGS...]
#
# Boots a vLLM server with speculative decoding, drives load with guidellm, scrapes /metrics
# before and after, and leaves a self-describing run directory analyzed by speclens.
#
#   -m, --model MODEL            speculators-format checkpoint (a dir or HF ID whose config.json has
#                                speculators_config: served directly, its verifier is the tokenizer and
#                                the baseline), draft/head model (with --base-model), target (with
#                                --method ngram), or 'tiny' (default without a GPU: the embedded tiny pair)
#   -d, --dataset DATASET        emulated (default) | HF dataset ORG/NAME[:FILE] (first .json/.jsonl
#                                by default) | local .json/.jsonl/.txt
#   --data-column NAME           the prompt column of a .json/.jsonl dataset (default: found by name)
#   --categories all|A,B,...     one load phase per data subset against one server, each a cell RUN/cells/<id>/:
#                                the .json/.jsonl files of a local directory or HF dataset repo (file stem =
#                                category), or the values of a .json/.jsonl file's category column
#   --category-column NAME       that column (default: category)
#   -o DIR                       run directory (default eval_results_YYYYmmdd_HHMMSS; never reused)
#   --base-model MODEL           the verifier when MODEL is a speculator/draft model
#   --method M                   ngram | draft_model | eagle | eagle3 | mtp ... (tiny default: draft_model)
#   --num-speculative-tokens K   default 3; a list (1,2,3,5) runs one server per k, each k's cells under RUN/cells/
#   --tensor-parallel-size N     default 2 (clamped to visible GPUs; 1 on CPU)
#   --gpu-memory-utilization X   default 0.8
#   --host H / --port P          default 127.0.0.1 / 8000 (a busy port is refused)
#   --profile P                  synchronous (default) | throughput | concurrent:N | sweep; a list of load levels
#                                (concurrent:1,4,16) runs one cell per level against each server
#   --max-seconds S              benchmark duration, default 600
#   --max-requests N             stop after N requests too (default: none on a GPU, 20 without one;
#                                0 = none)
#   --prompt-tokens N            default 64        --output-tokens N  default 128 (emulated data)
#   --temperature T              server default sampling temperature (tiny default 0)
#   --no-baseline                do not run the target alone under identical load (by default it runs, in
#                                DIR/baseline, and the run ends with one speedup verdict line per load level)
#   --baseline                   accepted for old command lines (the default)
#   --per-request-metrics LEVEL  summary (default) | detailed | off: vLLM's per-request spec-decode metrics
#                                (vLLM >= 0.29), saved per request by guidellm; detailed adds per-step arrays
#   --api-key KEY                (or VLLM_API_KEY) required by the server and sent by the client
#   --vllm PYTHON_OR_BIN         (or SPECLENS_VLLM) an existing vLLM install: its Python, venv dir, or
#                                vllm executable (default: this project's .venv); version checked, recorded
#   --dry-run                    print every command, run nothing
#   --plan-only RUN_DIR          write the grid to RUN_DIR/run.json and print one self-contained command per cell
#                                (run them anywhere: xargs -P, a SLURM array), then `speclens sweep RUN_DIR`
#   --resume RUN_DIR             run the missing or failed cells of that run, with the options it recorded
#   --cell ID                    with --resume: that one cell only, on its own server (writes only its folder)
#   --keep-server                leave the server running at the end (its PID is printed)
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=launchers/lib_analysis.sh
source "$ROOT/launchers/lib_analysis.sh"  # and launchers/lib.sh
# shellcheck source=launchers/run_eval_cells.sh
source "$ROOT/launchers/run_eval_cells.sh"  # --categories: run_eval::run_cells and kin (and lib_cells.sh)
# shellcheck source=launchers/run_eval_plan.sh
source "$ROOT/launchers/run_eval_plan.sh"  # the plan, --dry-run, run.json's config of a run and of a phase
# shellcheck source=launchers/run_eval_grid.sh
source "$ROOT/launchers/run_eval_grid.sh"  # the k x load grid: its servers, --plan-only, --resume, --cell
REQUEST_FORMAT=/v1/chat/completions  # the endpoint guidellm sends to (its backend's request_format)

run_eval::defaults() {
  MODEL="" DATASET=emulated OUTPUT_DIR="" BASE_MODEL="" METHOD="" K=3 K_GIVEN="" TP=2 GPU_UTIL=0.8
  HOST=127.0.0.1 PORT=8000 PROFILE=synchronous MAX_REQUESTS="" MAX_SECONDS=600 PROMPT_TOKENS=64
  OUTPUT_TOKENS=128 TEMPERATURE="" BASELINE=1 API_KEY=${VLLM_API_KEY:-} DRY_RUN="" KEEP_SERVER=""
  DATA_COLUMN="" VLLM_GIVEN="" EXTRA_VLLM_ARGS=() PER_REQUEST_LEVEL=summary CATEGORIES="" CATEGORY_COLUMN=""
  PLAN_ONLY="" RESUME="" CELL_ONLY="" CAT_IDS=() CAT_NAMES=() RUN_STAMP=$(date +%Y%m%d_%H%M%S)
}

run_eval::parse() {
  while (($#)); do
    case "$1" in
      -m|--model) lib::need_value "$@"; MODEL=$2; shift ;;
      -d|--dataset) lib::need_value "$@"; DATASET=$2; shift ;;
      -o|--output-dir) lib::need_value "$@"; OUTPUT_DIR=$2; shift ;;
      --base-model) lib::need_value "$@"; BASE_MODEL=$2; shift ;;
      --method) lib::need_value "$@"; METHOD=$2; shift ;;
      --num-speculative-tokens) lib::need_value "$@"; K=$2 K_GIVEN=1; shift ;;
      --tensor-parallel-size) lib::need_value "$@"; TP=$2; shift ;;
      --gpu-memory-utilization) lib::need_value "$@"; GPU_UTIL=$2; shift ;;
      --host) lib::need_value "$@"; HOST=$2; shift ;;
      --port) lib::need_value "$@"; PORT=$2; shift ;;
      --profile) lib::need_value "$@"; PROFILE=$2; shift ;;
      --max-requests) lib::need_value "$@"; MAX_REQUESTS=$2; shift ;;
      --max-seconds) lib::need_value "$@"; MAX_SECONDS=$2; shift ;;
      --prompt-tokens) lib::need_value "$@"; PROMPT_TOKENS=$2; shift ;;
      --output-tokens) lib::need_value "$@"; OUTPUT_TOKENS=$2; shift ;;
      --temperature) lib::need_value "$@"; TEMPERATURE=$2; shift ;;
      --api-key) lib::need_value "$@"; API_KEY=$2; shift ;;
      --data-column) lib::need_value "$@"; DATA_COLUMN=$2; shift ;;
      --categories) lib::need_value "$@"; CATEGORIES=$2; shift ;;
      --category-column) lib::need_value "$@"; CATEGORY_COLUMN=$2; shift ;;
      --vllm) lib::need_value "$@"; VLLM_GIVEN=$2; shift ;;
      --per-request-metrics) lib::need_value "$@"; spec::per_request_level "$1" "$2"; PER_REQUEST_LEVEL=$2; shift ;;
      --baseline) BASELINE=1 ;;
      --no-baseline) BASELINE="" ;;
      --dry-run) DRY_RUN=1 ;;
      --plan-only) lib::need_value "$@"; PLAN_ONLY=$2 OUTPUT_DIR=$2; shift ;;
      --resume) lib::need_value "$@"; RESUME=$2; shift ;;
      --cell) lib::need_value "$@"; CELL_ONLY=$2; shift ;;
      --keep-server) KEEP_SERVER=1 ;;
      -h|--help) lib::usage "${BASH_SOURCE[0]}"; exit 0 ;;
      --) shift; EXTRA_VLLM_ARGS=("$@"); break ;;
      *) lib::die "unknown option '$1' (see --help)" 2 ;;
    esac
    shift
  done
}

run_eval::main() {
  local argv=("$@")
  run_eval::defaults
  run_eval::parse "$@"
  [[ -z "$RESUME" ]] || run_eval::resume_options "$@"
  RUN_ARGV=("${argv[@]}")
  [[ -z "$RESUME" ]] || RUN_ARGV=("${SAVED_ARGV[@]}")
  run_eval::resolve
  run_eval::grid_setup
  run_eval::plan
  if [[ -n "$DRY_RUN" ]]; then run_eval::dry_run; return 0; fi
  if [[ -n "$PLAN_ONLY" ]]; then run_eval::plan_only; return 0; fi
  if [[ -n "$GRID" && ${#GRID_TODO[@]} == 0 ]]; then lib::log "every cell of $OUTPUT_DIR is finished: nothing to run"; return 0; fi
  preflight::need curl setsid "$GUIDELLM"
  preflight::port_free "$HOST" "$PORT"
  run_eval::open_run
  BOOK_DIR=$OUTPUT_DIR  # where the run's own steps are recorded
  if [[ -n "$CELL_ONLY" ]]; then run_eval::server_dir "${GRID_ROLES[${GRID_TODO[0]}]}" ""; BOOK_DIR=$SERVER_DIR; fi
  if [[ -n "$TINY_PAIR" ]]; then
    tiny::build_command
    step::run "$BOOK_DIR" build-tiny-pair "${TINY_BUILD_CMD[@]}" >&2
  fi
  if [[ -n "$GRID" ]]; then run_eval::grid_main; return 0; fi
  run_eval::phase "$OUTPUT_DIR" "$TARGET" "$SPEC_CONFIG"
  if [[ -n "$BASELINE" ]]; then
    mkdir "$OUTPUT_DIR/$RUN_DIR_BASELINE"
    "$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "$OUTPUT_DIR/$RUN_DIR_BASELINE" -- "${argv[@]}"
    run_eval::baseline_config "$OUTPUT_DIR/$RUN_DIR_BASELINE"
    run_eval::phase "$OUTPUT_DIR/$RUN_DIR_BASELINE" "$BASELINE_TARGET" ""
  fi
  analysis::run "$OUTPUT_DIR" "$BASELINE"
  lib::log "run directory: $OUTPUT_DIR"
}

# usage: run_eval::baseline_config DIR   (the baseline phase's own run.json config keys besides its phase's)
run_eval::baseline_config() {
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$1" "target=$BASELINE_TARGET" \
    "vllm=$VLLM_SOURCE" "vllm_version=$VLLM_VERSION"
}

# usage: run_eval::finish STATUS   (exit hook, after every server is stopped: run.json's end and status)
run_eval::finish() {
  [[ -z "${GRID:-}" ]] || run_eval::grid_finish "$1"
  [[ -n "${CELL_ONLY:-}" ]] || "$SPECLENS_PY" "$ROOT/launchers/manifest.py" finish "$OUTPUT_DIR" "$1" || true
}

# usage: run_eval::resolve   (turns the options into TARGET, SPEC_CONFIG, SERVED, TOKENIZER, DATA_SPEC…)
run_eval::resolve() {
  run_eval::check_numbers
  vllm::choose "$VLLM_GIVEN"
  vllm::check_version
  spec::per_request "$PER_REQUEST_LEVEL"
  MODEL_FORMAT="" VERIFIER="" SPEC_ALGORITHM=""
  tiny::choose "$MODEL" -m
  if [[ -n "$TINY_PAIR" ]]; then
    METHOD=${METHOD:-draft_model} TEMPERATURE=${TEMPERATURE:-0} TARGET="$TINY_PAIR/target" SERVED=tiny
    case "$METHOD" in
      draft_model) SPEC_MODEL="$TINY_PAIR/draft" ;;
      eagle3) SPEC_MODEL="$TINY_PAIR/eagle3" ;;
      ngram) SPEC_MODEL="" ;;
      *) lib::die "the tiny pair supports --method draft_model, eagle3 or ngram, not '$METHOD'" 2 ;;
    esac
  elif [[ -n "$BASE_MODEL" ]]; then
    TARGET=$BASE_MODEL SPEC_MODEL=$MODEL METHOD=${METHOD:-eagle3} SERVED=$BASE_MODEL
  elif [[ -n "$METHOD" ]]; then
    [[ "$METHOD" == ngram || "$METHOD" == *mtp ]] || lib::die "--method $METHOD needs --base-model (the verifier); MODEL is then the draft" 2
    TARGET=$MODEL SPEC_MODEL="" SERVED=$MODEL
  else
    run_eval::resolve_speculators
  fi
  BASELINE_TARGET=${VERIFIER:-$TARGET} TOKENIZER=${VERIFIER:-$TARGET} SPEC_CONFIG="" GEN_CONFIG=""
  if [[ -n "$METHOD" && -z "$VERIFIER" ]]; then spec::config "$METHOD" "$K" "$SPEC_MODEL"; fi
  [[ -z "$TEMPERATURE" ]] || GEN_CONFIG=$("$SPECLENS_PY" "$ROOT/launchers/manifest.py" gen-config "$TEMPERATURE")
  if (( GPU_COUNT == 0 )); then
    TP=1
  elif (( TP > GPU_COUNT )); then
    lib::log "--tensor-parallel-size $TP but only $GPU_COUNT GPU(s) visible: using $GPU_COUNT"
    TP=$GPU_COUNT
  fi
  GUIDELLM=${SPECLENS_GUIDELLM:-$(dirname "$SPECLENS_PY")/guidellm}
  CAP_DEFAULTED=""
  if [[ -z "$MAX_REQUESTS" ]]; then
    MAX_REQUESTS=0
    (( GPU_COUNT > 0 )) || MAX_REQUESTS=20 CAP_DEFAULTED=1  # CPU: a small count, printed in the plan and report
  fi
  [[ -n "$OUTPUT_DIR" ]] || OUTPUT_DIR="eval_results_$(date +%Y%m%d_%H%M%S)"
  if [[ -n "$CATEGORIES" ]]; then run_eval::resolve_categories; else run_eval::resolve_data; fi
  grid::split_profiles "$PROFILE"
  for PROFILE in "${PROFILES[@]}"; do run_eval::resolve_profile; done  # each level refused up front if bad
  PROFILE=${PROFILES[0]}
  run_eval::resolve_profile
  if [[ "$HOST" != 127.* && "$HOST" != localhost && "$HOST" != "::1" && -z "$API_KEY" ]]; then
    lib::log "warning: serving on non-loopback host $HOST without --api-key: anyone who can reach it can use it"
  fi
}

# usage: run_eval::check_numbers   (the numeric options, each refused with exit 2 when it is not one)
run_eval::check_numbers() {
  grid::split_ks --num-speculative-tokens "$K"
  K=${KS[0]}
  lib::positive_int --tensor-parallel-size "$TP"
  lib::positive_int --port "$PORT"
  [[ -z "$MAX_REQUESTS" || "$MAX_REQUESTS" =~ ^(0|[1-9][0-9]*)$ ]] ||
    lib::die "--max-requests must be a whole number >= 0 (0 = no request cap), not '$MAX_REQUESTS'" 2
  lib::positive_int --prompt-tokens "$PROMPT_TOKENS"
  lib::positive_int --output-tokens "$OUTPUT_TOKENS"
  lib::number --max-seconds "$MAX_SECONDS"
  lib::number --gpu-memory-utilization "$GPU_UTIL"
  [[ -z "$TEMPERATURE" ]] || lib::number --temperature "$TEMPERATURE"
}

# usage: run_eval::resolve_speculators   (MODEL is neither the tiny pair nor a draft: it must be a
#   speculators-format checkpoint, served directly (no --speculative-config from us). Sets MODEL_FORMAT,
#   SPEC_ALGORITHM, METHOD, K (the checkpoint's), VERIFIER (resolved as vLLM resolves it), TARGET, SERVED.
#   A hub ID neither cached nor reachable dies within seconds naming the cache it looked in.)
run_eval::resolve_speculators() {
  local info MI_FORMAT MI_ALGORITHM MI_K MI_VERIFIER
  info=$("$SPECLENS_PY" "$ROOT/launchers/model_info.py" "$MODEL") || exit 2
  lib::key_values launchers/model_info.py "$info" MI_ FORMAT ALGORITHM K VERIFIER
  [[ "$MI_FORMAT" != no-config ]] || lib::die "-m $MODEL: a directory without config.json (expected a speculators-format checkpoint, or pass --base-model VERIFIER / --method ngram)" 2
  [[ "$MI_FORMAT" == speculators ]] || lib::die "-m $MODEL: its config.json has no speculators_config, so vLLM would serve it without speculation; pass --base-model VERIFIER (MODEL is then the draft or head) or --method ngram" 2
  MODEL_FORMAT=speculators SPEC_ALGORITHM=$MI_ALGORITHM VERIFIER=$MI_VERIFIER
  if [[ -n "$K_GIVEN" && "$K" != "$MI_K" ]]; then
    lib::die "-m $MODEL: the checkpoint sets k=$MI_K (speculators_config.proposal_methods); to serve it with k=$K add -- --speculative-config '{\"num_speculative_tokens\": $K}'" 2
  fi
  METHOD=${METHOD:-$SPEC_ALGORITHM} K=$MI_K TARGET=$MODEL SPEC_MODEL="" SERVED=$MODEL
}

# usage: run_eval::resolve_data   (DATA_SPEC for guidellm --data, DATA_ARGS: every data argument given to
#   guidellm (run_eval::data_args: --data, and --data-column-mapper when a prompt column is named or
#   found), DATA_FILE: the local .json/.jsonl the dataset is, DATA_PROMPT_TOKENS / DATA_OUTPUT_TOKENS:
#   the synthetic lengths ("" for a dataset's own prompts))
run_eval::resolve_data() {
  local path line
  DATA_ARGS=() DATA_FILE="" DATA_PROMPT_TOKENS="" DATA_OUTPUT_TOKENS=""
  case "$DATASET" in
    emulated) DATA_SPEC="kind=synthetic_text,prompt_tokens=$PROMPT_TOKENS,output_tokens=$OUTPUT_TOKENS"
              DATA_PROMPT_TOKENS=$PROMPT_TOKENS DATA_OUTPUT_TOKENS=$OUTPUT_TOKENS ;;
    *.txt) [[ -f "$DATASET" ]] || lib::die "dataset file $DATASET not found" 2; DATA_SPEC="kind=text_file,path=$DATASET" ;;
    *.json|*.jsonl)
      if [[ -f "$DATASET" ]]; then DATA_FILE=$DATASET
      elif [[ "$DATASET" == ?*/?*:* && "$DATASET" != */*/* ]]; then  # ORG/NAME:FILE.jsonl on the hub
        path=$("$SPECLENS_PY" "$ROOT/launchers/fetch_dataset.py" "$DATASET") || exit 2; DATA_FILE=$path
      else lib::die "dataset file $DATASET not found" 2; fi ;;
    *) path=$("$SPECLENS_PY" "$ROOT/launchers/fetch_dataset.py" "$DATASET") || exit 2; DATA_FILE=$path ;;
  esac
  if [[ -n "$DATA_FILE" ]]; then
    DATA_SPEC="kind=json_file,path=$DATA_FILE"
    line=$("$SPECLENS_PY" "$ROOT/launchers/fetch_dataset.py" --column "$DATA_FILE" "$DATA_COLUMN") || exit 2
    DATA_COLUMN=$line
  elif [[ -n "$DATA_COLUMN" ]]; then
    lib::die "--data-column applies to a .json/.jsonl dataset, not '$DATASET'" 2
  fi
  run_eval::data_args
}

# usage: run_eval::data_args   (sets DATA_ARGS from DATA_SPEC and DATA_COLUMN: guidellm's data arguments)
run_eval::data_args() {
  DATA_ARGS=(--data "$DATA_SPEC")
  [[ -z "${DATA_COLUMN:-}" ]] ||
    DATA_ARGS+=(--data-column-mapper "kind=generative_column_mapper,column_mappings.text_column=$DATA_COLUMN")
}

# usage: run_eval::resolve_profile   (PROFILE_SPEC for guidellm --profile)
run_eval::resolve_profile() {
  case "$PROFILE" in
    synchronous|throughput) PROFILE_SPEC="kind=$PROFILE" ;;
    concurrent:[0-9]*) PROFILE_SPEC="kind=concurrent,streams=${PROFILE#concurrent:}" ;;
    sweep) PROFILE_SPEC="kind=sweep,sweep_size=5" ;;
    *) lib::die "--profile must be synchronous, throughput, concurrent:N or sweep, not '$PROFILE'" 2 ;;
  esac
}

# usage: run_eval::server_command MODEL SPEC_CONFIG   (sets SERVER_CMD: MODEL (the target, or a speculators
#   checkpoint), with speculation when SPEC_CONFIG is not empty, the sampling defaults and the user's extra
#   vLLM arguments last)
run_eval::server_command() {
  local args=()
  [[ -z "$2" ]] || args+=(--speculative-config "$2")
  run_eval::speculates "$1" "$2"
  if [[ -n "$SPECULATES" && " ${EXTRA_VLLM_ARGS[*]} " != *" --per-request-spec-decode-metrics"* ]]; then
    args+=("${PER_REQUEST_ARGS[@]}")  # the speculating phase only; the user's own flag wins
  fi
  [[ -z "$GEN_CONFIG" ]] || args+=(--override-generation-config "$GEN_CONFIG")
  serve::command "$1" "$PORT" "$SERVED" "${args[@]}" "${EXTRA_VLLM_ARGS[@]}"
  SERVER_CMD=("${SERVE_CMD[@]}")
}

# usage: run_eval::speculates MODEL SPEC_CONFIG   (sets SPECULATES: 1 for the phase that speculates (a speculative
#   config, ours or among the user's extra vLLM arguments, or the speculators checkpoint served directly), "" for
#   the target alone)
run_eval::speculates() {
  SPECULATES=""
  if [[ -n "$2" || " ${EXTRA_VLLM_ARGS[*]} " == *" --speculative"[-_]config* ]] ||
     [[ "${MODEL_FORMAT:-}" == speculators && "$1" == "${TARGET:-}" ]]; then
    SPECULATES=1
  fi
}

# usage: run_eval::per_request_state MODEL SPEC_CONFIG   (prints run.json's per_request_metrics: the level the
#   server command asks for (ours or the user's), else why there is none)
run_eval::per_request_state() {
  local i
  for (( i = 0; i < ${#SERVER_CMD[@]}; i++ )); do
    [[ "${SERVER_CMD[i]}" != --per-request-spec-decode-metrics ]] || { echo "${SERVER_CMD[i + 1]:-}"; return 0; }
  done
  run_eval::speculates "$1" "$2"
  if [[ -n "$SPECULATES" ]]; then echo "${PER_REQUEST_STATE:-off}"; else echo "off: the target alone"; fi
}

# usage: run_eval::load_command RUN_DIR [API_KEY]   (sets LOAD_CMD: guidellm against the server. With
#   API_KEY the backend spec carries it (guidellm reads it from nowhere else): the command that is run.
#   Without it: the command that is recorded in run.json and printed by --dry-run.)
run_eval::load_command() {
  local backend="kind=openai_http,target=http://$HOST:$PORT,model=$SERVED,request_format=$REQUEST_FORMAT"
  [[ -z "${2:-}" ]] || backend+=",api_key=$2"
  LOAD_CMD=("$GUIDELLM" run --backend "$backend"
            --tokenizer "kind=huggingface_auto,model=$TOKENIZER" --profile "$PROFILE_SPEC"
            --constraint "kind=max_duration,seconds=$MAX_SECONDS")
  (( ${MAX_REQUESTS:-0} == 0 )) || LOAD_CMD+=(--constraint "kind=max_requests,count=$MAX_REQUESTS")
  run_eval::data_args
  LOAD_CMD+=("${DATA_ARGS[@]}" --output "kind=json,path=$1/$RUN_FILE_LOAD_RESULTS" --output kind=console
             --disable-console-interactive)
}

# usage: run_eval::phase RUN_DIR MODEL SPEC_CONFIG   (one server lifetime: boot, scrape, load, scrape, stop)
run_eval::phase() {
  local dir=$1 url="http://$HOST:$PORT" started
  run_eval::server_command "$2" "$3"
  LOAD_CMD=()  # a grid: the server runs no load of its own, its cells do
  [[ -n "$GRID" ]] || run_eval::load_command "$dir"
  serve::env "$dir"
  [[ -z "$API_KEY" ]] || export VLLM_API_KEY="$API_KEY"  # vLLM reads it from the environment: not in argv
  started=$EPOCHREALTIME
  vllm::start "$dir/$RUN_FILE_LOG" "$dir/$RUN_FILE_PID" "${SERVER_CMD[@]}"
  run_eval::record_phase "$dir" "$2" "$3"
  vllm::wait_healthy "$url" "$VLLM_PID" "$dir/$RUN_FILE_LOG" "${BOOT_TIMEOUT:-900}"
  step::record "$dir" boot "$(( VLLM_HEALTHY ? 0 : 1 ))" "$started"
  (( VLLM_HEALTHY )) || exit 3
  step::try "$dir" metrics-before metrics::scrape "$url" "$dir/$RUN_FILE_METRICS_BEFORE"
  if [[ -n "$GRID" ]]; then
    run_eval::run_cells "$dir" "$2" "$3"  # each waits for its last stats interval
  else
    run_eval::load "$dir"
    (( STEP_STATUS == 0 )) || run_eval::load_failed "$dir" "$VLLM_PID"
    sleep "$((VLLM_LOG_STATS_INTERVAL + 1))"  # let the last stats interval reach the log
  fi
  step::try "$dir" metrics-after metrics::scrape "$url" "$dir/$RUN_FILE_METRICS_AFTER"
  if [[ -n "$KEEP_SERVER" ]]; then
    lib::log "--keep-server: server left running, stop it with: kill -TERM -- -$VLLM_PID"
    lib::keep_running
  else
    started=$EPOCHREALTIME
    lib::stop_all
    step::record "$dir" stop-server 0 "$started"
  fi
}

# usage: run_eval::load RUN_DIR   (the load step: guidellm in its own process group, output in
#   guidellm_output.log, watched from here: if the server dies mid-load, guidellm's group is stopped at
#   once (step::watch, status 5) instead of erroring until its deadline; the partial output stays.
#   Recorded with the command of LOAD_CMD, without the API key. Sets STEP_STATUS.)
run_eval::load() {
  local dir=$1 started=$EPOCHREALTIME
  run_eval::load_command "$dir" "$API_KEY"
  step::start "${LOAD_CMD[@]}" >"$dir/$RUN_FILE_LOAD_OUTPUT" 2>&1 </dev/null
  step::watch "$VLLM_PID" "the load (guidellm)"
  run_eval::load_command "$dir"
  step::record "$dir" load "$STEP_STATUS" "$started" "${LOAD_CMD[@]}"
}

# usage: run_eval::load_failed RUN_DIR SERVER_PID   (keeps the raw files, analyzes what there is, exits 4)
run_eval::load_failed() {
  local dir=$1 pid=$2 why="guidellm failed"
  kill -0 "$pid" 2>/dev/null || why="the server died during the load"
  printf 'error: %s; raw files kept in %s (last lines of %s:)\n' "$why" "$dir" "$RUN_FILE_LOAD_OUTPUT" >&2
  tail -n 15 "$dir/$RUN_FILE_LOAD_OUTPUT" >&2 || true
  lib::stop_all
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$dir" "failure=$why"
  "$SPECLENS_PY" -m speclens.analyzers.cli acceptance "$dir" --format text >&2 || true
  exit 4
}

# one compound command, parsed whole before it runs: editing this file during a run cannot change the run's end
[[ "${BASH_SOURCE[0]}" != "$0" ]] || { run_eval::main "$@"; exit; }
