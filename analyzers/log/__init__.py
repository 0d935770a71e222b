"""One vLLM log read in one pass: the fold into per-segment summaries, exact integer counts per interval
(and their reconstruction from rounded rates), and the --since/--until and run-directory time windows."""
