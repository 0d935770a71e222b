"""What the workload clients share: the OpenAI-compatible HTTP client, CLI flags and progress,
answer extraction, the problem sets, small statistics."""
