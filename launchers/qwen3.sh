#!/usr/bin/env bash
# usage: launchers/qwen3.sh [--target T --draft D] [--two-servers] [COMMON OPTIONS] [-- COMMAND...]
#   Draft-model speculation, e.g. Qwen/Qwen3-1.7B drafting for Qwen/Qwen3-32B (--tensor-parallel-size 2) in one server.
#   --two-servers instead serves the draft (small) on P and the target (large) on P+1 without
#   speculation, for the speculative-thinking client. Without --target on a CPU machine (or with
#   --target tiny): the tiny pair. COMMAND runs with SPECLENS_URL (or SPECLENS_SMALL_URL /
#   SPECLENS_LARGE_URL) set and the servers stop after it; without, they serve until Ctrl-C.
#   common options: --host H (127.0.0.1)  --port P (8000)  --tensor-parallel-size N (1)
#                   -k, --num-speculative-tokens K (3)  --log-dir DIR (launcher_runs/DATE_PID)  -h, --help
#   example: launchers/qwen3.sh --target Qwen/Qwen3-32B --draft Qwen/Qwen3-1.7B --tensor-parallel-size 2
set -Eeuo pipefail
shopt -s inherit_errexit  # command substitutions keep set -e too
# shellcheck source=launchers/lib_launch.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_launch.sh"

qwen3::main() {
  local target="" draft="" two="" spec
  launch::defaults
  launch::parse_common "$@"
  set -- "${LAUNCH_REST[@]}"
  while (($#)); do
    case "$1" in
      --target) target=$2; shift ;;
      --draft) draft=$2; shift ;;
      --two-servers) two=1 ;;
      *) lib::die "unknown option '$1' (see --help)" 2 ;;
    esac
    shift
  done
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
    spec=$("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" spec-config draft_model "$K" "$draft")
    launch::serve qwen3 "$PORT" "$target" --speculative-config "$spec"
    export SPECLENS_URL=$LAUNCH_URL
  fi
  launch::run_or_hold
}

[[ "${BASH_SOURCE[0]}" != "$0" ]] || qwen3::main "$@"
