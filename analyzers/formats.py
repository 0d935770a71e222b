"""The output format names of each command, in one place: the CLI's `--format` choices are built
from these, and each renderer registry is keyed by them (a test checks registry == names).
Kept free of imports so the CLI starts fast."""

ACCEPTANCE_FORMATS = ("text", "md", "json", "csv", "legacy")  # analyzers.render.RENDERERS
SPEEDUP_FORMATS = ("text", "md", "json", "csv")  # analyzers.render.speedup.SPEEDUP_RENDERERS
COMPARE_FORMATS = ("text", "md", "json", "csv", "parquet")  # analyzers.render.compare.COMPARE_RENDERERS
REPORT_FORMATS = ("md", "text", "json")  # analyzers.render.run_dir.RUN_DIR_RENDERERS
SWEEP_FORMATS = ("text", "md", "json")  # analyzers.render.sweep.SWEEP_RENDERERS
