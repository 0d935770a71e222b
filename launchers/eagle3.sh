#!/usr/bin/env bash
# usage: launchers/eagle3.sh [-m SPECULATOR] [--base-model VERIFIER] [COMMON OPTIONS] [-- COMMAND...]
#   Serves an EAGLE3 speculator: a speculators-format checkpoint directly (vLLM reads its verifier),
#   or a head plus --base-model. Without -m on a CPU machine (or with -m tiny): the tiny target with
#   its trained EAGLE3 head. With `-- COMMAND` it runs COMMAND (SPECLENS_URL set) and stops the server
#   after; without, it serves until Ctrl-C.
#   common options: --host H (127.0.0.1)  --port P (8000)  --tensor-parallel-size N (1)
#                   -k, --num-speculative-tokens K (3)  --log-dir DIR (launcher_runs/DATE_PID)  -h, --help
#                   --vllm PYTHON_OR_BIN (or SPECLENS_VLLM; default this project's .venv): an existing vLLM
#                   --per-request-metrics summary|detailed|off (summary; vLLM >= 0.29): per-request spec-decode metrics
#   example: launchers/eagle3.sh -m RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3 --port 8000
#   example: launchers/eagle3.sh -- curl -s localhost:8000/v1/models
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
# shellcheck source=launchers/lib_launch.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_launch.sh"

eagle3::main() {
  # shellcheck disable=SC2034  # MI_ALGORITHM, MI_K, MI_VERIFIER: set by lib::key_values, only the format is needed here
  local model="" base="" spec MI_FORMAT MI_ALGORITHM MI_K MI_VERIFIER
  launch::parse "-m|--model=model --base-model=base" "$@"
  launch::prepare "$model" -m
  if [[ -n "$TINY_PAIR" ]]; then
    model="$TINY_PAIR/eagle3" base="$TINY_PAIR/target"
  fi
  if [[ -n "$base" ]]; then
    spec::config eagle3 "$K" "$model"
    launch::serve eagle3 "$PORT" "$base" --speculative-config "$SPEC_CONFIG" "${PER_REQUEST_ARGS[@]}"
  else
    [[ -n "$model" ]] || lib::die "pass -m SPECULATOR (a speculators-format checkpoint, or a head with --base-model)" 2
    spec=$("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/model_info.py" "$model") || exit 2
    lib::key_values launchers/model_info.py "$spec" MI_ FORMAT ALGORITHM K VERIFIER
    [[ "$MI_FORMAT" == speculators ]] || lib::die "-m $model: no speculators_config in its config.json (or no config.json); pass --base-model VERIFIER to serve it as a head" 2
    launch::serve eagle3 "$PORT" "$model" "${PER_REQUEST_ARGS[@]}"
  fi
  SPECLENS_URL=$LAUNCH_URL launch::run_or_hold
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || eagle3::main "$@"
