"""Acceptance: the metric family and its one formula per source, the acceptance report of `speclens acceptance`
(built from logs, /metrics scrapes and vllm bench JSON), its sanity notices and the advice on k."""
