#!/usr/bin/env bash
# launchers/lib_grid.sh: issue 24's k x load (x category) grid of run_eval.sh (sourced, always under
# `set -Eeuo pipefail`; needs launchers/lib_cells.sh). The grid is parallel arrays, one entry per cell:
#   GRID_IDS GRID_ROLES GRID_KS GRID_PROFILES GRID_CATS (index into the CAT_* arrays, "" without categories)
# spec cells first (k by k, one server lifetime each), then the baseline's (one server lifetime, shared by
# every k). Which cells still need running (GRID_TODO) is read from the cell folders themselves: a cell
# whose own run.json has status 0 is finished and never rewritten.
# shellcheck source=launchers/lib_cells.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_cells.sh"

# usage: grid::split_ks OPTION VALUE   (sets KS: "1,2,3,5" -> (1 2 3 5); each a whole number >= 1, no repeats)
grid::split_ks() {
  local k seen=" "
  KS=()
  IFS=, read -r -a _grid_items <<<"$2"
  for k in "${_grid_items[@]}"; do
    lib::positive_int "$1" "$k"
    [[ "$seen" != *" $k "* ]] || lib::die "$1 lists k=$k twice ('$2')" 2
    KS+=("$k") seen+="$k "
  done
  (( ${#KS[@]} > 0 )) || lib::die "$1 needs at least one k, not '$2'" 2
}

# usage: grid::split_profiles VALUE   (sets PROFILES: "concurrent:1,4,16" -> (concurrent:1 concurrent:4
#   concurrent:16); a bare number continues the kind before it; "synchronous,concurrent:2" is two levels)
grid::split_profiles() {
  local item kind=""
  PROFILES=()
  IFS=, read -r -a _grid_items <<<"$1"
  for item in "${_grid_items[@]}"; do
    if [[ "$item" =~ ^[0-9]+$ && -n "$kind" ]]; then item="$kind:$item"; fi
    [[ "$item" != *:* ]] || kind=${item%%:*}
    PROFILES+=("$item")
  done
  (( ${#PROFILES[@]} > 0 )) || lib::die "--profile needs a value" 2
}

# usage: grid::build WITH_BASELINE   (sets the GRID_* arrays from KS, PROFILES and CAT_IDS (one "" entry when
#   there are no categories): every spec cell k by k, then one baseline cell per load and category)
grid::build() {
  local k p c cats=("")
  GRID_IDS=() GRID_ROLES=() GRID_KS=() GRID_PROFILES=() GRID_CATS=()
  (( ${#CAT_IDS[@]} == 0 )) || cats=("${!CAT_IDS[@]}")
  for k in "${KS[@]}" ${1:+baseline}; do
    for p in "${PROFILES[@]}"; do
      for c in "${cats[@]}"; do
        if [[ "$k" == baseline ]]; then grid::add baseline "" "$p" "$c"; else grid::add spec "$k" "$p" "$c"; fi
      done
    done
  done
}

# usage: grid::add ROLE K PROFILE CAT_INDEX   (one cell; its id from cells::id: the profile only when the
#   grid has more than one load level, so a one-load grid keeps issue 23's ids (k3-code, baseline-code))
grid::add() {
  local profile="" cat=""
  (( ${#PROFILES[@]} == 1 )) || profile=$3
  [[ -z "$4" ]] || cat=${CAT_IDS[$4]}
  cells::id "$1" "$2" "$cat" "$profile"
  GRID_IDS+=("$CELL_ID") GRID_ROLES+=("$1") GRID_KS+=("$2") GRID_PROFILES+=("$3") GRID_CATS+=("$4")
}

# usage: grid::finished RUN I   (sets CELL_FINISHED: 1 when cell I's folder holds a run.json with status 0 (a
#   finished cell, immutable), else "")
grid::finished() {
  local manifest="$1/$RUN_DIR_CELLS/${GRID_IDS[$2]}/run.json" status=""
  CELL_FINISHED=""
  [[ ! -f "$manifest" ]] || status=$("$SPECLENS_PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("status"))' "$manifest")
  [[ "$status" != 0 ]] || CELL_FINISHED=1
}

# usage: grid::todo RUN [ONLY_ID]   (sets GRID_TODO: the indices of the cells still to run, in grid order:
#   not finished; with ONLY_ID that one cell alone (an unknown id: exit 2))
grid::todo() {
  local i found=""
  GRID_TODO=()
  for i in "${!GRID_IDS[@]}"; do
    [[ -z "${2:-}" || "${GRID_IDS[i]}" == "$2" ]] || continue
    found=1
    grid::finished "$1" "$i"
    [[ -n "$CELL_FINISHED" ]] || GRID_TODO+=("$i")
  done
  [[ -z "${2:-}" || -n "$found" ]] || lib::die "--cell $2: no such cell in $1/run.json (cells: ${GRID_IDS[*]})" 2
}

# usage: grid::label I   (sets CELL_LABEL: "k=2 concurrent:4 code" / "baseline concurrent:4")
grid::label() {
  CELL_LABEL="k=${GRID_KS[$1]}"
  [[ "${GRID_ROLES[$1]}" == spec ]] || CELL_LABEL=baseline
  CELL_LABEL+=" ${GRID_PROFILES[$1]}"
  [[ -z "${GRID_CATS[$1]}" ]] || CELL_LABEL+=" ${CAT_NAMES[${GRID_CATS[$1]}]}"
}

# usage: grid::plan_lines MAX_SECONDS [MAX_REQUESTS]   (the plan: one line per cell to run, the number of server lifetimes and
#   the longest the loads can take (max-seconds per cell; a request cap can end each sooner))
grid::plan_lines() {
  local i n=0 servers=" "
  for i in "${GRID_TODO[@]}"; do
    n=$((n + 1))
    grid::label "$i"
    lib::log "plan: [cell $n/${#GRID_TODO[@]}] $CELL_LABEL -> $RUN_DIR_CELLS/${GRID_IDS[i]}"
    [[ "$servers" == *" ${GRID_ROLES[i]}${GRID_KS[i]} "* ]] || servers+="${GRID_ROLES[i]}${GRID_KS[i]} "
  done
  read -r -a _grid_items <<<"$servers"
  local cap=""
  (( ${2:-0} == 0 )) || cap=", or $2 requests when sooner"
  lib::log "plan: ${#GRID_TODO[@]} of ${#GRID_IDS[@]} cells to run on ${#_grid_items[@]} server lifetime(s) (one per k, one for the baseline); the loads take at most $(( ${#GRID_TODO[@]} * ${1%.*} ))s (${1%.*}s each$cap) plus each server's boot and up to $(( 2 * ${VLLM_LOG_STATS_INTERVAL:-5} + 1 ))s of stats waits per cell"
}
