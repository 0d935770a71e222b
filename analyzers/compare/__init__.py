"""`speclens compare`: one row per run directory, client result, load-driver JSON or log, sortable."""
