#!/usr/bin/env bash
# usage: launchers/baseline.sh [-m TARGET] [COMMON OPTIONS] [-- COMMAND...]
#   The target alone, no speculation: the reference every speedup is measured against. Without -m
#   on a CPU machine (or with -m tiny): the tiny target. COMMAND runs with SPECLENS_URL set and the
#   server stops after it; without, it serves until Ctrl-C.
#   common options: --host H (127.0.0.1)  --port P (8000)  --tensor-parallel-size N (1)
#                   -k, --num-speculative-tokens K (3, unused here)  --log-dir DIR (launcher_runs/DATE_PID)
#                   -h, --help  --vllm PYTHON_OR_BIN (or SPECLENS_VLLM; default this project's .venv): an existing vLLM
#   example: launchers/baseline.sh -m meta-llama/Llama-3.1-8B-Instruct --port 8000
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
# shellcheck source=launchers/lib_launch.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_launch.sh"

baseline::main() {
  local model=""
  launch::parse "-m|--model=model" "$@"
  launch::prepare "$model" -m
  if [[ -n "$TINY_PAIR" ]]; then
    model="$TINY_PAIR/target"
  fi
  launch::serve baseline "$PORT" "$model"
  SPECLENS_URL=$LAUNCH_URL launch::run_or_hold
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || baseline::main "$@"
