#!/usr/bin/env bash
# usage: ./run_eval.sh [-m MODEL] [-d DATASET] [OPTIONS] [-- EXTRA_VLLM_ARGS...]
#
# Boots a vLLM server with speculative decoding, drives load with guidellm, scrapes /metrics
# before and after, and leaves a self-describing run directory analyzed by speclens.
#
#   -m, --model MODEL            speculators checkpoint (served directly), draft/head model (with
#                                --base-model), target (with --method ngram), a local dir, or
#                                'tiny' (default without a GPU: the embedded tiny pair)
#   -d, --dataset DATASET        emulated (default) | HF dataset ID[:file] | local .json/.jsonl/.txt
#   -o DIR                       run directory (default eval_results_YYYYmmdd_HHMMSS; never reused)
#   --base-model MODEL           the verifier when MODEL is a speculator/draft model
#   --method M                   ngram | draft_model | eagle | eagle3 | mtp ... (tiny default: draft_model)
#   --num-speculative-tokens K   default 3
#   --tensor-parallel-size N     default 2 (clamped to visible GPUs; 1 on CPU)
#   --gpu-memory-utilization X   default 0.8
#   --host H / --port P          default 127.0.0.1 / 8000 (a busy port is refused)
#   --profile P                  synchronous (default) | throughput | concurrent:N | sweep
#   --max-requests N             default 20        --max-seconds S   default 600
#   --prompt-tokens N            default 64        --output-tokens N  default 128 (emulated data)
#   --temperature T              server default sampling temperature (tiny default 0)
#   --baseline                   also run the target alone under identical load (in DIR/baseline)
#   --api-key KEY                (or VLLM_API_KEY) required by the server and sent by the client
#   --dry-run                    print every command, run nothing
#   --keep-server                leave the server running at the end (its PID is printed)
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=launchers/lib.sh
source "$ROOT/launchers/lib.sh"

eval::usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

eval::defaults() {
  MODEL="" DATASET=emulated OUTPUT_DIR="" BASE_MODEL="" METHOD="" K=3 TP=2 GPU_UTIL=0.8
  HOST=127.0.0.1 PORT=8000 PROFILE=synchronous MAX_REQUESTS=20 MAX_SECONDS=600 PROMPT_TOKENS=64
  OUTPUT_TOKENS=128 TEMPERATURE="" BASELINE="" API_KEY=${VLLM_API_KEY:-} DRY_RUN="" KEEP_SERVER=""
  EXTRA_VLLM_ARGS=()
}

eval::parse() {
  while (($#)); do
    case "$1" in
      -m|--model) MODEL=$2; shift ;;
      -d|--dataset) DATASET=$2; shift ;;
      -o|--output-dir) OUTPUT_DIR=$2; shift ;;
      --base-model) BASE_MODEL=$2; shift ;;
      --method) METHOD=$2; shift ;;
      --num-speculative-tokens) K=$2; shift ;;
      --tensor-parallel-size) TP=$2; shift ;;
      --gpu-memory-utilization) GPU_UTIL=$2; shift ;;
      --host) HOST=$2; shift ;;
      --port) PORT=$2; shift ;;
      --profile) PROFILE=$2; shift ;;
      --max-requests) MAX_REQUESTS=$2; shift ;;
      --max-seconds) MAX_SECONDS=$2; shift ;;
      --prompt-tokens) PROMPT_TOKENS=$2; shift ;;
      --output-tokens) OUTPUT_TOKENS=$2; shift ;;
      --temperature) TEMPERATURE=$2; shift ;;
      --api-key) API_KEY=$2; shift ;;
      --baseline) BASELINE=1 ;;
      --dry-run) DRY_RUN=1 ;;
      --keep-server) KEEP_SERVER=1 ;;
      -h|--help) eval::usage; exit 0 ;;
      --) shift; EXTRA_VLLM_ARGS=("$@"); break ;;
      *) lib::die "unknown option '$1' (see --help)" 2 ;;
    esac
    shift
  done
}

eval::main() {
  local argv=("$@")
  eval::defaults
  eval::parse "$@"
  eval::resolve
  if [[ -n "$DRY_RUN" ]]; then eval::dry_run; return; fi
  preflight::need curl setsid "${SPECLENS_GUIDELLM:-$(dirname "$SPECLENS_PY")/guidellm}"
  preflight::port_free "$HOST" "$PORT"
  mkdir -p "$(dirname "$OUTPUT_DIR")"
  mkdir "$OUTPUT_DIR" 2>/dev/null || lib::die "output directory $OUTPUT_DIR already exists; pass a new -o DIR" 2
  preflight::disk "$OUTPUT_DIR" 512
  lib::install_traps
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "$OUTPUT_DIR" -- "${argv[@]}"
  trap 'eval::finish $?' EXIT
  eval::record_config
  [[ -z "$TINY" ]] || step::run "$OUTPUT_DIR" build-tiny-pair tiny::build
  eval::phase "$OUTPUT_DIR" "$SPEC_CONFIG"
  [[ -z "$BASELINE" ]] || { mkdir "$OUTPUT_DIR/baseline"; "$SPECLENS_PY" "$ROOT/launchers/manifest.py" init "$OUTPUT_DIR/baseline" -- "${argv[@]}"; eval::phase "$OUTPUT_DIR/baseline" ""; }
  analysis::run "$OUTPUT_DIR"
  lib::log "run directory: $OUTPUT_DIR"
}

eval::finish() {
  local status=$1
  trap - EXIT
  lib::stop_all
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" finish "$OUTPUT_DIR" "$status" || true
  exit "$status"
}

# usage: eval::resolve   (turns the options into TARGET, SPEC_CONFIG, SERVED, TOKENIZER, DATA_SPEC…)
eval::resolve() {
  local gpus
  gpus=$(serve::gpu_count)
  TINY=""
  if [[ -z "$MODEL" || "$MODEL" == tiny ]]; then
    [[ -n "$MODEL" ]] || (( gpus == 0 )) || lib::die "a GPU is visible: pass -m MODEL (or -m tiny for the embedded pair)" 2
    TINY=$(tiny::path) || lib::die "cannot locate the tiny model cache; run ./setup.sh" 2
    lib::log "no -m given${MODEL:+ (-m tiny)}: using the embedded tiny model pair in $TINY (built offline, CPU-sized)"
    METHOD=${METHOD:-draft_model} TEMPERATURE=${TEMPERATURE:-0} TARGET="$TINY/target" SERVED=tiny
    case "$METHOD" in
      draft_model) SPEC_MODEL="$TINY/draft" ;;
      eagle3) SPEC_MODEL="$TINY/eagle3" ;;
      ngram) SPEC_MODEL="" ;;
      *) lib::die "the tiny pair supports --method draft_model, eagle3 or ngram, not '$METHOD'" 2 ;;
    esac
  elif [[ -n "$BASE_MODEL" ]]; then
    TARGET=$BASE_MODEL SPEC_MODEL=$MODEL METHOD=${METHOD:-eagle3} SERVED=$BASE_MODEL
  elif [[ -n "$METHOD" ]]; then
    [[ "$METHOD" == ngram || "$METHOD" == *mtp ]] || lib::die "--method $METHOD needs --base-model (the verifier); MODEL is then the draft" 2
    TARGET=$MODEL SPEC_MODEL="" SERVED=$MODEL
  else
    TARGET=$MODEL SPEC_MODEL="" SERVED=$MODEL  # a speculators-format checkpoint: vLLM reads its config
  fi
  TOKENIZER=$TARGET
  SPEC_CONFIG=""
  [[ -z "$METHOD" ]] || SPEC_CONFIG=$("$SPECLENS_PY" "$ROOT/launchers/manifest.py" spec-config "$METHOD" "$K" "$SPEC_MODEL")
  if (( gpus == 0 )); then
    TP=1
  elif (( TP > gpus )); then
    lib::log "--tensor-parallel-size $TP but only $gpus GPU(s) visible: using $gpus"
    TP=$gpus
  fi
  [[ -n "$OUTPUT_DIR" ]] || OUTPUT_DIR="eval_results_$(date +%Y%m%d_%H%M%S)"
  eval::resolve_data
  eval::resolve_profile
  if [[ "$HOST" != 127.* && "$HOST" != localhost && "$HOST" != "::1" && -z "$API_KEY" ]]; then
    lib::log "warning: serving on non-loopback host $HOST without --api-key: anyone who can reach it can use it"
  fi
}

# usage: eval::resolve_data   (DATA_SPEC for guidellm --data)
eval::resolve_data() {
  local path
  case "$DATASET" in
    emulated) DATA_SPEC="kind=synthetic_text,prompt_tokens=$PROMPT_TOKENS,output_tokens=$OUTPUT_TOKENS" ;;
    *.txt) [[ -f "$DATASET" ]] || lib::die "dataset file $DATASET not found" 2; DATA_SPEC="kind=text_file,path=$DATASET" ;;
    *.json|*.jsonl) [[ -f "$DATASET" ]] || lib::die "dataset file $DATASET not found" 2; DATA_SPEC="kind=json_file,path=$DATASET" ;;
    *)
      if [[ -n "$DRY_RUN" ]]; then DATA_SPEC="kind=json_file,path=<first .json/.jsonl of $DATASET>"; return; fi
      path=$("$SPECLENS_PY" "$ROOT/launchers/fetch_dataset.py" "$DATASET") || exit 2
      DATA_SPEC="kind=json_file,path=$path" ;;
  esac
}

# usage: eval::resolve_profile   (PROFILE_SPEC for guidellm --profile)
eval::resolve_profile() {
  case "$PROFILE" in
    synchronous|throughput) PROFILE_SPEC="kind=$PROFILE" ;;
    concurrent:[0-9]*) PROFILE_SPEC="kind=concurrent,streams=${PROFILE#concurrent:}" ;;
    sweep) PROFILE_SPEC="kind=sweep,sweep_size=5" ;;
    *) lib::die "--profile must be synchronous, throughput, concurrent:N or sweep, not '$PROFILE'" 2 ;;
  esac
}

# usage: eval::server_cmd SPEC_CONFIG   (sets SERVER_CMD)
eval::server_cmd() {
  serve::vllm_cmd
  SERVER_CMD=("${VLLM_CMD[@]}" serve "$TARGET" --host "$HOST" --port "$PORT" --served-model-name "$SERVED"
              --tensor-parallel-size "$TP" --seed 42)
  if serve::has_gpu; then
    SERVER_CMD+=(--gpu-memory-utilization "$GPU_UTIL")
  else
    SERVER_CMD+=(--max-model-len 1024 --enforce-eager)
  fi
  [[ -z "$1" ]] || SERVER_CMD+=(--speculative-config "$1")
  [[ -z "$TEMPERATURE" ]] ||
    SERVER_CMD+=(--override-generation-config "$("$SPECLENS_PY" "$ROOT/launchers/manifest.py" gen-config "$TEMPERATURE")")
  SERVER_CMD+=("${EXTRA_VLLM_ARGS[@]}")
}

# usage: eval::load_cmd RUN_DIR   (sets LOAD_CMD: guidellm against the server)
eval::load_cmd() {
  LOAD_CMD=("${SPECLENS_GUIDELLM:-$(dirname "$SPECLENS_PY")/guidellm}" run
            --backend "kind=openai_http,target=http://$HOST:$PORT,model=$SERVED,request_format=/v1/chat/completions"
            --tokenizer "kind=huggingface_auto,model=$TOKENIZER" --profile "$PROFILE_SPEC"
            --constraint "kind=max_requests,count=$MAX_REQUESTS" --constraint "kind=max_duration,seconds=$MAX_SECONDS"
            --data "$DATA_SPEC" --output "kind=json,path=$1/guidellm_results.json" --output kind=console
            --disable-console-interactive)
}

# usage: eval::phase RUN_DIR SPEC_CONFIG   (one server lifetime: boot, scrape, load, scrape, stop)
eval::phase() {
  local dir=$1 url="http://$HOST:$PORT" started status=0
  eval::server_cmd "$2"
  eval::load_cmd "$dir"
  serve::env "$dir"
  [[ -z "$API_KEY" ]] || export VLLM_API_KEY="$API_KEY"  # vLLM reads it from the environment: not in argv
  started=$EPOCHREALTIME
  vllm::start "$dir/vllm_server.log" "$dir/vllm_server.pid" "${SERVER_CMD[@]}"
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$dir" "server_command=${SERVER_CMD[*]@Q}" \
    "load_command=${LOAD_CMD[*]@Q}"
  vllm::wait_healthy "$url" "$VLLM_PID" "$dir/vllm_server.log" "${BOOT_TIMEOUT:-900}" || status=$?
  step::record "$dir" boot "$status" "$started"
  (( status == 0 )) || exit 3
  step::run "$dir" metrics-before metrics::scrape "$url" "$dir/metrics_before.prom" || true
  step::run "$dir" load eval::guidellm "$dir" || eval::load_failed "$dir" "$VLLM_PID"
  sleep "$((VLLM_LOG_STATS_INTERVAL + 1))"  # let the last stats interval reach the log
  step::run "$dir" metrics-after metrics::scrape "$url" "$dir/metrics_after.prom" || true
  if [[ -n "$KEEP_SERVER" ]]; then
    lib::log "--keep-server: server left running, stop it with: kill -TERM -- -$VLLM_PID"
    _LIB_GROUPS=() _LIB_TMPDIRS=()  # the kept server still uses its TMPDIR
  else
    started=$EPOCHREALTIME
    lib::stop_all
    step::record "$dir" stop-server 0 "$started"
  fi
}

# usage: eval::load_failed RUN_DIR SERVER_PID   (keeps the raw files, analyzes what there is, exits 4)
eval::load_failed() {
  local dir=$1 pid=$2 why="guidellm failed"
  kill -0 "$pid" 2>/dev/null || why="the server died during the load"
  printf 'error: %s; raw files kept in %s (last lines of guidellm_output.log:)\n' "$why" "$dir" >&2
  tail -n 15 "$dir/guidellm_output.log" >&2 || true
  lib::stop_all
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$dir" "failure=$why"
  "$SPECLENS_PY" -m speclens.analyzers.cli acceptance "$dir" --format text >&2 || true
  exit 4
}

# usage: eval::guidellm RUN_DIR   (guidellm under a watchdog: if the server dies mid-load, this step's
#   whole process group (guidellm, its workers and this step) is stopped at once instead of erroring
#   until its deadline; the partial output stays. The API key reaches guidellm through its backend
#   spec (guidellm reads it from nowhere else); it is not written to run.json.)
eval::guidellm() {
  local cmd=("${LOAD_CMD[@]}") load_pid status=0
  [[ -z "$API_KEY" ]] || cmd[3]="${cmd[3]},api_key=$API_KEY"
  "${cmd[@]}" >"$1/guidellm_output.log" 2>&1 </dev/null &
  load_pid=$!
  while kill -0 "$load_pid" 2>/dev/null; do
    if ! kill -0 "$VLLM_PID" 2>/dev/null; then
      lib::log "the server (pid $VLLM_PID) died during the load; stopping guidellm"
      kill -TERM -- "-$BASHPID" 2>/dev/null || kill -TERM "$load_pid" 2>/dev/null || true
      sleep 10
      kill -KILL -- "-$BASHPID" 2>/dev/null || true
      return 5
    fi
    sleep 1
  done
  wait "$load_pid" || status=$?
  return "$status"
}

eval::record_config() {
  "$SPECLENS_PY" "$ROOT/launchers/manifest.py" config "$OUTPUT_DIR" "model=$MODEL" "target=$TARGET" \
    "method=$METHOD" "num_speculative_tokens=$K" "speculative_config=$SPEC_CONFIG" "dataset=$DATASET" \
    "data_spec=$DATA_SPEC" "profile=$PROFILE_SPEC" "max_requests=$MAX_REQUESTS" "max_seconds=$MAX_SECONDS" \
    "tensor_parallel_size=$TP" "host=$HOST" "port=$PORT" "temperature=$TEMPERATURE" "tiny_pair=$TINY" \
    "baseline=${BASELINE:-0}" "api_key_set=$([[ -n "$API_KEY" ]] && echo yes || echo no)"
}

eval::dry_run() {
  [[ -z "$TINY" ]] || printf '%q ' "$SPECLENS_PY" "$ROOT/launchers/tiny/build.py"; [[ -z "$TINY" ]] || echo
  eval::server_cmd "$SPEC_CONFIG"; printf '%q ' "${SERVER_CMD[@]}"; echo
  eval::load_cmd "$OUTPUT_DIR"; printf '%q ' "${LOAD_CMD[@]}"; echo
  if [[ -n "$BASELINE" ]]; then
    eval::server_cmd ""; printf '%q ' "${SERVER_CMD[@]}"; echo
    eval::load_cmd "$OUTPUT_DIR/baseline"; printf '%q ' "${LOAD_CMD[@]}"; echo
  fi
  printf '%q ' "$SPECLENS_PY" -m speclens.analyzers.cli acceptance "$OUTPUT_DIR" --format legacy -o "$OUTPUT_DIR/acceptance_analysis.txt"; echo
  [[ -z "$BASELINE" ]] || { printf '%q ' "$SPECLENS_PY" -m speclens.analyzers.cli speedup "$OUTPUT_DIR/baseline" "$OUTPUT_DIR" \
    --format md -o "$OUTPUT_DIR/speedup.md"; echo; }
  printf '%q ' "$SPECLENS_PY" -m speclens.analyzers.cli report "$OUTPUT_DIR" -o "$OUTPUT_DIR/report.md"; echo
}

lib::is_sourced || eval::main "$@"
