"""Streaming readers: bytes, text and JSON in, typed records out. No printing, no policy."""
