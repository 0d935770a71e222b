#!/usr/bin/env bash
# launchers/lib_steps.sh: the steps of a run, part of launchers/lib.sh (sourced by lib.sh only, once, always
# under `set -Eeuo pipefail`; a launcher sources lib.sh, never this file). A step is a command run as a
# background job leading its own process group (stopped by lib.sh's EXIT trap), optionally watched against
# the server's liveness and recorded (argv, exit status, seconds) in run.json by launchers/manifest.py.

# usage: step::start COMMAND...   (COMMAND as a background job leading its own process group, so a SIGINT/
#   SIGTERM to the script is handled at once and the EXIT trap stops that group too; redirections of this
#   call apply to COMMAND)
step::start() {
  set -m
  "$@" &
  _LIB_STEP_PGID=$!
  set +m
}

# usage: step::wait   (waits for the job step::start began; sets STEP_STATUS to its exit status)
step::wait() {
  STEP_STATUS=0
  wait "$_LIB_STEP_PGID" || STEP_STATUS=$?
  _LIB_STEP_PGID=""
}

# usage: step::watch SERVER_PID WHAT   (step::wait, but watching SERVER_PID every second: when that process
#   dies first, the step's process group is stopped from here (TERM, 10 s grace, KILL) and STEP_STATUS is 5;
#   WHAT names the step in the message)
step::watch() {
  local server=$1 what=$2
  while kill -0 "$_LIB_STEP_PGID" 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null; then
      lib::log "the server (pid $server) died during $what; stopping it (process group $_LIB_STEP_PGID)"
      vllm::stop "$_LIB_STEP_PGID" 10
      _LIB_STEP_PGID="" STEP_STATUS=5
      return 0
    fi
    sleep 1
  done
  step::wait
}

# usage: step::record RUN_DIR NAME STATUS STARTED_EPOCH [COMMAND...]   (one step in run.json, ending now)
step::record() {
  local run_dir=$1 name=$2 status=$3 started=$4
  shift 4
  "$SPECLENS_PY" "$SPECLENS_ROOT/launchers/manifest.py" step "$run_dir" "$name" "$status" "$started" "$EPOCHREALTIME" -- "$@"
}

# usage: step::try RUN_DIR NAME COMMAND...   (runs COMMAND as a step (step::start) and records its argv, exit
#   status and seconds in run.json; sets STEP_STATUS and returns 0: for steps whose failure is tolerated)
step::try() {
  local run_dir=$1 name=$2 started=$EPOCHREALTIME
  shift 2
  step::start "$@"
  step::wait
  step::record "$run_dir" "$name" "$STEP_STATUS" "$started" "$@"
}

# usage: step::run RUN_DIR NAME COMMAND...   (step::try, returning the command's status: a failure ends the script)
step::run() { step::try "$@"; return "$STEP_STATUS"; }
