#!/usr/bin/env bash
# usage: launchers/speclora.sh [--target T --draft D] [--lora-draft MERGED] [--modes LIST] [COMMON OPTIONS] [-- COMMAND...]
#   The servers of the SpecLoRA three-mode suite, booted side by side, then COMMAND, then all stopped:
#     target  the target alone on P                              -> SPECLENS_TARGET_URL
#     base    target + the base draft (draft_model, k) on P+1     -> SPECLENS_BASE_URL
#     lora    target + the merged LoRA draft (--lora-draft) on P+2 -> SPECLENS_LORA_URL
#   --modes target,base,lora (default: all three, without lora when --lora-draft is not given).
#   Speculative servers run with --per-request-spec-decode-metrics summary, so every response carries
#   its own acceptance counts. Without --target on a CPU machine (or with --target tiny): the tiny
#   pair. Normally run for you by `python -m speclens.clients.speclora benchmark-suite|collect-data`.
#   common options: --host H (127.0.0.1)  --port P (8000)  --tensor-parallel-size N (1)
#                   -k, --num-speculative-tokens K (3)  --log-dir DIR (launcher_runs/DATE_PID)  -h, --help
#   example: launchers/speclora.sh --target Qwen/Qwen3-32B --draft Qwen/Qwen3-1.7B --lora-draft DIR \
#              --tensor-parallel-size 2 -- COMMAND
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
# shellcheck source=launchers/lib_launch.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_launch.sh"

SPECLORA_PIDS=() SPECLORA_LOGS=() SPECLORA_URLS=()

# usage: speclora::start NAME PORT MODEL [VLLM_ARGS...]   (launch::start, remembered: all are waited for together)
speclora::start() {
  launch::start "$@"
  SPECLORA_PIDS+=("$VLLM_PID") SPECLORA_LOGS+=("$LAUNCH_LOG") SPECLORA_URLS+=("$LAUNCH_URL")
}

# usage: speclora::spec_args DRAFT   (sets SPEC_ARGS: draft-model speculation with per-request metrics)
speclora::spec_args() {
  spec::config draft_model "$K" "$1"
  SPEC_ARGS=(--speculative-config "$SPEC_CONFIG" "${PER_REQUEST_ARGS[@]}")
}

speclora::main() {
  local target="" draft="" lora="" modes="" i
  launch::parse "--target=target --draft=draft --lora-draft=lora --modes=modes" "$@"
  [[ -n "$modes" ]] || { modes=target,base; [[ -z "$lora" ]] || modes+=,lora; }
  [[ ",$modes," != *,lora,* || -n "$lora" ]] || lib::die "mode lora needs --lora-draft MERGED_DRAFT_DIR" 2
  [[ ",$modes," =~ ^(,(target|base|lora))+,$ ]] || lib::die "--modes takes target,base,lora (a subset), not '$modes'" 2
  launch::prepare "$target" --target
  if [[ -n "$TINY_PAIR" ]]; then
    target="$TINY_PAIR/target" draft=${draft:-$TINY_PAIR/draft}
  fi
  [[ ",$modes," != *,base,* || -n "$draft" ]] || lib::die "--draft MODEL is required with --target" 2
  if [[ ",$modes," == *,target,* ]]; then
    speclora::start target "$PORT" "$target"
    export SPECLENS_TARGET_URL=${SPECLORA_URLS[-1]}
  fi
  if [[ ",$modes," == *,base,* ]]; then
    speclora::spec_args "$draft"
    speclora::start base "$((PORT + 1))" "$target" "${SPEC_ARGS[@]}"
    export SPECLENS_BASE_URL=${SPECLORA_URLS[-1]}
  fi
  if [[ ",$modes," == *,lora,* ]]; then
    speclora::spec_args "$lora"
    speclora::start lora "$((PORT + 2))" "$target" "${SPEC_ARGS[@]}"
    export SPECLENS_LORA_URL=${SPECLORA_URLS[-1]}
  fi
  for i in "${!SPECLORA_PIDS[@]}"; do
    vllm::wait_healthy "${SPECLORA_URLS[$i]}" "${SPECLORA_PIDS[$i]}" "${SPECLORA_LOGS[$i]}" "${BOOT_TIMEOUT:-900}"
    (( VLLM_HEALTHY )) || exit 3
  done
  launch::run_or_hold
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || speclora::main "$@"
