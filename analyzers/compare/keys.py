"""The `speclens compare --sort` keys: the row fields a table can be ordered by, in column order.

Kept free of imports so the CLI can build its help text without loading the analyzers; a test
checks the list against `analyzers.compare.row.CompareRow`.
"""

SORT_KEYS = (
    "run", "model", "method", "k", "dataset", "load", "source", "mean_acceptance_length", "draft_acceptance_rate",
    "per_position", "conditional", "speculation_rounds", "committed_per_step", "accuracy", "output_throughput", "request_output_tps", "mean_latency_s",
    "mean_tpot_ms", "speedup", "speedup_verdict", "flags", "pooled_tps_speedup", "pooled_tps_speedup_ci_low",
    "pooled_tps_speedup_ci_high", "latency_speedup", "latency_speedup_ci_low", "latency_speedup_ci_high",
    "mean_tps_speedup", "mean_tps_speedup_ci_low",
    "mean_tps_speedup_ci_high",
    "mean_large_model_token_ratio", "load_file", "error",
)
