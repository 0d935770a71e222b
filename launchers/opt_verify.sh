#!/usr/bin/env bash
# usage: launchers/opt_verify.sh [--target T --draft D] [COMMON OPTIONS] [-- COMMAND...]
#   Client-side drafting: a draft server (e.g. facebook/opt-350m) on P and a target server that
#   verifies drafts (e.g. facebook/opt-1.3b, scoring context+draft via prompt logprobs) on P+1.
#   Without --target on a CPU machine (or with --target tiny): the tiny pair. COMMAND runs with
#   SPECLENS_DRAFT_URL and SPECLENS_TARGET_URL set; the servers stop after it; without, they serve
#   until Ctrl-C and print the `export ...` line for a client in another shell.
#   --strategy deterministic|probabilistic   the verification rule (the seed's start_target_server.sh
#                   --strategy); exported as SPECLENS_STRATEGY, the default of the client's --strategy
#                   (default: unset, the client's own default, deterministic)
#   --verbose       both servers log at DEBUG (VLLM_LOGGING_LEVEL=DEBUG)
#   common options: --host H (127.0.0.1)  --port P (8000)  --tensor-parallel-size N (1)
#                   -k, --num-speculative-tokens K (3)  --log-dir DIR (launcher_runs/DATE_PID)  -h, --help
#                   --vllm PYTHON_OR_BIN (or SPECLENS_VLLM; default this project's .venv): an existing vLLM
#   example: launchers/opt_verify.sh --target facebook/opt-1.3b --draft facebook/opt-350m --strategy deterministic -- \
#            .venv/bin/python -m speclens.clients.gsm8k_draft_verify --num-samples 20
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
# shellcheck source=launchers/lib_launch.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_launch.sh"

# usage: opt_verify::print_env   (serving without a command: the line that gives a client in another shell
#   the same servers and strategy)
opt_verify::print_env() {
  local line=("export" "SPECLENS_DRAFT_URL=$SPECLENS_DRAFT_URL" "SPECLENS_TARGET_URL=$SPECLENS_TARGET_URL")
  [[ -z "${SPECLENS_STRATEGY:-}" ]] || line+=("SPECLENS_STRATEGY=$SPECLENS_STRATEGY")
  lib::log "for a client in another shell: $(lib::print_cmd "${line[@]}")"
}

opt_verify::main() {
  local target="" draft="" strategy="" verbose=""
  launch::parse "--target=target --draft=draft --strategy=strategy --verbose!verbose" "$@"
  if [[ -n "$strategy" ]]; then
    [[ "$strategy" == deterministic || "$strategy" == probabilistic ]] ||
      lib::die "--strategy must be deterministic or probabilistic, not '$strategy'" 2
    export SPECLENS_STRATEGY=$strategy
  fi
  [[ -z "$verbose" ]] || export VLLM_LOGGING_LEVEL=DEBUG
  launch::prepare "$target" --target
  if [[ -n "$TINY_PAIR" ]]; then
    target="$TINY_PAIR/target" draft="$TINY_PAIR/draft"
  fi
  [[ -n "$draft" ]] || lib::die "--draft MODEL is required with --target" 2
  [[ -z "${SPECLENS_STRATEGY:-}" ]] || lib::log "verification strategy: $SPECLENS_STRATEGY (SPECLENS_STRATEGY for the client)"
  [[ -z "${VLLM_LOGGING_LEVEL:-}" ]] || lib::log "server log level: $VLLM_LOGGING_LEVEL"
  launch::serve draft "$PORT" "$draft" --served-model-name draft
  export SPECLENS_DRAFT_URL=$LAUNCH_URL
  launch::serve target "$((PORT + 1))" "$target" --served-model-name target --max-logprobs 20
  export SPECLENS_TARGET_URL=$LAUNCH_URL
  ((${#CLIENT_CMD[@]})) || opt_verify::print_env
  launch::run_or_hold
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || opt_verify::main "$@"
