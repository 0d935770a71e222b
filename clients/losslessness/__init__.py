"""Losslessness: does speculative decoding change the greedy output? `python -m speclens.clients.losslessness`."""
