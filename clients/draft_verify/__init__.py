"""The OPT draft->verify GSM8K benchmark (`benchmark_gsm8k.py`): `python -m speclens.clients.draft_verify`."""
