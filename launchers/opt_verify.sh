#!/usr/bin/env bash
# usage: launchers/opt_verify.sh [--target T --draft D] [COMMON OPTIONS] [-- COMMAND...]
#   Client-side drafting: a draft server (e.g. facebook/opt-350m) on P and a target server that
#   verifies drafts (e.g. facebook/opt-1.3b, scoring context+draft via prompt logprobs) on P+1.
#   Without --target on a CPU machine (or with --target tiny): the tiny pair. COMMAND runs with
#   SPECLENS_DRAFT_URL and SPECLENS_TARGET_URL set; the servers stop after it; without, they serve
#   until Ctrl-C.
#   common options: --host H (127.0.0.1)  --port P (8000)  --tensor-parallel-size N (1)
#                   -k, --num-speculative-tokens K (3)  --log-dir DIR (launcher_runs/DATE_PID)  -h, --help
#   example: launchers/opt_verify.sh --target facebook/opt-1.3b --draft facebook/opt-350m -- \
#            .venv/bin/python -m speclens.clients.gsm8k_draft_verify --num-samples 20
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
# shellcheck source=launchers/lib_launch.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_launch.sh"

opt_verify::main() {
  local target="" draft=""
  launch::defaults
  launch::parse_common "$@"
  set -- "${LAUNCH_REST[@]}"
  while (($#)); do
    case "$1" in
      --target) target=$2; shift ;;
      --draft) draft=$2; shift ;;
      *) lib::die "unknown option '$1' (see --help)" 2 ;;
    esac
    shift
  done
  launch::prepare "$target" --target
  if [[ -n "$TINY_PAIR" ]]; then
    target="$TINY_PAIR/target" draft="$TINY_PAIR/draft"
  fi
  [[ -n "$draft" ]] || lib::die "--draft MODEL is required with --target" 2
  launch::serve draft "$PORT" "$draft" --served-model-name draft
  export SPECLENS_DRAFT_URL=$LAUNCH_URL
  launch::serve target "$((PORT + 1))" "$target" --served-model-name target --max-logprobs 20
  export SPECLENS_TARGET_URL=$LAUNCH_URL
  launch::run_or_hold
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || opt_verify::main "$@"
