"""`speclens sweep`: a sweep run's k x load grid: acceptance per k beside the chain model, speedup per
cell over the baseline of its load (analyzers.speedup), best k per load with ties, the break-even load."""
