#!/usr/bin/env bash
# usage: launchers/opt_verify.sh [--target T] [--draft D] [--port P] [-- COMMAND...]
#   Client-side drafting: a draft server (e.g. facebook/opt-350m) on P and a target server that
#   verifies drafts (e.g. facebook/opt-1.3b, scoring context+draft via prompt logprobs) on P+1.
#   Without models on a CPU machine: the tiny pair. COMMAND runs with SPECLENS_DRAFT_URL and
#   SPECLENS_TARGET_URL set; the servers stop after it.
#   example: launchers/opt_verify.sh --target facebook/opt-1.3b --draft facebook/opt-350m -- \
#            .venv/bin/python -m speclens.clients.gsm8k_draft_verify --num-samples 20
set -Eeuo pipefail
# shellcheck source=launchers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

opt_verify::main() {
  local target="" draft=""
  launch::defaults
  launch::parse_common "$@"
  set -- "${LAUNCH_REST[@]}"
  while (($#)); do
    case "$1" in
      --target) target=$2; shift ;;
      --draft) draft=$2; shift ;;
      *) lib::die "unknown option '$1'" 2 ;;
    esac
    shift
  done
  lib::install_traps
  if launch::tiny_if_needed "$target"; then
    target="$TINY_PAIR/target" draft="$TINY_PAIR/draft"
  fi
  [[ -n "$draft" ]] || lib::die "--draft MODEL is required with --target" 2
  launch::serve draft "$PORT" "$draft" --served-model-name draft
  export SPECLENS_DRAFT_URL=$LAUNCH_URL
  launch::serve target "$((PORT + 1))" "$target" --served-model-name target --max-logprobs 20
  export SPECLENS_TARGET_URL=$LAUNCH_URL
  launch::run_or_hold
}

lib::is_sourced || opt_verify::main "$@"
