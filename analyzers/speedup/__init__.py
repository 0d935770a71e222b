"""`speclens speedup`: paired baseline/spec runs per load level, the one comparability verdict, each
metric's speedup with its 95% interval, and the load-driver numbers it reads."""
