"""Speculative thinking (small model reasons, large model steps in at cues): `python -m speclens.clients.spec_thinking`."""
