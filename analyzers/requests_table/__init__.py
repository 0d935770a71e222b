"""The request table: one row per request of a run, for notebooks and other tools (`speclens
requests`, `speclens.read`). Where the rows come from: `sources`; the columns and their units:
`table` (`COLUMNS`); the command: `command`; the Python API: `api`."""
