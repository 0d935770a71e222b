"""Measurement traps (issue 25): one small named check per trap, each a pure function from what a
run directory already holds (`evidence.Evidence`) to a list of `Notice`s (code `trap-...`, one line
with what to do). `registry.CHECKS` lists every check with its reason (the README's "Measurement
traps" list is tested equal to `registry.readme_list()`); `registry.run_traps` runs them all.
Wired into `acceptance`/`report` (the target's notices), `speedup` (per side) and `compare` (flags)."""
