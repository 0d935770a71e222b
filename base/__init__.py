"""The neutral module: what launchers, clients and analyzers all need (atomic writes and stream
targets, the Hugging Face hub helpers, the tiny pair's arithmetic corpus, the checkout's launchers).
It imports none of speclens.parsers, analyzers, clients or launchers (tests/test_import_rules.py)."""
