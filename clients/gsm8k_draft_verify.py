"""Alias kept for one release: `python -m speclens.clients.gsm8k_draft_verify` is `python -m speclens.clients.draft_verify`."""

from speclens.clients.draft_verify.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
