#!/usr/bin/env bash
# usage: launchers/baseline.sh [-m TARGET] [--port P] [--tensor-parallel-size N] [-- COMMAND...]
#   The target alone, no speculation: the reference every speedup is measured against.
#   Without -m on a CPU machine: the tiny target. COMMAND runs with SPECLENS_URL set.
#   example: launchers/baseline.sh -m meta-llama/Llama-3.1-8B-Instruct --port 8000
set -Eeuo pipefail
# shellcheck source=launchers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

baseline::main() {
  local model=""
  launch::defaults
  launch::parse_common "$@"
  set -- "${LAUNCH_REST[@]}"
  while (($#)); do
    case "$1" in
      -m|--model) model=$2; shift ;;
      *) lib::die "unknown option '$1'" 2 ;;
    esac
    shift
  done
  lib::install_traps
  if launch::tiny_if_needed "$model"; then model="$TINY_PAIR/target"; fi
  launch::serve baseline "$PORT" "$model"
  SPECLENS_URL=$LAUNCH_URL launch::run_or_hold
}

lib::is_sourced || baseline::main "$@"
