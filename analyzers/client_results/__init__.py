"""Client result JSON (clients/) re-read offline: one view per result kind for `compare` rows and
`report` tables."""
