"""The diffusion (dLLM) part of an acceptance report: vLLM's DiffusionDecoding lines and counters."""
