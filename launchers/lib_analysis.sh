#!/usr/bin/env bash
# launchers/lib_analysis.sh: the analysis steps of a run directory, for run_eval.sh (sourced, always
# under `set -Eeuo pipefail`; sources launchers/lib.sh). One list of steps and one builder of each
# step's argv, used both by a run (analysis::run) and by its --dry-run.
# shellcheck source=launchers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# usage: analysis::steps WITH_BASELINE   (sets ANALYSIS_STEPS: the analysis of a run directory, in order;
#   WITH_BASELINE non-empty adds the speedup against RUN_DIR/baseline. The one list both a run and
#   its --dry-run use; analysis::command gives each step's argv.)
analysis::steps() {
  ANALYSIS_STEPS=(analysis-legacy)
  [[ -z "$1" ]] || ANALYSIS_STEPS+=(analysis-speedup)
  ANALYSIS_STEPS+=(analysis-report analysis-text)
  [[ -z "$1" ]] || ANALYSIS_STEPS+=(analysis-verdicts)  # the run's last lines: one verdict per load level
}

# usage: analysis::sweep_steps   (sets ANALYSIS_STEPS of a k x load grid: `speclens sweep` as RUN/sweep.md with
#   its plots, then as text on the console)
analysis::sweep_steps() { ANALYSIS_STEPS=(analysis-sweep-md analysis-sweep); }

# usage: analysis::command STEP RUN_DIR   (sets ANALYSIS_CMD: that step's argv. analysis-legacy writes
#   acceptance_analysis.txt, analysis-speedup writes speedup.md, analysis-report writes report.md with its
#   plots, analysis-text prints the same run report as text: the console summary at the end of a run
#   (acceptance, what the load driver measured, the speedup when there is a baseline, advice on k);
#   analysis-verdicts prints one verdict line per load level from `speclens speedup` (launchers/verdicts.py),
#   analysis-sweep prints a grid's `speclens sweep` report.)
analysis::command() {
  local step=$1 dir=$2 cli=("$SPECLENS_PY" -m speclens.analyzers.cli)
  case "$step" in
    analysis-legacy) ANALYSIS_CMD=("${cli[@]}" acceptance "$dir" --format legacy -o "$dir/$RUN_FILE_LEGACY") ;;
    analysis-speedup) ANALYSIS_CMD=("${cli[@]}" speedup "$dir/$RUN_DIR_BASELINE" "$dir" --format md -o "$dir/$RUN_FILE_SPEEDUP") ;;
    analysis-report) ANALYSIS_CMD=("${cli[@]}" report "$dir" -o "$dir/$RUN_FILE_REPORT") ;;
    analysis-text) ANALYSIS_CMD=("${cli[@]}" report "$dir" --format text) ;;
    analysis-verdicts) ANALYSIS_CMD=("$SPECLENS_PY" "$SPECLENS_ROOT/launchers/verdicts.py" "$dir/$RUN_DIR_BASELINE" "$dir") ;;
    analysis-sweep-md) ANALYSIS_CMD=("${cli[@]}" sweep "$dir" --format md -o "$dir/sweep.md") ;;
    analysis-sweep) ANALYSIS_CMD=("${cli[@]}" sweep "$dir" --format text) ;;
    *) lib::die "analysis::command: unknown step '$step'" ;;
  esac
}

# usage: analysis::run RUN_DIR WITH_BASELINE   (runs and records every analysis step. A failed legacy layout
#   is a warning (it needs a V1 log); any other failed step ends the script with its status.)
analysis::run() {
  analysis::steps "$2"
  analysis::run_steps "$1"
}

# usage: analysis::run_steps RUN_DIR   (runs and records the steps of ANALYSIS_STEPS, as analysis::run says)
analysis::run_steps() {
  local dir=$1 step
  for step in "${ANALYSIS_STEPS[@]}"; do
    analysis::command "$step" "$dir"
    if [[ "$step" == analysis-legacy ]]; then
      step::try "$dir" "$step" "${ANALYSIS_CMD[@]}"
      (( STEP_STATUS == 0 )) || lib::log "warning: no $RUN_FILE_LEGACY (see the message above); the raw files are in $dir"
    else
      step::run "$dir" "$step" "${ANALYSIS_CMD[@]}"
    fi
  done
}
