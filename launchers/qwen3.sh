#!/usr/bin/env bash
# usage: launchers/qwen3.sh [--target T --draft D] [--two-servers] [COMMON OPTIONS] [-- COMMAND...]
#        launchers/qwen3.sh --config FILE [--test-mode large|spec|both] [GPU OPTIONS] [COMMON OPTIONS] [-- COMMAND...]
#   Draft-model speculation, e.g. Qwen/Qwen3-1.7B drafting for Qwen/Qwen3-32B (--tensor-parallel-size 2) in one server.
#   --two-servers instead serves the draft (small) on P and the target (large) on P+1 without
#   speculation. Without --target on a CPU machine (or with --target tiny): the tiny pair.
#   --config FILE: the speculative-thinking layout (clients/spec_thinking/configs/*.yml): the small
#   model (speculative_model_name) on P and the large one (target_model_name) on P+1, each served
#   under its config name, with its own tensor parallel size (speculative_model_gpu, target_model_gpu),
#   memory fraction (speculative_/target_gpu_memory_utilization, default 0.2 / 0.9) and devices
#   (CUDA_VISIBLE_DEVICES per server: the large on the first target_model_gpu GPUs, the small on the
#   next ones when there are enough, else both share the first ones, refused when their fractions add
#   up to more than 1). Names tiny:target / tiny:draft are the embedded tiny pair. VLLM_MAX_STOP_STRINGS
#   is raised to the number of TRIGGER_TOKENS when that is above vLLM's 4.
#     --test-mode large      start only the large server (how the seed avoids running out of memory)
#     --test-mode spec|both  start both (default both)
#     --large-devices LIST, --small-devices LIST   physical GPU indices, e.g. 0,1 and 2 (default: as above)
#     --large-gpu-memory-utilization F, --small-gpu-memory-utilization F   override the config's
#   COMMAND runs with SPECLENS_URL (or SPECLENS_SMALL_URL / SPECLENS_LARGE_URL; with --config also
#   SPECLENS_SPEC_CONFIG and SPECLENS_TEST_MODE, the client's defaults) set and the servers stop
#   after it; without, they serve until Ctrl-C.
#   common options: --host H (127.0.0.1)  --port P (8000)  --tensor-parallel-size N (1)
#                   -k, --num-speculative-tokens K (3)  --log-dir DIR (launcher_runs/DATE_PID)  -h, --help
#                   --vllm PYTHON_OR_BIN (or SPECLENS_VLLM; default this project's .venv): an existing vLLM
#                   --per-request-metrics summary|detailed|off (summary; vLLM >= 0.29): per-request spec-decode metrics
#   example: launchers/qwen3.sh --target Qwen/Qwen3-32B --draft Qwen/Qwen3-1.7B --tensor-parallel-size 2
#   GPU example (the seed: 32B on GPUs 0,1 at 0.9, 1.7B on GPU 2 at 0.2; large model alone, then both):
#     launchers/qwen3.sh --config clients/spec_thinking/configs/qwen3_1.7b_32b.yml --test-mode large -- \
#       .venv/bin/python -m speclens.clients.spec_thinking --num-problems 5 --num-runs 5
#     launchers/qwen3.sh --config clients/spec_thinking/configs/qwen3_1.7b_32b.yml -- \
#       .venv/bin/python -m speclens.clients.spec_thinking --num-problems 5 --num-runs 5
#   on 2 GPUs the small server shares GPU 0: add --large-gpu-memory-utilization 0.7 (0.7 + 0.2 <= 1)
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
# shellcheck source=launchers/lib_launch.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_launch.sh"

# usage: qwen3::devices FIRST COUNT   (prints FIRST,FIRST+1,...: COUNT device indices)
qwen3::devices() {
  local i out=""
  for ((i = $1; i < $1 + $2; i++)); do out+="${out:+,}$i"; done
  printf '%s\n' "$out"
}

# usage: qwen3::model NAME   (prints the path to serve for a config model name: tiny:target / tiny:draft
#   are the embedded tiny pair's directories, anything else is served as named)
qwen3::model() {
  case "$1" in
    tiny:target|tiny:draft) printf '%s\n' "$TINY_PAIR/${1#tiny:}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# usage: qwen3::serve_one NAME PORT MODEL SERVED TP MEM DEVICES   (one server of the spec-thinking layout)
qwen3::serve_one() {
  local name=$1 port=$2 model=$3 served=$4 tp=$5 mem=$6 devices=$7 saved=${CUDA_VISIBLE_DEVICES-} had=${CUDA_VISIBLE_DEVICES+1}
  if (( GPU_COUNT > 0 )); then
    TP=$tp GPU_UTIL=$mem
    export CUDA_VISIBLE_DEVICES=$devices
    lib::log "$name: $served on GPU(s) $devices, tensor parallel $tp, memory fraction $mem"
  else
    TP=1 GPU_UTIL=""
  fi
  launch::serve "$name" "$port" "$(qwen3::model "$model")" --served-model-name "$served"
  if [[ -n "$had" ]]; then export CUDA_VISIBLE_DEVICES=$saved; else unset CUDA_VISIBLE_DEVICES; fi
}

# usage: qwen3::spec_thinking CONFIG TEST_MODE LARGE_DEV SMALL_DEV LARGE_MEM SMALL_MEM
qwen3::spec_thinking() {
  local config=$1 mode=$2 ldev=$3 sdev=$4 lmem=$5 smem=$6 fields need
  fields=$("$SPECLENS_PY" -m speclens.clients.spec_thinking_config --launcher-fields "$config") || exit 2
  local ST_LARGE_MODEL ST_SMALL_MODEL ST_LARGE_TP ST_SMALL_TP ST_LARGE_MEM ST_SMALL_MEM ST_TRIGGERS
  lib::key_values "$config (spec_thinking_config --launcher-fields)" "$fields" ST_ \
    LARGE_MODEL SMALL_MODEL LARGE_TP SMALL_TP LARGE_MEM SMALL_MEM TRIGGERS
  lmem=${lmem:-$ST_LARGE_MEM} smem=${smem:-$ST_SMALL_MEM}
  [[ "$mode" == large || -n "$ST_SMALL_MODEL" ]] ||
    lib::die "$config: speculative_model_name is null; use --test-mode large" 2
  launch::prepare "$([[ "$ST_LARGE_MODEL" == tiny:* ]] && echo tiny || echo "$ST_LARGE_MODEL")" --config
  if (( GPU_COUNT > 0 )); then
    need=$((ST_LARGE_TP + ST_SMALL_TP))
    (( GPU_COUNT >= ST_LARGE_TP )) ||
      lib::die "target_model_gpu is $ST_LARGE_TP but $GPU_COUNT GPU(s) are visible" 2
    ldev=${ldev:-$(qwen3::devices 0 "$ST_LARGE_TP")}
    if [[ -z "$sdev" ]]; then
      if (( GPU_COUNT >= need )); then sdev=$(qwen3::devices "$ST_LARGE_TP" "$ST_SMALL_TP")
      else sdev=$(qwen3::devices 0 "$ST_SMALL_TP"); fi
    fi
    if [[ "$mode" != large ]] && "$SPECLENS_PY" -c '
import sys
l, s = set(sys.argv[1].split(",")), set(sys.argv[2].split(","))
sys.exit(0 if l & s and float(sys.argv[3]) + float(sys.argv[4]) > 1.0 else 1)' "$ldev" "$sdev" "$lmem" "$smem"; then
      lib::die "the large (GPUs $ldev, $lmem) and small (GPUs $sdev, $smem) servers share a GPU and their memory fractions add up to more than 1; pass e.g. --large-gpu-memory-utilization 0.7 --small-gpu-memory-utilization 0.2, --small-devices on a free GPU, or use --test-mode large" 2
    fi
  fi
  if (( ST_TRIGGERS > 4 )); then export VLLM_MAX_STOP_STRINGS=$ST_TRIGGERS; fi
  SPECLENS_SPEC_CONFIG=$(realpath -s -e -- "$config")
  export SPECLENS_SPEC_CONFIG SPECLENS_TEST_MODE=$mode
  if [[ "$mode" != large ]]; then
    qwen3::serve_one small "$PORT" "$ST_SMALL_MODEL" "$ST_SMALL_MODEL" "$ST_SMALL_TP" "$smem" "$sdev"
    export SPECLENS_SMALL_URL=$LAUNCH_URL
  fi
  qwen3::serve_one large "$((PORT + 1))" "$ST_LARGE_MODEL" "$ST_LARGE_MODEL" "$ST_LARGE_TP" "$lmem" "$ldev"
  export SPECLENS_LARGE_URL=$LAUNCH_URL
  launch::run_or_hold
}

qwen3::main() {
  local target="" draft="" two="" config="" mode=both ldev="" sdev="" lmem="" smem=""
  launch::parse "--target=target --draft=draft --two-servers!two --config=config --test-mode=mode
    --large-devices=ldev --small-devices=sdev --large-gpu-memory-utilization=lmem
    --small-gpu-memory-utilization=smem" "$@"
  [[ "$mode" == large || "$mode" == spec || "$mode" == both ]] ||
    lib::die "--test-mode: expected large, spec or both, got '$mode'" 2
  if [[ -n "$config" ]]; then
    [[ -z "$target$draft$two" ]] || lib::die "--config takes the models from the file; drop --target/--draft/--two-servers" 2
    qwen3::spec_thinking "$config" "$mode" "$ldev" "$sdev" "$lmem" "$smem"
    return
  fi
  [[ -z "$ldev$sdev$lmem$smem" && "$mode" == both ]] || lib::die "--test-mode and the GPU options need --config FILE" 2
  launch::prepare "$target" --target
  if [[ -n "$TINY_PAIR" ]]; then
    target="$TINY_PAIR/target" draft="$TINY_PAIR/draft"
  fi
  [[ -n "$draft" ]] || lib::die "--draft MODEL is required with --target" 2
  if [[ -n "$two" ]]; then
    launch::serve small "$PORT" "$draft" --served-model-name small
    export SPECLENS_SMALL_URL=$LAUNCH_URL
    launch::serve large "$((PORT + 1))" "$target" --served-model-name large
    export SPECLENS_LARGE_URL=$LAUNCH_URL
  else
    spec::config draft_model "$K" "$draft"
    launch::serve qwen3 "$PORT" "$target" --speculative-config "$SPEC_CONFIG" "${PER_REQUEST_ARGS[@]}"
    export SPECLENS_URL=$LAUNCH_URL
  fi
  launch::run_or_hold
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || qwen3::main "$@"
