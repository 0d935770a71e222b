# launchers/run_files.sh: the file names of a run directory, for the bash launchers (sourced by
# launchers/lib.sh). GENERATED from speclens.parsers.run_dir (the one owner of the layout) by
#   .venv/bin/python -m speclens.parsers.run_dir --bash > launchers/run_files.sh
# and checked equal to it by tests/parsers/test_run_dir.py. Do not edit by hand.
# shellcheck shell=bash
# shellcheck disable=SC2034  # read by the scripts that source this file
RUN_FILE_LOG=vllm_server.log
RUN_FILE_PID=vllm_server.pid
RUN_FILE_METRICS_BEFORE=metrics_before.prom
RUN_FILE_METRICS_AFTER=metrics_after.prom
RUN_FILE_LOAD_RESULTS=guidellm_results.json
RUN_FILE_LOAD_OUTPUT=guidellm_output.log
RUN_FILE_MANIFEST=run.json
RUN_FILE_LEGACY=acceptance_analysis.txt
RUN_FILE_SPEEDUP=speedup.md
RUN_FILE_REPORT=report.md
RUN_DIR_TMP=tmp
RUN_DIR_BASELINE=baseline
RUN_DIR_CELLS=cells
